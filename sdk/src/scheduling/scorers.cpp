// The built-in scorers, each giving 0..100 per node (after normalize).
#include <algorithm>

#include "compiled_selectors.hpp"
#include "matching.hpp"
#include "skiff/sdk/scheduling/framework.hpp"
#include "stages.hpp"

namespace skiff::sdk::scheduling {
namespace {

namespace core = api::core::v1;

std::int64_t fraction_score(std::int64_t part, std::int64_t whole) {
  if (whole <= 0) return 0;
  return std::clamp<std::int64_t>(part * kMaxNodeScore / whole, 0, kMaxNodeScore);
}

// Higher raw values become lower scores: the best node gets 100.
void normalize_reversed(std::vector<std::int64_t>& scores) {
  std::int64_t max = scores.empty() ? 0 : *std::max_element(scores.begin(), scores.end());
  for (auto& s : scores) s = max == 0 ? kMaxNodeScore : (max - s) * kMaxNodeScore / max;
}

void normalize_to_max(std::vector<std::int64_t>& scores) {
  std::int64_t max = scores.empty() ? 0 : *std::max_element(scores.begin(), scores.end());
  if (max == 0) return;
  for (auto& s : scores) s = s * kMaxNodeScore / max;
}

// Spreading: the emptiest node (after placing the pod) scores highest.
class LeastAllocated final : public Scorer {
 public:
  bool parallel_safe() const override { return true; }
  std::string_view name() const override { return "LeastAllocated"; }
  std::int64_t score(const PodInfo& pod, const NodeInfo& node) const override {
    const Resources& have = node.allocatable();
    Resources after = node.scoring_requested();
    after += pod.scoring_requests;
    return (fraction_score(have.milli_cpu - after.milli_cpu, have.milli_cpu) +
            fraction_score(have.memory - after.memory, have.memory)) / 2;
  }
};

// Bin packing: the fullest node that still fits scores highest.
class MostAllocated final : public Scorer {
 public:
  bool parallel_safe() const override { return true; }
  std::string_view name() const override { return "MostAllocated"; }
  std::int64_t score(const PodInfo& pod, const NodeInfo& node) const override {
    const Resources& have = node.allocatable();
    Resources after = node.scoring_requested();
    after += pod.scoring_requests;
    return (fraction_score(after.milli_cpu, have.milli_cpu) + fraction_score(after.memory, have.memory)) / 2;
  }
};

// CPU and memory used in the same proportion: leaves room for pods of any shape.
class BalancedAllocation final : public Scorer {
 public:
  bool parallel_safe() const override { return true; }
  std::string_view name() const override { return "BalancedAllocation"; }
  std::int64_t score(const PodInfo& pod, const NodeInfo& node) const override {
    const Resources& have = node.allocatable();
    if (have.milli_cpu <= 0 || have.memory <= 0) return 0;
    Resources after = node.scoring_requested();
    after += pod.scoring_requests;
    double cpu = std::min(1.0, static_cast<double>(after.milli_cpu) / static_cast<double>(have.milli_cpu));
    double memory = std::min(1.0, static_cast<double>(after.memory) / static_cast<double>(have.memory));
    double deviation = std::abs(cpu - memory) / 2;  // the standard deviation of two values
    return static_cast<std::int64_t>((1 - deviation) * kMaxNodeScore);
  }
};

class NodeAffinityScorer final : public Scorer {
 public:
  bool parallel_safe() const override { return true; }
  std::string_view name() const override { return "NodeAffinity"; }
  void prepare(const PodInfo& pod, const std::vector<const NodeInfo*>&) override {
    preferences_ = CompiledPreferences::compile(*pod.pod);
  }
  std::int64_t score(const PodInfo&, const NodeInfo& node) const override { return preferences_.score(node); }
  void normalize(std::vector<std::int64_t>& scores) const override { normalize_to_max(scores); }

 private:
  CompiledPreferences preferences_;
};

class TaintTolerationScorer final : public Scorer {
 public:
  bool parallel_safe() const override { return true; }
  std::string_view name() const override { return "TaintToleration"; }
  std::int64_t score(const PodInfo& pod, const NodeInfo& node) const override {
    std::int64_t intolerable = 0;
    for (const auto* taint : node.soft_taints())
      if (!tolerates_any(pod.pod->spec().tolerations(), *taint)) ++intolerable;
    return intolerable;
  }
  void normalize(std::vector<std::int64_t>& scores) const override { normalize_reversed(scores); }
};

// Fewer matching pods on a node score higher: by the pod's ScheduleAnyway constraints on
// kubernetes.io/hostname, else by its siblings (pods of the same controller), as Kubernetes'
// default spreading does.
class PodTopologySpreadScorer final : public Scorer {
 public:
  bool parallel_safe() const override { return true; }
  std::string_view name() const override { return "PodTopologySpread"; }
  void prepare(const PodInfo& pod, const std::vector<const NodeInfo*>&) override {
    constraints_ = hostname_constraints(*pod.pod, "ScheduleAnyway");
    owner_uid_ = pod.owner_uid;
  }
  std::int64_t score(const PodInfo&, const NodeInfo& node) const override {
    std::int64_t total = 0;
    if (!constraints_.empty()) {
      for (const auto& c : constraints_) total += c.count_on(node);
      return total;
    }
    if (owner_uid_.empty()) return 0;
    for (const auto& other : node.pods()) total += other->owner_uid == owner_uid_;
    return total;
  }
  void normalize(std::vector<std::int64_t>& scores) const override { normalize_reversed(scores); }

 private:
  std::vector<SpreadConstraint> constraints_;
  std::string owner_uid_;
};

// Packing by owner: the nodes already running most pods of the pod's controller (the same
// controller ownerReference uid) score highest, so that a ReplicaSet's pods share few nodes and
// a scale-down (to zero, or of the newest pods) is more likely to leave nodes empty.
// Terminating siblings do not count: they are leaving.
class OwnerColocation final : public Scorer {
 public:
  bool parallel_safe() const override { return true; }
  std::string_view name() const override { return "OwnerColocation"; }
  std::int64_t score(const PodInfo& pod, const NodeInfo& node) const override {
    if (pod.owner_uid.empty()) return 0;
    std::int64_t siblings = 0;
    for (const auto& other : node.pods())
      siblings += other->owner_uid == pod.owner_uid && other->pod->metadata().deletion_timestamp().empty();
    return siblings;
  }
  void normalize(std::vector<std::int64_t>& scores) const override { normalize_to_max(scores); }
};

}  // namespace

std::int64_t SpreadConstraint::count_on(const NodeInfo& node) const {
  std::int64_t count = 0;
  for (const auto& other : node.pods())
    if (other->pod->metadata().namespace_() == namespace_ && selector.matches(other->pod->metadata().labels())) ++count;
  return count;
}

std::vector<SpreadConstraint> hostname_constraints(const core::Pod& pod, const std::string& when_unsatisfiable) {
  std::vector<SpreadConstraint> out;
  for (const auto& c : pod.spec().topology_spread_constraints()) {
    if (c.topology_key() != kHostnameKey) continue;
    std::string mode = c.when_unsatisfiable().empty() ? "DoNotSchedule" : c.when_unsatisfiable();
    if (mode != when_unsatisfiable) continue;
    try {
      out.push_back({LabelSelector::from_proto(c.label_selector()), pod.metadata().namespace_(), std::max(1, c.max_skew())});
    } catch (const std::exception&) {
      // refused by the API's validation; nothing to count
    }
  }
  return out;
}

std::unique_ptr<Scorer> make_scorer(std::string_view name) {
  if (name == "LeastAllocated") return std::make_unique<LeastAllocated>();
  if (name == "MostAllocated") return std::make_unique<MostAllocated>();
  if (name == "BalancedAllocation") return std::make_unique<BalancedAllocation>();
  if (name == "NodeAffinity") return std::make_unique<NodeAffinityScorer>();
  if (name == "TaintToleration") return std::make_unique<TaintTolerationScorer>();
  if (name == "PodTopologySpread") return std::make_unique<PodTopologySpreadScorer>();
  if (name == "OwnerColocation") return std::make_unique<OwnerColocation>();
  return nullptr;
}

std::vector<std::pair<std::string, int>> default_scorers() {
  return {{"LeastAllocated", 1}, {"BalancedAllocation", 1}, {"NodeAffinity", 2}, {"TaintToleration", 3},
          {"PodTopologySpread", 2}};
}

std::vector<std::string> scorer_names() {
  return {"LeastAllocated",  "MostAllocated",     "BalancedAllocation", "NodeAffinity",
          "TaintToleration", "PodTopologySpread", "OwnerColocation"};
}

}  // namespace skiff::sdk::scheduling
