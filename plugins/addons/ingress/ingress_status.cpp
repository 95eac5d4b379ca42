// The status is read from the informer's copy and written back whole (update, with its
// resourceVersion): a concurrent writer gets 409 and the controller's next pass tries again.
#include "ingress_status.hpp"

#include <spdlog/logger.h>

#include <algorithm>

namespace skiff::ingress {

namespace core = api::core::v1;
namespace net = api::networking::v1;

namespace {

bool lists(const net::IngressLoadBalancerStatus& status, const std::string& address) {
  return std::any_of(status.ingress().begin(), status.ingress().end(), [&](const auto& i) { return i.ip() == address; });
}

}  // namespace

std::optional<net::IngressLoadBalancerStatus> status_with(const net::IngressLoadBalancerStatus& status,
                                                          const std::vector<std::string>& addresses, bool present) {
  net::IngressLoadBalancerStatus out = status;
  bool changed = false;
  for (const auto& address : addresses) {
    if (present && !lists(out, address)) {
      out.add_ingress()->set_ip(address);
      changed = true;
    }
    if (!present && lists(out, address)) {
      auto* entries = out.mutable_ingress();
      entries->erase(std::remove_if(entries->begin(), entries->end(), [&](const auto& i) { return i.ip() == address; }),
                     entries->end());
      changed = true;
    }
  }
  if (!changed) return std::nullopt;
  return out;
}

std::string node_internal_ip(const core::Node& node) {
  for (const auto& address : node.status().addresses())
    if (address.type() == "InternalIP") return address.address();
  return "";
}

IngressStatusWriter::IngressStatusWriter(const sdk::ApiClient& api, std::string node, std::vector<std::string> configured,
                                         spdlog::logger& log)
    : api_(api), node_(std::move(node)), addresses_(std::move(configured)), log_(log) {}

const std::vector<std::string>& IngressStatusWriter::addresses() {
  if (!addresses_.empty()) return addresses_;
  try {
    std::string ip = node_internal_ip(api_.get<core::Node>("", node_));
    if (!ip.empty()) {
      addresses_.push_back(ip);
      log_.info("Ingress status reports this node as {}", ip);
    }
  } catch (const sdk::Error& e) {
    if (e.status().code != 404) throw;  // 404: the kubelet has not registered the Node yet
  }
  return addresses_;
}

void IngressStatusWriter::reconcile(const net::Ingress& ingress, bool present, const std::vector<std::string>& departed) {
  if (addresses().empty()) return;
  auto own = status_with(ingress.status().load_balancer(), addresses_, present);
  auto current = own ? *own : ingress.status().load_balancer();
  auto cleaned = status_with(current, departed, false);
  if (!own && !cleaned) return;
  net::Ingress updated = ingress;
  *updated.mutable_status()->mutable_load_balancer() = cleaned ? *cleaned : current;
  api_.update(updated, "status");
}

}  // namespace skiff::ingress
