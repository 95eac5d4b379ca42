// Full and delta applies of the proxy table (see nft_programmer.hpp).
#include "nft_programmer.hpp"

#include "nft_batch.hpp"
#include "nft_plan.hpp"
#include "nft_socket.hpp"
#include "port_checks.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::proxy {

using namespace nft;

TableCounts& TableCounts::operator+=(const TableCounts& other) {
  chains += other.chains;
  rules += other.rules;
  elements += other.elements;
  return *this;
}

TableCounts& TableCounts::operator-=(const TableCounts& other) {
  chains -= other.chains;
  rules -= other.rules;
  elements -= other.elements;
  return *this;
}

namespace {

using Clock = std::chrono::steady_clock;

TableCounts count(const std::vector<Chain>& chains, std::size_t elements) {
  TableCounts counts{chains.size(), 0, elements};
  for (const auto& chain : chains) counts.rules += chain.rules.size();
  return counts;
}

TableCounts count(const PortObjects& objects) { return count(objects.chains, objects.elements.size()); }

[[noreturn]] void refuse(const std::vector<std::string>& problems) {
  std::string message = "the proxy state cannot be programmed: " + problems.front();
  if (problems.size() > 1) message += " (and " + std::to_string(problems.size() - 1) + " more problems)";
  throw sdk::Error(sdk::Status::Invalid(message));
}

Element hairpin_element(std::uint32_t ip) { return Element{hairpin_key(ip), {}, std::nullopt}; }

void check(const std::string& key, const ServicePort& port, std::vector<std::string>& problems) {
  if (auto why = check_port(key, port)) problems.push_back(std::move(*why));
}

// Every port checked and every address claimed once, or the state is refused.
AddressClaims claim_all(const ProxyState& desired) {
  std::vector<std::string> problems;
  AddressClaims claims;
  for (const auto& [key, port] : desired.ports) {
    check(key, port, problems);
    auto conflicts = claims.claim(key, claims_of(port));
    problems.insert(problems.end(), conflicts.begin(), conflicts.end());
  }
  if (!problems.empty()) refuse(problems);
  claims.commit();
  return claims;
}

// Whatever a previous proxy left is deleted and the table made anew, in the same transaction.
void write_whole_table(NftBatch& batch, const std::vector<Chain>& base, const Plan& plan) {
  batch.add_table();
  batch.delete_table();
  batch.add_table();
  for (SetId set : kAllSets)
    for (std::uint32_t shard = 0; shard < (set == SetId::endpoint_ranges ? kRangeShards : 1); ++shard)
      batch.add_set(set, shard);
  for (const auto& chain : base) batch.add_chain(chain);
  for (const auto& chain : base) batch.add_rules(chain);
  plan.write(batch);
}

}  // namespace

NftProgrammer::NftProgrammer(TableOptions options)
    : options_(std::move(options)), socket_(std::make_unique<NftSocket>()) {
  if (options_.table.empty()) throw sdk::Error(sdk::Status::Invalid("the proxy's nftables table needs a name"));
  if (options_.masquerade_mark == 0)
    throw sdk::Error(sdk::Status::Invalid("the proxy's masquerade mark must have a bit set (e.g. 0x4000)"));
}

NftProgrammer::~NftProgrammer() = default;

ApplyStats NftProgrammer::apply(const ProxyState& desired) {
  auto started = Clock::now();
  ApplyStats stats = in_sync_ ? delta_apply(desired) : full_apply(desired);
  stats.duration = Clock::now() - started;
  return stats;
}

// A port keeps its names, number and blocks while it lives, so a delta touches only what changed.
PortAllocation NftProgrammer::allocate(const std::string& key, const ServicePort& port, const PortAllocation* before,
                                       BlockAllocator& blocks, std::vector<std::string>& problems) {
  PortAllocation allocation = before ? *before : PortAllocation{port_id(key), next_port_number_++, {}, {}};
  auto keep_or_take = [&](std::optional<std::uint32_t>& block, bool needed) {
    if (!needed && block) blocks.give_back(*block);
    if (!needed) block.reset();
    if (needed && !block) block = blocks.take();
    if (needed && !block)
      problems.push_back("service port " + key + " finds no free endpoint block (at most " +
                         std::to_string(kBlockCount) + " endpoint choices in one table)");
  };
  keep_or_take(allocation.cluster_block, needs_cluster_block(port));
  keep_or_take(allocation.external_block, needs_external_block(port));
  return allocation;
}

void NftProgrammer::send(NftBatch& batch, ApplyStats& stats) {
  stats.messages = batch.messages();
  stats.kernel = socket_->send(batch);
  stats.bytes = batch.bytes();
}

ApplyStats NftProgrammer::full_apply(const ProxyState& desired) {
  AddressClaims claims = claim_all(desired);
  std::vector<std::string> problems;
  std::map<std::string, AppliedPort> next;
  std::map<std::uint32_t, std::uint32_t> hairpins;
  BlockAllocator blocks;
  Plan plan;
  auto base = render_base_chains(options_);
  TableCounts counts = count(base, 0);
  for (const auto& [key, port] : desired.ports) {
    auto allocation = allocate(key, port, nullptr, blocks, problems);
    PortObjects objects = render_port(key, port, allocation, options_);
    TableCounts port_counts = count(objects);
    counts += port_counts;
    plan.add_port(key, std::move(objects));
    for (auto ip : endpoint_ips(port)) ++hairpins[ip];
    next.emplace(key, AppliedPort{port, std::move(allocation), port_counts});
  }
  if (!problems.empty()) refuse(problems);
  for (const auto& [ip, refs] : hairpins) plan.add_shared(hairpin_element(ip));
  counts.elements += hairpins.size();

  NftBatch batch(options_.table, options_.masquerade_mark);
  write_whole_table(batch, base, plan);
  ApplyStats stats{.full = true, .ports_changed = desired.ports.size()};
  send(batch, stats);

  applied_ = std::move(next);
  hairpin_refs_ = std::move(hairpins);
  blocks_ = std::move(blocks);
  claims_ = std::move(claims);
  counts_ = counts;
  in_sync_ = true;
  return stats;
}

struct NftProgrammer::Delta {
  struct Change {
    const std::string* key;
    std::optional<AppliedPort> after;  // nullopt: removed
  };
  std::vector<Change> changes;
  std::vector<std::string> problems;
  std::map<std::uint32_t, int> hairpin_changes;  // endpoint ip → change in the ports sending to it
  Plan plan;
  TableCounts counts;
  BlockAllocator blocks;
};

void NftProgrammer::plan_removal(Delta& delta, const std::string& key, const AppliedPort& before) {
  claims_.release(claims_of(before.spec));
  delta.plan.remove_port(key, render_port(key, before.spec, before.allocation, options_));
  if (before.allocation.cluster_block) delta.blocks.give_back(*before.allocation.cluster_block);
  if (before.allocation.external_block) delta.blocks.give_back(*before.allocation.external_block);
  for (auto ip : endpoint_ips(before.spec)) --delta.hairpin_changes[ip];
  delta.counts -= before.counts;
  delta.changes.push_back({&key, std::nullopt});
}

void NftProgrammer::plan_upsert(Delta& delta, const std::string& key, const ServicePort& port,
                                const AppliedPort* before) {
  check(key, port, delta.problems);
  auto allocation = allocate(key, port, before ? &before->allocation : nullptr, delta.blocks, delta.problems);
  PortObjects objects = render_port(key, port, allocation, options_);
  TableCounts port_counts = count(objects);
  delta.counts += port_counts;
  for (auto ip : endpoint_ips(port)) ++delta.hairpin_changes[ip];
  if (before) {
    claims_.release(claims_of(before->spec));
    for (auto ip : endpoint_ips(before->spec)) --delta.hairpin_changes[ip];
    delta.counts -= before->counts;
    delta.plan.change_port(key, render_port(key, before->spec, before->allocation, options_), std::move(objects));
  } else {
    delta.plan.add_port(key, std::move(objects));
  }
  delta.changes.push_back({&key, AppliedPort{port, std::move(allocation), port_counts}});
}

// A hairpin element lives while some port sends to its address.
void NftProgrammer::plan_hairpins(Delta& delta) {
  for (const auto& [ip, change] : delta.hairpin_changes) {
    auto it = hairpin_refs_.find(ip);
    int refs = it == hairpin_refs_.end() ? 0 : static_cast<int>(it->second);
    if (refs == 0 && change > 0) {
      delta.plan.add_shared(hairpin_element(ip));
      ++delta.counts.elements;
    } else if (refs > 0 && refs + change == 0) {
      delta.plan.delete_shared(hairpin_element(ip));
      --delta.counts.elements;
    }
  }
}

void NftProgrammer::keep(Delta& delta) {
  claims_.commit();
  blocks_ = std::move(delta.blocks);
  counts_ = delta.counts;
  for (const auto& [ip, change] : delta.hairpin_changes) {
    auto refs = static_cast<int>(hairpin_refs_[ip]) + change;
    if (refs == 0)
      hairpin_refs_.erase(ip);
    else
      hairpin_refs_[ip] = static_cast<std::uint32_t>(refs);
  }
  for (auto& change : delta.changes) {
    if (change.after)
      applied_.insert_or_assign(*change.key, std::move(*change.after));
    else
      applied_.erase(*change.key);
  }
}

// Walks both (sorted) maps together; an unchanged port costs one comparison.
void NftProgrammer::plan_changes(Delta& delta, const ProxyState& desired) {
  auto a = applied_.begin();
  auto d = desired.ports.begin();
  while (a != applied_.end() || d != desired.ports.end()) {
    if (d == desired.ports.end() || (a != applied_.end() && a->first < d->first)) {
      plan_removal(delta, a->first, a->second);
      ++a;
    } else if (a == applied_.end() || d->first < a->first) {
      plan_upsert(delta, d->first, d->second, nullptr);
      ++d;
    } else {
      if (!(a->second.spec == d->second)) plan_upsert(delta, d->first, d->second, &a->second);
      ++a;
      ++d;
    }
  }
}

// Every change released its claims before any claims, so ports may swap addresses.
void NftProgrammer::claim_changes(Delta& delta) {
  for (const auto& change : delta.changes) {
    if (!change.after) continue;
    auto conflicts = claims_.claim(*change.key, claims_of(change.after->spec));
    delta.problems.insert(delta.problems.end(), conflicts.begin(), conflicts.end());
  }
  if (delta.problems.empty()) return;
  claims_.rollback();
  refuse(delta.problems);
}

ApplyStats NftProgrammer::delta_apply(const ProxyState& desired) {
  Delta delta;
  delta.counts = counts_;
  delta.blocks = blocks_;
  plan_changes(delta, desired);
  claim_changes(delta);
  plan_hairpins(delta);

  ApplyStats stats{.full = false, .ports_changed = delta.changes.size()};
  if (!delta.plan.empty()) {
    NftBatch batch(options_.table, options_.masquerade_mark);
    delta.plan.write(batch);
    try {
      send(batch, stats);
    } catch (...) {
      claims_.rollback();
      in_sync_ = false;  // the kernel's table may not be what we think: rebuild it next time
      throw;
    }
  }
  keep(delta);
  return stats;
}

void NftProgrammer::cleanup() {
  NftBatch batch(options_.table, options_.masquerade_mark);
  batch.add_table();  // so that deleting never fails for a table that is absent
  batch.delete_table();
  socket_->send(batch);
  applied_.clear();
  hairpin_refs_.clear();
  blocks_ = BlockAllocator{};
  claims_.clear();
  counts_ = TableCounts{};
  in_sync_ = false;
}

}  // namespace skiff::proxy
