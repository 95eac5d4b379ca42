// GetPodDNS's rules, step by step: the base a policy starts from, the pod's dnsConfig merged
// in, the limits glibc imposes; and the file that comes out of it.
#include "pod_dns.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "skiff/sdk/status.hpp"

namespace skiff::kubelet {

namespace core = api::core::v1;

namespace {

// Kubernetes' validation limits (MaxDNSNameservers, MaxDNSSearchPaths, MaxDNSSearchListChars)
// and the longest name a search domain may be (DNS1123SubdomainMaxLength).
constexpr std::size_t kMaxNameservers = 3;
constexpr std::size_t kMaxSearchPaths = 32;
constexpr std::size_t kMaxSearchListChars = 2048;
constexpr std::size_t kMaxSearchLength = 253;

enum class Base { Cluster, Host, None };

std::vector<std::string> fields_of(std::string_view line) {
  std::vector<std::string> out;
  std::istringstream in{std::string(line)};
  for (std::string field; in >> field;) out.push_back(field);
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : " ") + item;
  return out;
}

std::vector<std::string> without_duplicates(const std::vector<std::string>& items) {
  std::set<std::string> seen;
  std::vector<std::string> out;
  for (const auto& item : items)
    if (seen.insert(item).second) out.push_back(item);
  return out;
}

// ClusterFirst with hostNetwork falls back to Default; ClusterFirstWithHostNet does not. An
// unknown policy (the apiserver refuses those) is ClusterFirst, as Kubernetes treats it.
Base base_of(const core::Pod& pod) {
  const std::string& policy = pod.spec().dns_policy();
  if (policy == "None") return Base::None;
  if (policy == "Default") return Base::Host;
  if (policy == "ClusterFirst" && pod.spec().host_network()) return Base::Host;
  return Base::Cluster;
}

// "name_namespace(uid)", as Kubernetes names a pod in its messages.
std::string pod_ref(const core::Pod& pod) {
  return pod.metadata().name() + "_" + pod.metadata().namespace_() + "(" + pod.metadata().uid() + ")";
}

// The host's settings, or — with no resolv.conf configured — the local machine's resolver,
// searching nothing (Kubernetes' way to keep the runtime from using its own file).
ResolverConfig host_base(const DnsSettings& settings, const ResolverConfig& host) {
  if (!settings.resolv_conf.empty()) return host;
  return ResolverConfig{{"127.0.0.1"}, {"."}, {}};
}

ResolverConfig cluster_base(const DnsSettings& settings, const ResolverConfig& host, const core::Pod& pod) {
  ResolverConfig config;
  config.servers = settings.cluster_dns;
  config.searches = host.searches;
  if (!settings.cluster_domain.empty()) {
    const std::string& domain = settings.cluster_domain;
    config.searches = {pod.metadata().namespace_() + ".svc." + domain, "svc." + domain, domain};
    config.searches.insert(config.searches.end(), host.searches.begin(), host.searches.end());
    config.searches = without_duplicates(config.searches);
  }
  config.options = {"ndots:5"};
  return config;
}

// Kubernetes' mergeDNSOptions: an option of the pod replaces one of the same name. Kubernetes
// goes through a Go map (its order varies from run to run); here the first appearance keeps
// its place.
std::vector<std::string> merged_options(const std::vector<std::string>& existing,
                                        const google::protobuf::RepeatedPtrField<core::PodDNSConfigOption>& wanted) {
  std::vector<std::pair<std::string, std::string>> options;
  auto set = [&](const std::string& name, const std::string& value) {
    auto it = std::find_if(options.begin(), options.end(), [&](const auto& o) { return o.first == name; });
    if (it == options.end()) options.emplace_back(name, value);
    else it->second = value;
  };
  for (const auto& option : existing) {
    auto colon = option.find(':');
    if (colon == std::string::npos) set(option, "");
    else set(option.substr(0, colon), option.substr(colon + 1));
  }
  for (const auto& option : wanted) set(option.name(), option.has_value() ? option.value() : "");
  std::vector<std::string> out;
  for (const auto& [name, value] : options) out.push_back(value.empty() ? name : name + ":" + value);
  return out;
}

void merge(ResolverConfig& config, const core::PodDNSConfig& pod) {
  config.servers.insert(config.servers.end(), pod.nameservers().begin(), pod.nameservers().end());
  config.servers = without_duplicates(config.servers);
  config.searches.insert(config.searches.end(), pod.searches().begin(), pod.searches().end());
  config.searches = without_duplicates(config.searches);
  config.options = merged_options(config.options, pod.options());
}

// Kubernetes' formDNSSearchFitsLimits: at most 32 domains, none longer than a DNS name, and
// the line cut from its end to 2048 characters.
bool fit_searches(std::vector<std::string>& searches) {
  bool cut = false;
  if (searches.size() > kMaxSearchPaths) {
    searches.resize(kMaxSearchPaths);
    cut = true;
  }
  cut |= std::erase_if(searches, [](const std::string& s) { return s.size() > kMaxSearchLength; }) > 0;
  while (!searches.empty() && joined(searches).size() > kMaxSearchListChars) {
    searches.pop_back();
    cut = true;
  }
  return cut;
}

void fit_limits(PodDns& dns) {
  auto& config = dns.config;
  if (config.servers.size() > kMaxNameservers) {
    config.servers.resize(kMaxNameservers);
    dns.warnings.push_back({"DNSConfigForming", "Nameserver limits were exceeded, some nameservers have been omitted, "
                                                "the applied nameserver line is: " + joined(config.servers)});
  }
  if (fit_searches(config.searches))
    dns.warnings.push_back({"DNSConfigForming", "Search Line limits were exceeded, some search paths have been omitted, "
                                                "the applied search line is: " + joined(config.searches)});
}

}  // namespace

ResolverConfig parse_resolv_conf(std::string_view text) {
  ResolverConfig config;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    auto fields = fields_of(line);
    if (fields.empty() || fields[0][0] == '#') continue;
    if (fields[0] == "nameserver" && fields.size() >= 2) {
      config.servers.push_back(fields[1]);
    } else if (fields[0] == "search") {
      config.searches.clear();
      for (auto it = fields.begin() + 1; it != fields.end(); ++it)
        config.searches.push_back(it->ends_with('.') ? it->substr(0, it->size() - 1) : *it);
    } else if (fields[0] == "options") {
      config.options.assign(fields.begin() + 1, fields.end());
    }
  }
  return config;
}

std::optional<ResolverConfig> read_resolv_conf(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();  // an empty file leaves `text` failed, and empty: nothing to parse either way
  return parse_resolv_conf(text.str());
}

std::string render_resolv_conf(const ResolverConfig& config) {
  std::string out;
  if (!config.searches.empty()) out += "search " + joined(config.searches) + "\n";
  for (const auto& server : config.servers) out += "nameserver " + server + "\n";
  if (!config.options.empty()) out += "options " + joined(config.options) + "\n";
  return out;
}

PodDns pod_dns(const core::Pod& pod, const DnsSettings& settings, const ResolverConfig& host) {
  PodDns dns;
  Base base = base_of(pod);
  if (base == Base::Cluster && settings.cluster_dns.empty()) {
    dns.warnings.push_back({"MissingClusterDNS", "pod: \"" + pod_ref(pod) +
                                                     "\". kubelet does not have ClusterDNS IP configured and cannot "
                                                     "create Pod using \"ClusterFirst\" policy. Falling back to "
                                                     "\"Default\" policy."});
    base = Base::Host;
  }
  const ResolverConfig& known_host = settings.resolv_conf.empty() ? ResolverConfig{} : host;
  switch (base) {
    case Base::Cluster: dns.config = cluster_base(settings, known_host, pod); break;
    case Base::Host: dns.config = host_base(settings, host); break;
    case Base::None: break;
  }
  if (pod.spec().has_dns_config()) merge(dns.config, pod.spec().dns_config());
  fit_limits(dns);
  return dns;
}

PodDns pod_dns_on_node(const core::Pod& pod, const DnsSettings& settings) {
  std::optional<ResolverConfig> host = ResolverConfig{};
  if (!settings.resolv_conf.empty() && !(host = read_resolv_conf(settings.resolv_conf)))
    throw sdk::Error(sdk::Status::Unavailable("cannot read the node's resolv.conf " + settings.resolv_conf + ": " +
                                              std::strerror(errno) + " (the kubelet's resolv_conf; \"\" for none)"));
  return pod_dns(pod, settings, *host);
}

void set_sandbox_dns(runtime::v1::SandboxConfig& sandbox, const ResolverConfig& config) {
  sandbox.clear_dns_servers();
  sandbox.clear_dns_searches();
  sandbox.clear_dns_options();
  for (const auto& s : config.servers) sandbox.add_dns_servers(s);
  for (const auto& s : config.searches) sandbox.add_dns_searches(s);
  for (const auto& o : config.options) sandbox.add_dns_options(o);
}

void mount_resolv_conf(runtime::v1::ContainerConfig& container, const std::string& file) {
  for (const auto& m : container.mounts())
    if (m.container_path() == "/etc/resolv.conf") return;
  auto* mount = container.add_mounts();
  mount->set_container_path("/etc/resolv.conf");
  mount->set_host_path(file);
  mount->set_read_only(false);  // as the runtimes mount it for Kubernetes (read-only only with a read-only root)
}

std::string resolv_conf_file(const std::string& pod_dir) { return pod_dir + "/resolv.conf"; }

}  // namespace skiff::kubelet
