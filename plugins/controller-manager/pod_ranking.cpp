// The rules of Kubernetes' ActivePodsWithRanks.Less, one function per rule.
#include "pod_ranking.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string_view>
#include <unordered_map>
#include <optional>

#include "pod_state.hpp"

namespace skiff::controllers {

namespace {

namespace core = api::core::v1;
using Time = sdk::WallClock::time_point;
using PodPtr = std::shared_ptr<const core::Pod>;

constexpr const char* kDeletionCost = "controller.kubernetes.io/pod-deletion-cost";

// Pending (and any phase Kubernetes does not list) 0, Unknown 1, Running 2.
int phase_ordinal(const std::string& phase) { return phase == "Running" ? 2 : phase == "Unknown" ? 1 : 0; }

// The annotation as an int32; absent or malformed counts as 0.
std::int32_t deletion_cost(const core::Pod& pod) {
  auto it = pod.metadata().annotations().find(kDeletionCost);
  if (it == pod.metadata().annotations().end()) return 0;
  std::string_view text = it->second;
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  std::int32_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && !text.empty() ? value : 0;
}

// A time that cannot be read counts as Go's zero time.
std::optional<Time> time_of(const std::string& text) { return text.empty() ? std::nullopt : sdk::parse_rfc3339(text); }

std::optional<Time> ready_since(const core::Pod& pod) {
  for (const auto& c : pod.status().conditions())
    if (c.type() == "Ready" && c.status() == "True") return time_of(c.last_transition_time());
  return std::nullopt;
}

int max_restarts(const core::Pod& pod) {
  int most = 0;
  for (const auto& c : pod.status().container_statuses()) most = std::max(most, c.restart_count());
  return most;
}

// Go's int64(math.Log2(float64(d))) of the age in nanoseconds; -1 for no age.
std::int64_t log_age(Time t, Time now) {
  auto age = std::chrono::duration_cast<std::chrono::nanoseconds>(now - t).count();
  return age > 0 ? static_cast<std::int64_t>(std::log2(static_cast<double>(age))) : -1;
}

// What the rules read of one pod, read once: sorting compares each pod ~log2(n) times, and
// parsing its times and annotations on each comparison made the sort most of a scale-down.
struct Rank {
  const core::Pod* pod;
  bool unassigned;
  int phase;
  bool ready;
  std::int32_t cost;
  int colocated;
  std::optional<Time> ready_since;
  std::int64_t ready_log_age;
  int restarts;
  std::optional<Time> created;
  std::int64_t created_log_age;
};

Rank rank_of(const RankedPod& ranked, Time now) {
  const core::Pod& pod = *ranked.pod;
  Rank r{&pod, pod.spec().node_name().empty(), phase_ordinal(pod.status().phase()), is_ready(pod), deletion_cost(pod),
         ranked.colocated, ready_since(pod), -1, max_restarts(pod), time_of(pod.metadata().creation_timestamp()), -1};
  if (r.ready_since) r.ready_log_age = log_age(*r.ready_since, now);
  if (r.created) r.created_log_age = log_age(*r.created, now);
  return r;
}

// Kubernetes' afterOrZero on a logarithmic scale: a missing time first, then the newer;
// the same power of two of age is a tie broken by UID.
bool newer_first(bool has_a, std::int64_t log_age_a, bool has_b, std::int64_t log_age_b, const Rank& a, const Rank& b) {
  if (!has_a || !has_b) return !has_a;
  if (log_age_a == log_age_b) return a.pod->metadata().uid() < b.pod->metadata().uid();
  return log_age_a < log_age_b;
}

bool delete_before(const Rank& a, const Rank& b) {
  if (a.unassigned != b.unassigned) return a.unassigned;
  if (a.phase != b.phase) return a.phase < b.phase;
  if (a.ready != b.ready) return !a.ready;
  if (a.cost != b.cost) return a.cost < b.cost;
  if (a.colocated != b.colocated) return a.colocated > b.colocated;
  if (a.ready && b.ready && a.ready_since != b.ready_since)
    return newer_first(a.ready_since.has_value(), a.ready_log_age, b.ready_since.has_value(), b.ready_log_age, a, b);
  if (a.restarts != b.restarts) return a.restarts > b.restarts;
  if (a.created != b.created)
    return newer_first(a.created.has_value(), a.created_log_age, b.created.has_value(), b.created_log_age, a, b);
  return false;
}

}  // namespace

bool delete_before(const RankedPod& a, const RankedPod& b, Time now) { return delete_before(rank_of(a, now), rank_of(b, now)); }

std::vector<PodPtr> pods_to_delete(const std::vector<PodPtr>& pods, const std::vector<PodPtr>& related, int count, Time now) {
  std::unordered_map<std::string_view, int> on_node;
  for (const auto& pod : related)
    if (is_active(*pod)) ++on_node[pod->spec().node_name()];
  std::vector<std::pair<Rank, const PodPtr*>> ranked;
  ranked.reserve(pods.size());
  for (const auto& pod : pods) {
    auto colocated = on_node.find(pod->spec().node_name());
    ranked.push_back({rank_of({pod.get(), colocated == on_node.end() ? 0 : colocated->second}, now), &pod});
  }
  std::stable_sort(ranked.begin(), ranked.end(), [](const auto& x, const auto& y) { return delete_before(x.first, y.first); });
  std::vector<PodPtr> out;
  for (int i = 0; i < count && i < static_cast<int>(ranked.size()); ++i) out.push_back(*ranked[i].second);
  return out;
}

}  // namespace skiff::controllers
