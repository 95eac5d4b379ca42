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

void check(const std::string& key, const ServicePort& port, std::vector<std::string>& problems) {
  if (auto why = check_port(key, port)) problems.push_back(std::move(*why));
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

// Keeps what still fits (names, slot ranges, endpoint ids) so a delta touches only what changed.
PortAllocation NftProgrammer::allocate(const std::string& key, const ServicePort& port, const PortAllocation* before,
                                       SlotAllocator& slots) {
  PortAllocation allocation;
  allocation.id = before ? before->id : port_id(key);
  auto cluster = static_cast<std::uint32_t>(has_cluster_chain(port) ? port.cluster_endpoints.size() : 0);
  bool own_external = has_external_chain(port) && !shares_cluster_slots(port);
  auto external = static_cast<std::uint32_t>(own_external ? port.external_endpoints.size() : 0);
  allocation.cluster = slots.resize(before ? before->cluster : SlotRange{}, cluster);
  allocation.external = slots.resize(before ? before->external : SlotRange{}, external);
  for (const auto& ep : all_endpoints(port)) {
    std::uint32_t id = 0;  // ids start at 1: never reused, so a stale affinity entry matches nothing
    if (before)
      if (auto kept = before->endpoint_ids.find(ep); kept != before->endpoint_ids.end()) id = kept->second;
    allocation.endpoint_ids[ep] = id != 0 ? id : next_endpoint_id_++;
  }
  return allocation;
}

void NftProgrammer::send(NftBatch& batch, ApplyStats& stats) {
  stats.messages = batch.messages();
  stats.kernel = socket_->send(batch);
  stats.bytes = batch.bytes();
}

ApplyStats NftProgrammer::full_apply(const ProxyState& desired) {
  std::vector<std::string> problems;
  AddressClaims claims;
  for (const auto& [key, port] : desired.ports) {
    check(key, port, problems);
    auto conflicts = claims.claim(key, claims_of(port));
    problems.insert(problems.end(), conflicts.begin(), conflicts.end());
  }
  if (!problems.empty()) refuse(problems);

  std::map<std::string, AppliedPort> next;
  SlotAllocator slots;
  Plan plan;
  auto base = render_base_chains();
  TableCounts counts = count(base, 0);
  for (const auto& [key, port] : desired.ports) {
    auto allocation = allocate(key, port, nullptr, slots);
    PortObjects objects = render_port(key, port, allocation, options_);
    TableCounts port_counts = count(objects);
    counts += port_counts;
    plan.add_port(key, std::move(objects));
    next.emplace(key, AppliedPort{port, std::move(allocation), port_counts});
  }

  NftBatch batch(options_.table, options_.masquerade_mark);
  batch.add_table();
  batch.delete_table();  // whatever a previous proxy left, replaced in the same transaction
  batch.add_table();
  for (SetId set : kAllSets) batch.add_set(set);
  for (const auto& chain : base) batch.add_chain(chain);
  for (const auto& chain : base) batch.add_rules(chain);
  plan.write(batch);
  ApplyStats stats{.full = true, .ports_changed = desired.ports.size()};
  send(batch, stats);

  applied_ = std::move(next);
  slots_ = std::move(slots);
  claims_ = std::move(claims);
  claims_.commit();
  counts_ = counts;
  in_sync_ = true;
  return stats;
}

ApplyStats NftProgrammer::delta_apply(const ProxyState& desired) {
  struct Change {
    const std::string* key;
    std::optional<AppliedPort> after;  // nullopt: removed
  };
  std::vector<Change> changes;
  std::vector<std::string> problems;
  SlotAllocator slots = slots_;
  Plan plan;
  TableCounts counts = counts_;

  auto remove = [&](const std::string& key, const AppliedPort& before) {
    claims_.release(claims_of(before.spec));
    plan.remove_port(key, render_port(key, before.spec, before.allocation, options_));
    slots.release(before.allocation.cluster);
    slots.release(before.allocation.external);
    counts -= before.counts;
    changes.push_back({&key, std::nullopt});
  };
  auto upsert = [&](const std::string& key, const ServicePort& port, const AppliedPort* before) {
    check(key, port, problems);
    if (before) claims_.release(claims_of(before->spec));
    auto allocation = allocate(key, port, before ? &before->allocation : nullptr, slots);
    PortObjects objects = render_port(key, port, allocation, options_);
    TableCounts port_counts = count(objects);
    counts += port_counts;
    if (before) {
      counts -= before->counts;
      plan.change_port(key, render_port(key, before->spec, before->allocation, options_), std::move(objects));
    } else {
      plan.add_port(key, std::move(objects));
    }
    changes.push_back({&key, AppliedPort{port, std::move(allocation), port_counts}});
  };

  // Walk both (sorted) maps together; unchanged ports cost one comparison.
  auto a = applied_.begin();
  auto d = desired.ports.begin();
  while (a != applied_.end() || d != desired.ports.end()) {
    if (d == desired.ports.end() || (a != applied_.end() && a->first < d->first)) {
      remove(a->first, a->second);
      ++a;
    } else if (a == applied_.end() || d->first < a->first) {
      upsert(d->first, d->second, nullptr);
      ++d;
    } else {
      if (!(a->second.spec == d->second)) upsert(d->first, d->second, &a->second);
      ++a;
      ++d;
    }
  }
  // Claims are released for every change before any is made, so ports may swap addresses.
  for (const auto& change : changes)
    if (change.after) {
      auto conflicts = claims_.claim(*change.key, claims_of(change.after->spec));
      problems.insert(problems.end(), conflicts.begin(), conflicts.end());
    }
  if (!problems.empty()) {
    claims_.rollback();
    refuse(problems);
  }

  ApplyStats stats{.full = false, .ports_changed = changes.size()};
  if (!plan.empty()) {
    NftBatch batch(options_.table, options_.masquerade_mark);
    plan.write(batch);
    try {
      send(batch, stats);
    } catch (...) {
      claims_.rollback();
      in_sync_ = false;  // the kernel's table may not be what we think: rebuild it next time
      throw;
    }
  }
  claims_.commit();
  slots_ = std::move(slots);
  counts_ = counts;
  for (auto& change : changes) {
    if (change.after)
      applied_.insert_or_assign(*change.key, std::move(*change.after));
    else
      applied_.erase(*change.key);
  }
  return stats;
}

void NftProgrammer::cleanup() {
  NftBatch batch(options_.table, options_.masquerade_mark);
  batch.add_table();  // so that deleting never fails for a table that is absent
  batch.delete_table();
  socket_->send(batch);
  applied_.clear();
  slots_ = SlotAllocator{};
  claims_.clear();
  counts_ = TableCounts{};
  in_sync_ = false;
}

}  // namespace skiff::proxy
