// One small static table, so nft's own language through libnftables (one transaction) is the
// clearest way to write it; the proxy's per-Service tables go through libnftnl instead.
#include "notrack_table.hpp"

#include <nftables/libnftables.h>

#include <memory>
#include <sstream>
#include <stdexcept>

namespace skiff::dns {

namespace {

void notrack_rules(std::ostringstream& out, const std::string& address) {
  out << "    ip daddr " << address << " meta l4proto { tcp, udp } th dport 53 notrack\n"
      << "    ip saddr " << address << " meta l4proto { tcp, udp } th sport 53 notrack\n";
}

void run(const std::string& commands, const std::string& what) {
  std::unique_ptr<nft_ctx, decltype(&nft_ctx_free)> context(nft_ctx_new(NFT_CTX_DEFAULT), nft_ctx_free);
  if (!context) throw std::runtime_error(what + ": libnftables has no context");
  nft_ctx_buffer_output(context.get());
  nft_ctx_buffer_error(context.get());
  if (nft_run_cmd_from_buffer(context.get(), commands.c_str()) != 0)
    throw std::runtime_error(what + ": " + nft_ctx_get_error_buffer(context.get()));
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
