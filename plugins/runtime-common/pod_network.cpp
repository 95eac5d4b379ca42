// CNI ADD and DEL for sandboxes, with the kubelet's CNI_ARGS and the pod's hostPorts as the
// portMappings capability.
#include "pod_network.hpp"

#include <boost/json.hpp>

#include <cctype>

#include "skiff/sdk/status.hpp"

namespace skiff::runtime_common {

namespace json = boost::json;
namespace cni = sdk::cni;
using sdk::Error;
using sdk::Status;

namespace {

std::string lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

// The kubelet's arguments (IgnoreUnknown lets plugins that know none of them accept them).
cni::Attachment attachment_for(const std::string& sandbox_id, const std::string& netns,
                               const runtime::v1::SandboxConfig& config) {
  cni::Attachment a;
  a.container_id = sandbox_id;
  a.netns = netns;
  a.args = {{"IgnoreUnknown", "1"},
            {"K8S_POD_NAMESPACE", config.namespace_()},
            {"K8S_POD_NAME", config.pod_name()},
            {"K8S_POD_INFRA_CONTAINER_ID", sandbox_id},
            {"K8S_POD_UID", config.pod_uid()}};
  json::array mappings;
  for (const auto& p : config.port_mappings()) {
    if (p.host_port() == 0) continue;
    json::object m{{"hostPort", p.host_port()},
                   {"containerPort", p.container_port()},
                   {"protocol", p.protocol().empty() ? "tcp" : lower(p.protocol())}};
    if (!p.host_ip().empty()) m["hostIP"] = p.host_ip();
    mappings.push_back(std::move(m));
  }
  if (!mappings.empty()) a.capability_args["portMappings"] = std::move(mappings);
  return a;
}

std::string pod_ip(const cni::Result& result, const std::string& netns) {
  std::string ip = result.sandbox_ip(netns, "4");
  return ip.empty() ? result.sandbox_ip(netns, "6") : ip;
}

}  // namespace

PodNetwork::PodNetwork(PodNetworkOptions options) : options_(std::move(options)), store_(options_.state_dir) {}

std::shared_ptr<std::mutex> PodNetwork::lock_for(const std::string& sandbox_id) {
  std::lock_guard guard(locks_mutex_);
  std::erase_if(locks_, [](const auto& entry) { return entry.second.expired(); });
  auto lock = locks_[sandbox_id].lock();
  if (!lock) locks_[sandbox_id] = lock = std::make_shared<std::mutex>();
  return lock;
}

cni::NetworkConfigList PodNetwork::configuration() const {
  auto list = cni::load_network_config_list(options_.conf_dir);
  if (!list && !options_.fallback_conf_dir.empty()) list = cni::load_network_config_list(options_.fallback_conf_dir);
  if (!list)
    throw Error(Status{503, "NetworkNotReady",
                       "no CNI network configuration in " + options_.conf_dir + "; is the network plugin running on this node?"});
  return *list;
}

std::string PodNetwork::attach(const std::string& sandbox_id, const std::string& netns,
                              const runtime::v1::SandboxConfig& config) {
  auto lock = lock_for(sandbox_id);
  std::lock_guard guard(*lock);
  AttachmentRecord record{configuration(), attachment_for(sandbox_id, netns, config), std::nullopt, ""};
  store_.save(sandbox_id, record);  // before ADD: a crash during it still leaves what DEL needs
  cni::CniNetwork network(record.network, cni_options());
  try {
    record.result = network.add(record.attachment);
    record.ip = pod_ip(*record.result, record.attachment.netns);
    if (record.ip.empty())
      throw Error(Status::Internal("CNI network " + record.network.name + " gave the pod no IP address: " +
                                   json::serialize(record.result->json)));
  } catch (const Error& added) {
    try {
      network.del(record.attachment, record.result);
      store_.erase(sandbox_id);
    } catch (const Error& deleted) {
      throw Error(Status{added.status().code, added.status().reason,
                         added.status().message + "; undoing it failed too (retried when the sandbox is removed): " +
                             deleted.status().message});
    }
    throw;
  }
  store_.save(sandbox_id, record);
  return record.ip;
}

void PodNetwork::detach(const std::string& sandbox_id, const std::string& netns) {
  auto lock = lock_for(sandbox_id);
  std::lock_guard guard(*lock);
  auto record = store_.load(sandbox_id);
  if (!record) return;
  record->attachment.netns = netns;
  cni::CniNetwork(record->network, cni_options()).del(record->attachment, record->result);
  store_.erase(sandbox_id);
}

std::optional<std::string> PodNetwork::ip_of(const std::string& sandbox_id) const {
  auto record = store_.load(sandbox_id);
  if (!record || record->ip.empty()) return std::nullopt;
  return record->ip;
}

}  // namespace skiff::runtime_common
