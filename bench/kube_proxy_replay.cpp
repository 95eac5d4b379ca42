// kube-proxy's iptables and nftables inputs for the synthetic cluster (see kube_proxy_replay.hpp).
// Rule texts follow kube-proxy's own (pkg/proxy/iptables and pkg/proxy/nftables golden output).
#include "kube_proxy_replay.hpp"

#include "skiff/sdk/cidr.hpp"

namespace skiff::bench {

namespace {

const std::string kClusterCidr = "10.244.0.0/16";

// kube-proxy hashes names into base32 (sha256 there; any stable hash does for the tools).
std::string name_hash(const std::string& text, std::size_t chars) {
  std::uint64_t h = 14695981039346656037ull;
  for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  for (std::size_t i = 0; i < chars; ++i) {
    out += kAlphabet[h & 31];
    h = (h >> 5) | (h << 59);
  }
  return out;
}

std::string ip(std::uint32_t address) { return sdk::format_ipv4(address); }
std::string endpoint_text(std::uint32_t address) { return ip(address) + ":" + std::to_string(kTargetPort); }
std::string port_name(const SyntheticService& s) { return "bench/" + s.name + ":http"; }

// ---- iptables ----

std::string svc_chain(const SyntheticService& s) { return "KUBE-SVC-" + name_hash(port_name(s) + "tcp", 16); }
std::string sep_chain(const SyntheticService& s, std::uint32_t ep) {
  return "KUBE-SEP-" + name_hash(port_name(s) + "tcp" + endpoint_text(ep), 16);
}

void declare(std::string& out, const std::string& chain) { out += ":" + chain + " - [0:0]\n"; }

void filter_table(std::string& out, bool with_base_jumps) {
  out += "*filter\n";
  for (const char* chain : {"KUBE-NODEPORTS", "KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD", "KUBE-PROXY-FIREWALL"})
    declare(out, chain);
  if (with_base_jumps)
    out += "-A INPUT -m comment --comment \"kubernetes externally-visible service portals\" -m conntrack --ctstate NEW "
           "-j KUBE-EXTERNAL-SERVICES\n"
           "-A FORWARD -m comment --comment \"kubernetes forwarding rules\" -j KUBE-FORWARD\n"
           "-A OUTPUT -m comment --comment \"kubernetes service portals\" -m conntrack --ctstate NEW -j KUBE-SERVICES\n";
  out += "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP\n"
         "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark 0x4000/0x4000 -j ACCEPT\n"
         "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate "
         "RELATED,ESTABLISHED -j ACCEPT\n"
         "COMMIT\n";
}

void nat_fixed_chains(std::string& out, bool with_base_jumps) {
  for (const char* chain : {"KUBE-SERVICES", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-MARK-MASQ"}) declare(out, chain);
  if (with_base_jumps)
    out += "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n"
           "-A OUTPUT -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES\n"
           "-A POSTROUTING -m comment --comment \"kubernetes postrouting rules\" -j KUBE-POSTROUTING\n";
  out += "-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN\n"
         "-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000\n"
         "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE "
         "--random-fully\n"
         "-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000\n";
}

void kube_services_rules(std::string& out, const SyntheticCluster& cluster) {
  for (const auto& s : cluster.services())
    out += "-A KUBE-SERVICES -m comment --comment \"" + port_name(s) + " cluster IP\" -m tcp -p tcp -d " + ip(s.cluster_ip) +
           " --dport 80 -j " + svc_chain(s) + "\n";
  out += "-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this "
         "chain\" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS\n";
}

void declare_service(std::string& out, const SyntheticService& s) {
  declare(out, svc_chain(s));
  for (auto ep : s.endpoints) declare(out, sep_chain(s, ep));
}

void service_rules(std::string& out, const SyntheticService& s) {
  std::string svc = svc_chain(s), name = port_name(s);
  out += "-A " + svc + " -m comment --comment \"" + name + " cluster IP\" -m tcp -p tcp -d " + ip(s.cluster_ip) +
         " --dport 80 ! -s " + kClusterCidr + " -j KUBE-MARK-MASQ\n";
  out += "-A " + svc + " -m comment --comment \"" + name + " -> " + endpoint_text(s.endpoints[0]) +
         "\" -m statistic --mode random --probability 0.5000000000 -j " + sep_chain(s, s.endpoints[0]) + "\n";
  out += "-A " + svc + " -m comment --comment \"" + name + " -> " + endpoint_text(s.endpoints[1]) + "\" -j " +
         sep_chain(s, s.endpoints[1]) + "\n";
  for (auto ep : s.endpoints) {
    std::string sep = sep_chain(s, ep);
    out += "-A " + sep + " -m comment --comment " + name + " -s " + ip(ep) + " -j KUBE-MARK-MASQ\n";
    out += "-A " + sep + " -m comment --comment " + name + " -m tcp -p tcp -j DNAT --to-destination " + endpoint_text(ep) + "\n";
  }
}

// ---- nftables ----

const std::string kTable = "ip kube-proxy";

std::string nft_service_chain(const SyntheticService& s) {
  return "service-" + name_hash(port_name(s) + "tcp", 8) + "-bench/" + s.name + "/tcp/http";
}
std::string nft_endpoint_chain(const SyntheticService& s, std::uint32_t ep) {
  return "endpoint-" + name_hash(port_name(s) + "tcp" + endpoint_text(ep), 8) + "-bench/" + s.name + "/tcp/http__" + ip(ep) +
         "/" + std::to_string(kTargetPort);
}

void add_chain(std::string& out, const std::string& chain, const std::string& spec = "") {
  out += "add chain " + kTable + " " + chain + spec + "\n";
}
void add_rule(std::string& out, const std::string& chain, const std::string& rule) {
  out += "add rule " + kTable + " " + chain + " " + rule + "\n";
}
void flush_chain(std::string& out, const std::string& chain) { out += "flush chain " + kTable + " " + chain + "\n"; }

// The table, its fixed chains, sets and maps; kube-proxy re-asserts them on every sync.
void nft_fixed_part(std::string& out) {
  out += "add table " + kTable + " { comment \"rules for kube-proxy\" ; }\n";
  add_chain(out, "mark-for-masquerade");
  add_chain(out, "masquerading");
  add_chain(out, "services");
  add_chain(out, "nat-prerouting", " { type nat hook prerouting priority -100 ; }");
  add_chain(out, "nat-output", " { type nat hook output priority -100 ; }");
  add_chain(out, "nat-postrouting", " { type nat hook postrouting priority 100 ; }");
  out += "add set " + kTable + " cluster-ips { type ipv4_addr ; comment \"Active ClusterIPs\" ; }\n";
  out += "add map " + kTable + " service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "
         "\"ClusterIP, ExternalIP and LoadBalancer IP traffic\" ; }\n";
  for (const char* chain : {"mark-for-masquerade", "masquerading", "services", "nat-prerouting", "nat-output", "nat-postrouting"})
    flush_chain(out, chain);
  add_rule(out, "mark-for-masquerade", "mark set mark or 0x4000");
  add_rule(out, "masquerading", "mark and 0x4000 == 0 return");
  add_rule(out, "masquerading", "mark set mark xor 0x4000");
  add_rule(out, "masquerading", "masquerade fully-random");
  add_rule(out, "services", "ip daddr . meta l4proto . th dport vmap @service-ips");
  add_rule(out, "nat-prerouting", "jump services");
  add_rule(out, "nat-output", "jump services");
  add_rule(out, "nat-postrouting", "jump masquerading");
}

void nft_service(std::string& out, const SyntheticService& s, bool flush_first) {
  for (auto ep : s.endpoints) {
    std::string chain = nft_endpoint_chain(s, ep);
    add_chain(out, chain);
    if (flush_first) flush_chain(out, chain);
    add_rule(out, chain, "ip saddr " + ip(ep) + " jump mark-for-masquerade");
    add_rule(out, chain, "meta l4proto tcp dnat to " + endpoint_text(ep));
  }
  std::string svc = nft_service_chain(s);
  add_chain(out, svc);
  if (flush_first) flush_chain(out, svc);
  add_rule(out, svc, "ip daddr " + ip(s.cluster_ip) + " tcp dport 80 ip saddr != " + kClusterCidr + " jump mark-for-masquerade");
  add_rule(out, svc, "numgen random mod 2 vmap { 0 : goto " + nft_endpoint_chain(s, s.endpoints[0]) + " , 1 : goto " +
                         nft_endpoint_chain(s, s.endpoints[1]) + " }");
  out += "add element " + kTable + " cluster-ips { " + ip(s.cluster_ip) + " }\n";
  out += "add element " + kTable + " service-ips { " + ip(s.cluster_ip) + " . tcp . 80 : goto " + svc + " }\n";
}

}  // namespace

std::string iptables_full(const SyntheticCluster& cluster) {
  std::string out;
  out.reserve(cluster.services().size() * 1200);
  filter_table(out, true);
  out += "*nat\n";
  nat_fixed_chains(out, true);
  for (const auto& s : cluster.services()) declare_service(out, s);
  kube_services_rules(out, cluster);
  for (const auto& s : cluster.services()) service_rules(out, s);
  out += "COMMIT\n";
  return out;
}

std::string iptables_delta(const SyntheticCluster& cluster, std::size_t changed, IptablesDelta scope) {
  const auto& s = cluster.services().at(changed);
  std::string out;
  if (scope == IptablesDelta::kube_proxy) filter_table(out, false);
  out += "*nat\n";
  if (scope == IptablesDelta::kube_proxy) nat_fixed_chains(out, false);
  declare_service(out, s);
  if (scope == IptablesDelta::kube_proxy) kube_services_rules(out, cluster);
  service_rules(out, s);
  out += "COMMIT\n";
  return out;
}

std::string nft_full(const SyntheticCluster& cluster) {
  std::string out;
  out.reserve(cluster.services().size() * 1000);
  nft_fixed_part(out);
  for (const auto& s : cluster.services()) nft_service(out, s, false);
  return out;
}

std::string nft_delta(const SyntheticCluster& cluster, std::size_t changed, std::uint32_t old_endpoint) {
  const auto& s = cluster.services().at(changed);
  std::string out;
  nft_fixed_part(out);
  nft_service(out, s, true);
  flush_chain(out, nft_endpoint_chain(s, old_endpoint));
  return out;
}

}  // namespace skiff::bench
