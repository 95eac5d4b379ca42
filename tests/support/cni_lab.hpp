// A CNI lab of a test's own on the host's kernel: a /24 no route uses, a bridge and network
// name, a conflist (loopback, bridge + host-local, portmap) with its IPAM store in a temp dir,
// network namespaces — all removed at the end, with the NAT rules portmap made for it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "command.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace skiff::test {

class CniLab {
 public:
  CniLab();   // throws when not root or when the CNI plugins are missing
  ~CniLab();  // removes what the lab (and the plugins run on it) left: namespaces, rules, bridge
  CniLab(const CniLab&) = delete;
  CniLab& operator=(const CniLab&) = delete;

  const std::string& network() const { return network_; }  // the conflist's name
  const std::string& bridge() const { return bridge_; }
  std::string subnet() const { return prefix_ + "0/24"; }
  const std::string& prefix() const { return prefix_; }  // "10.123.N."
  std::string gateway() const { return prefix_ + "1"; }
  std::string conf_dir() const { return dir_.file("net.d"); }
  std::string ipam_dir() const { return dir_.file("ipam"); }

  // loopback, bridge (isGateway, host-local IPAM in ipam_dir()), and portmap (portMappings)
  // unless left out: Debian's portmap 1.1.1 fails CHECK on IPv4-only pods
  // (containernetworking/plugins#819).
  std::string conflist_json(bool with_portmap = true) const;
  // Writes it into conf_dir(); returns the file's path.
  std::string write_conflist() const;
  // The IPs host-local holds for the network (its store's files, as its DEL releases them).
  std::vector<std::string> reserved_ips() const;
  // A new network namespace, removed at the end; returns its name (path /run/netns/<name>).
  std::string add_netns();
  // `iptables -t nat -S` lines that mention the network or its subnet.
  std::vector<std::string> nat_rules() const;

 private:
  void remove_portmap_rules() const;

  TempDir dir_;
  std::string network_, bridge_, prefix_;
  std::vector<std::string> namespaces_;
  bool hostport_chain_existed_ = false;
};

// Runs `argv` inside namespace `netns`.
CommandResult run_in_netns(const std::string& netns, std::vector<std::string> argv);

// Sends `request` to ip:port over TCP and returns what comes back until the peer closes
// ("" when the connection fails).
std::string tcp_exchange(const std::string& ip, int port, const std::string& request,
                         std::chrono::milliseconds timeout = std::chrono::seconds(2));

}  // namespace skiff::test
