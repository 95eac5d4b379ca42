// Applies the desired ProxyState to the kernel's nftables through netlink (libnftnl + libmnl,
// one socket, one transaction per apply), keeping what it applied in memory and sending only
// the difference. The first apply adopts the table: in one transaction it deletes whatever a
// previous proxy left and creates the whole desired table, so traffic never sees a gap.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include "address_claims.hpp"
#include "block_allocator.hpp"
#include "nft_render.hpp"
#include "proxy_state.hpp"

namespace skiff::proxy {

namespace nft {
class NftBatch;
class NftSocket;
}  // namespace nft

struct ApplyStats {
  bool full = false;               // the table was recreated whole (adoption, or after a failure)
  std::size_t ports_changed = 0;   // service ports added, changed or removed
  std::size_t messages = 0;        // netlink messages in the transaction (0: nothing to do)
  std::size_t bytes = 0;
  std::chrono::nanoseconds kernel{0};    // from sendmsg to the kernel's answer
  std::chrono::nanoseconds duration{0};  // the whole apply: diff, build, send
};

// What the proxy programmed into its table (the affinity set's dynamic entries not counted).
struct TableCounts {
  std::size_t chains = 0;
  std::size_t rules = 0;
  std::size_t elements = 0;
  TableCounts& operator+=(const TableCounts& other);
  TableCounts& operator-=(const TableCounts& other);
};

// One caller at a time (the plugin's sync loop); it owns its table alone.
class NftProgrammer {
 public:
  explicit NftProgrammer(TableOptions options);  // opens the socket; throws sdk::Error
  ~NftProgrammer();
  NftProgrammer(const NftProgrammer&) = delete;
  NftProgrammer& operator=(const NftProgrammer&) = delete;

  // Throws sdk::Error with one clear message: Invalid for a state that cannot be programmed
  // (a bad port, two ports claiming one address), Internal when the kernel refuses. Either
  // way nothing of this apply reached the kernel and the model is as before; after a kernel
  // refusal the next apply recreates the whole table (which also repairs outside changes).
  ApplyStats apply(const ProxyState& desired);
  // Deletes the table (no error if it is absent); the next apply creates it again.
  void cleanup();

  std::size_t rule_count() const { return counts_.rules; }
  std::size_t chain_count() const { return counts_.chains; }
  std::size_t element_count() const { return counts_.elements; }
  const TableOptions& options() const { return options_; }

 private:
  struct AppliedPort {
    ServicePort spec;
    nft::PortAllocation allocation;
    TableCounts counts;
  };

  struct Delta;  // what one delta apply will change, before it is sent

  ApplyStats full_apply(const ProxyState& desired);
  ApplyStats delta_apply(const ProxyState& desired);
  void plan_removal(Delta& delta, const std::string& key, const AppliedPort& before);
  void plan_upsert(Delta& delta, const std::string& key, const ServicePort& port, const AppliedPort* before);
  void plan_changes(Delta& delta, const ProxyState& desired);
  void claim_changes(Delta& delta);
  void plan_hairpins(Delta& delta);
  void keep(Delta& delta);
  nft::PortAllocation allocate(const std::string& key, const ServicePort& port, const nft::PortAllocation* before,
                               nft::BlockAllocator& blocks, std::vector<std::string>& problems);
  void send(nft::NftBatch& batch, ApplyStats& stats);

  TableOptions options_;
  std::unique_ptr<nft::NftSocket> socket_;
  std::map<std::string, AppliedPort> applied_;
  nft::AddressClaims claims_;
  nft::BlockAllocator blocks_;
  std::map<std::uint32_t, std::uint32_t> hairpin_refs_;  // endpoint ip → service ports sending to it
  std::uint32_t next_port_number_ = 1;
  TableCounts counts_;
  bool in_sync_ = false;  // false: the next apply recreates the table
};

}  // namespace skiff::proxy
