#include "watch_relay.hpp"

#include <spdlog/spdlog.h>

#include "etcd_errors.hpp"

namespace skiff::store_etcd {

namespace v1 = store::v1;
using namespace std::chrono_literals;

namespace {

// The history starts after the last change to an object: etcd's own revision may be higher
// (the publisher key moves it), and a watcher that has seen every object change is not behind.
std::int64_t last_change_of(const std::map<std::string, std::int64_t>& last_by_resource) {
  std::int64_t last = 0;
  for (const auto& [resource, revision] : last_by_resource) last = std::max(last, revision);
  return last;
}

}  // namespace

WatchRelay::WatchRelay(EtcdClient& client, const KeyLayout& layout, sdk::Bus& bus, const sdk::Subjects& subjects,
                       RelaySettings settings, spdlog::logger& log)
    : client_(client), layout_(layout), bus_(bus), subjects_(subjects), settings_(std::move(settings)), log_(log) {
  auto [revision, last_by_resource] = read_markers();
  publisher_ = std::make_unique<sdk::WatchPublisher>(bus_, subjects_, settings_.history_length,
                                                     last_change_of(last_by_resource), std::move(last_by_resource));
  heard_at_ = std::chrono::steady_clock::now();
  announcements_ = bus_.subscribe(subjects_.store("published"), [this](const sdk::Message& m) { on_announcement(m); });
  feed_ = std::make_unique<WatchFeed>(
      client_, layout_, revision,
      WatchFeed::Handlers{[this](std::vector<sdk::StoreChange> changes) { on_changes(changes); },
                          [this](std::int64_t) { return on_compacted(); }},
      log_);
  next_compaction_ = std::chrono::steady_clock::now() + settings_.compaction_interval;
  election_ = std::make_unique<PublisherElection>(
      client_, layout_, settings_.identity, settings_.lease_ttl,
      PublisherElection::Handlers{[this] { on_elected(); }, [this] { on_deposed(); },
                                  [this](bool leading) { on_round(leading); }},
      log_);
}

WatchRelay::~WatchRelay() { stop(); }

void WatchRelay::stop() {
  if (election_) election_->stop();
  if (feed_) feed_->stop();
  announcements_.cancel();
}

std::pair<std::int64_t, std::map<std::string, std::int64_t>> WatchRelay::read_markers() {
  etcd::RangeRequest range;
  range.set_key(layout_.markers());
  range.set_range_end(prefix_end(layout_.markers()));
  range.set_keys_only(true);
  auto response = client_.range(range, "reading each resource's last change");
  std::map<std::string, std::int64_t> last;
  for (const auto& kv : response.kvs())
    if (auto resource = layout_.parse_marker(kv.key())) last[*resource] = kv.mod_revision();
  return {response.header().revision(), std::move(last)};
}

void WatchRelay::on_changes(const std::vector<sdk::StoreChange>& changes) {
  std::lock_guard lock(role_mutex_);  // a change is either published or recorded before a role change republishes
  if (publishing_) publisher_->publish(changes);
  else publisher_->record(changes);
}

std::int64_t WatchRelay::on_compacted() {
  // Retried by the feed until etcd answers: without the state at some revision it cannot go on.
  auto [revision, last_by_resource] = read_markers();
  publisher_->reset(last_change_of(last_by_resource), std::move(last_by_resource));
  return revision;
}

void WatchRelay::on_elected() {
  std::lock_guard lock(role_mutex_);
  leading_ = true;
  bool was_publishing = std::exchange(publishing_, true);
  // What the last publisher may not have sent (all we have if we never heard it).
  if (!was_publishing) publisher_->republish_after(heard_published_);
  standing_in_ = false;
}

void WatchRelay::on_deposed() {
  std::lock_guard lock(role_mutex_);
  leading_ = false;
  publishing_ = standing_in_;
}

void WatchRelay::on_announcement(const sdk::Message& message) {
  std::lock_guard lock(role_mutex_);
  if (leading_) return;  // our own
  try {
    heard_published_ = std::max<std::int64_t>(heard_published_, std::stoll(message.data));
  } catch (const std::exception&) {
    return;
  }
  heard_at_ = std::chrono::steady_clock::now();
  if (!standing_in_) return;
  standing_in_ = false;
  publishing_ = false;
  log_.info("the watch publisher is heard again; this instance stops standing in for it");
}

// A publisher that has died holds its key until its lease ends (lease_ttl, and etcd extends
// leases when its own leader changes): a standby that has not heard it for a while publishes
// meanwhile. Watchers drop the duplicates if it was only slow.
void WatchRelay::stand_in_if_silent() {
  std::lock_guard lock(role_mutex_);
  if (publishing_ || std::chrono::steady_clock::now() - heard_at_ < kPublisherSilence) return;
  standing_in_ = true;
  publishing_ = true;
  log_.warn("the watch publisher has been silent for {} ms; this instance publishes until it is heard again or "
            "takes over", kPublisherSilence.count());
  publisher_->republish_after(heard_published_);
}

void WatchRelay::on_round(bool leading) {
  if (!leading) return stand_in_if_silent();
  try {
    bus_.publish(subjects_.store("published"), std::to_string(publisher_->published()));
  } catch (const sdk::Error&) {
    // The bus is away; the announcement after it is back will do.
  }
  compact_if_due();
}

// As kube-apiserver does: every interval, compact to the revision seen one interval earlier,
// so watchers have at least one interval to catch up.
void WatchRelay::compact_if_due() {
  if (settings_.compaction_interval.count() == 0 || std::chrono::steady_clock::now() < next_compaction_) return;
  next_compaction_ = std::chrono::steady_clock::now() + settings_.compaction_interval;
  std::int64_t target = std::exchange(compact_to_, feed_->applied());
  if (target <= 0) return;
  try {
    client_.compact(target);
    log_.info("compacted etcd to revision {}", target);
  } catch (const sdk::Error& e) {
    if (e.status().code != 410) log_.warn("compacting etcd failed: {}", e.what());  // 410: compacted already
  }
}

std::int64_t WatchRelay::latest_change() {
  etcd::RangeRequest range;
  range.set_key(layout_.markers());
  range.set_range_end(prefix_end(layout_.markers()));
  range.set_keys_only(true);
  range.set_limit(1);
  range.set_sort_order(etcd::RangeRequest::DESCEND);
  range.set_sort_target(etcd::RangeRequest::MOD);
  auto response = client_.range(range, "reading the last change");
  return response.kvs().empty() ? 0 : response.kvs(0).mod_revision();
}

// A history older than etcd's compaction is gone, as in Kubernetes — unless the resource has
// not changed since (nothing to miss).
void WatchRelay::ensure_reaches(const v1::HistoryRequest& request) {
  if (request.since_revision() <= 0 || request.since_revision() >= publisher_->published()) return;
  etcd::RangeRequest probe;
  probe.set_key(layout_.marker(request.resource()));
  probe.set_revision(request.since_revision() + 1);
  probe.set_count_only(true);
  try {
    client_.range(probe, "reading history of " + request.resource());
  } catch (const sdk::Error& e) {
    if (e.status().code != 410) throw;
    etcd::RangeRequest marker;
    marker.set_key(layout_.marker(request.resource()));
    marker.set_keys_only(true);
    auto now = client_.range(marker, "reading the last change of " + request.resource());
    if (!now.kvs().empty() && now.kvs(0).mod_revision() > request.since_revision())
      throw sdk::Error(sdk::Status::Gone("too old resource version: " + std::to_string(request.since_revision()) +
                                         " (etcd has compacted it)"));
  }
}

v1::HistoryResponse WatchRelay::history(const v1::HistoryRequest& request) {
  // etcd acknowledges a write before this instance's watch has seen it: wait until the watch
  // has every committed change, so the answer holds all the caller may have been told of.
  std::int64_t latest = latest_change();
  if (!feed_->wait_applied(latest, 2s))
    log_.warn("history of {}: this instance's etcd watch is behind revision {}", request.resource(), latest);
  ensure_reaches(request);
  return publisher_->history(request);
}

}  // namespace skiff::store_etcd
