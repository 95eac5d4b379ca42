// The DNS addon's nftables table: queries to the node-local cluster DNS address and their
// answers bypass conntrack (NOTRACK), so neither the proxy's DNAT nor conntrack's insert race
// (the 5-second stall) can touch them; and the node address's DNS port answers only clients
// of the cluster.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace skiff::dns {

struct NotrackTable {
  std::string table = "skiff-dns";
  std::string local_address;         // the cluster DNS address served on this node ("" none)
  std::string node_address;          // the node's address whose port 53 serves other nodes ("" none)
  std::vector<std::string> clients;  // CIDRs allowed to ask the node address
};

// The table as nft(8) text: delete and recreate in one transaction.
std::string render(const NotrackTable& table);

// Applies it through libnftables; throws std::runtime_error with nft's message.
void apply(const NotrackTable& table);
// Deletes the table; absent is fine.
void remove_table(const std::string& table);

}  // namespace skiff::dns
