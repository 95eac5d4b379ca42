// The rules of Kubernetes' ActivePodsWithRanks.Less, one function per rule.
#include "pod_ranking.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
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

// Kubernetes' afterOrZero on a logarithmic scale: a missing time first, then the newer;
// the same power of two of age is a tie broken by UID.
bool newer_first(std::optional<Time> a, std::optional<Time> b, const core::Pod& pa, const core::Pod& pb, Time now) {
  if (!a || !b) return !a;
  std::int64_t diff = log_age(*a, now) - log_age(*b, now);
  if (diff == 0) return pa.metadata().uid() < pb.metadata().uid();
  return diff < 0;
}

}  // namespace

bool delete_before(const RankedPod& ra, const RankedPod& rb, Time now) {
  const core::Pod& a = *ra.pod;
  const core::Pod& b = *rb.pod;
  const std::string &node_a = a.spec().node_name(), &node_b = b.spec().node_name();
  if (node_a != node_b && (node_a.empty() || node_b.empty())) return node_a.empty();
  int phase_a = phase_ordinal(a.status().phase()), phase_b = phase_ordinal(b.status().phase());
  if (phase_a != phase_b) return phase_a < phase_b;
  bool ready_a = is_ready(a), ready_b = is_ready(b);
  if (ready_a != ready_b) return !ready_a;
  if (deletion_cost(a) != deletion_cost(b)) return deletion_cost(a) < deletion_cost(b);
  if (ra.colocated != rb.colocated) return ra.colocated > rb.colocated;
  if (ready_a && ready_b) {
    auto since_a = ready_since(a), since_b = ready_since(b);
    if (since_a != since_b) return newer_first(since_a, since_b, a, b, now);
  }
  if (max_restarts(a) != max_restarts(b)) return max_restarts(a) > max_restarts(b);
  auto created_a = time_of(a.metadata().creation_timestamp()), created_b = time_of(b.metadata().creation_timestamp());
  if (created_a != created_b) return newer_first(created_a, created_b, a, b, now);
  return false;
}

std::vector<PodPtr> pods_to_delete(const std::vector<PodPtr>& pods, const std::vector<PodPtr>& related, int count, Time now) {
  std::map<std::string, int> on_node;
  for (const auto& pod : related)
    if (is_active(*pod)) ++on_node[pod->spec().node_name()];
  std::vector<std::pair<RankedPod, PodPtr>> ranked;
  for (const auto& pod : pods) ranked.push_back({{pod.get(), on_node[pod->spec().node_name()]}, pod});
  std::stable_sort(ranked.begin(), ranked.end(),
                   [&](const auto& x, const auto& y) { return delete_before(x.first, y.first, now); });
  std::vector<PodPtr> out;
  for (int i = 0; i < count && i < static_cast<int>(ranked.size()); ++i) out.push_back(ranked[i].second);
  return out;
}

}  // namespace skiff::controllers
