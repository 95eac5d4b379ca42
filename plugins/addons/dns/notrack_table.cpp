// One small static table, so nft's own language is the clearest way to write it. It goes to
// nft(8) as a separate program, not through libnftables: that library is GPL-2.0-only, which
// cannot be combined with libknot's GPL-3.0-or-later in one module. (The proxy's per-Service
// tables go through libnftnl instead.)
#include "notrack_table.hpp"

#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "skiff/sdk/child_process.hpp"

namespace skiff::dns {

namespace {

void notrack_rules(std::ostringstream& out, const std::string& address) {
  out << "    ip daddr " << address << " meta l4proto { tcp, udp } th dport 53 notrack\n"
      << "    ip saddr " << address << " meta l4proto { tcp, udp } th sport 53 notrack\n";
}

std::string nft_program() {
  for (const char* path : {"/usr/sbin/nft", "/sbin/nft", "/usr/bin/nft"})
    if (std::filesystem::exists(path)) return path;
  throw std::runtime_error("nft(8) not found in /usr/sbin, /sbin or /usr/bin: install nftables");
}

// One transaction: nft applies the whole input or nothing.
void run(const std::string& commands, const std::string& what) {
  auto outcome = sdk::run_process({nft_program(), "-f", "-"}, sdk::child_environment(""), commands, std::chrono::seconds(10));
  if (!outcome.wait_status) throw std::runtime_error(what + ": nft did not finish within 10 s");
  if (*outcome.wait_status != 0)
    throw std::runtime_error(what + ": nft " + sdk::describe_wait_status(*outcome.wait_status) + ": " + outcome.err);
}

}  // namespace

std::string render(const NotrackTable& table) {
  std::ostringstream out;
  out << "table ip " << table.table << "\n"
      << "delete table ip " << table.table << "\n"
      << "table ip " << table.table << " {\n";
  if (!table.local_address.empty()) {
    for (const char* hook : {"prerouting", "output"}) {
      out << "  chain " << hook << " {\n    type filter hook " << hook << " priority raw; policy accept;\n";
      notrack_rules(out, table.local_address);
      out << "  }\n";
    }
  }
  if (!table.node_address.empty()) {
    // auto-merge: the ranges may overlap (a client range holding the node's subnet), which a
    // plain interval set refuses ("conflicting intervals"), and the node address would go unserved.
    out << "  set clients {\n    type ipv4_addr; flags interval; auto-merge;\n";
    if (!table.clients.empty()) {
      out << "    elements = { ";
      for (std::size_t i = 0; i < table.clients.size(); ++i) out << (i ? ", " : "") << table.clients[i];
      out << " }\n";
    }
    out << "  }\n"
        << "  chain input {\n    type filter hook input priority filter; policy accept;\n"
        << "    ip daddr " << table.node_address
        << " meta l4proto { tcp, udp } th dport 53 fib saddr type != local ip saddr != @clients drop\n"
        << "  }\n";
  }
  out << "}\n";
  return out.str();
}

void apply(const NotrackTable& table) { run(render(table), "nftables table ip " + table.table); }

void remove_table(const std::string& table) {
  run("table ip " + table + "\ndelete table ip " + table + "\n", "deleting nftables table ip " + table);
}

}  // namespace skiff::dns
