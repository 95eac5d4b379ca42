// The built-in filters, with the reasons Kubernetes' scheduler gives.
#include <algorithm>
#include <map>

#include "compiled_selectors.hpp"
#include "matching.hpp"
#include "skiff/sdk/scheduling/framework.hpp"
#include "skiff/sdk/selector.hpp"
#include "stages.hpp"

namespace skiff::sdk::scheduling {
namespace {

namespace core = api::core::v1;

class NodeUnschedulable final : public Filter {
 public:
  bool parallel_safe() const override { return true; }
  std::string_view name() const override { return "NodeUnschedulable"; }
  void filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& reasons) const override {
    if (!node.unschedulable()) return;
    core::Taint cordon;  // a pod that tolerates this taint may still go on a cordoned node
    cordon.set_key("node.kubernetes.io/unschedulable");
    cordon.set_effect("NoSchedule");
    if (!tolerates_any(pod.pod->spec().tolerations(), cordon)) reasons.emplace_back("node(s) were unschedulable");
  }
};

class NodeResourcesFit final : public Filter {
 public:
  bool parallel_safe() const override { return true; }
  std::string_view name() const override { return "NodeResourcesFit"; }
  void filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& reasons) const override {
    const Resources& have = node.allocatable();
    const Resources& used = node.requested();
    const Resources& want = pod.requests;
    if (used.pods + 1 > have.pods) reasons.emplace_back("Too many pods");
    if (want.milli_cpu > 0 && used.milli_cpu + want.milli_cpu > have.milli_cpu) reasons.emplace_back("Insufficient cpu");
    if (want.memory > 0 && used.memory + want.memory > have.memory) reasons.emplace_back("Insufficient memory");
  }
};

class NodeAffinityFilter final : public Filter {
 public:
  std::string_view name() const override { return "NodeAffinity"; }
  bool parallel_safe() const override { return true; }
  void prepare(const PodInfo& pod, const ClusterView&) override { wanted_ = CompiledNodeRequirements::compile(*pod.pod); }
  void filter(const PodInfo&, const NodeInfo& node, std::vector<std::string>& reasons) const override {
    if (wanted_.applies() && !wanted_.matches(node)) reasons.emplace_back("node(s) didn't match Pod's node affinity/selector");
  }

 private:
  CompiledNodeRequirements wanted_;
};

class TaintTolerationFilter final : public Filter {
 public:
  bool parallel_safe() const override { return true; }
  std::string_view name() const override { return "TaintToleration"; }
  void filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& reasons) const override {
    for (const auto* taint : node.hard_taints()) {
      if (tolerates_any(pod.pod->spec().tolerations(), *taint)) continue;
      reasons.push_back("node(s) had untolerated taint {" + taint->key() + ": " + taint->value() + "}");
      return;  // Kubernetes names the first one
    }
  }
};

class NodePorts final : public Filter {
 public:
  bool parallel_safe() const override { return true; }
  std::string_view name() const override { return "NodePorts"; }
  void filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& reasons) const override {
    for (const auto& wanted : pod.host_ports)
      for (const auto& used : node.used_ports())
        if (wanted.clashes_with(used)) {
          reasons.emplace_back("node(s) didn't have free ports for the requested pod ports");
          return;
        }
  }
};

// Required anti-affinity with topologyKey kubernetes.io/hostname, both ways: the pod must not
// land next to pods it repels, nor next to pods that repel it.
class InterPodAntiAffinity final : public Filter {
 public:
  bool parallel_safe() const override { return true; }
  std::string_view name() const override { return "InterPodAffinity"; }
  void prepare(const PodInfo& pod, const ClusterView&) override {
    repels_ = hostname_terms(*pod.pod);
  }
  void filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& reasons) const override {
    const auto& ns = pod.pod->metadata().namespace_();
    if (!repels_.empty())
      for (const auto& other : node.pods())
        for (const auto& term : repels_)
          if (term.applies_to(*other->pod, ns)) {
            reasons.emplace_back("node(s) didn't match pod anti-affinity rules");
            return;
          }
    for (const auto& other : node.pods_with_required_anti_affinity()) {
      const auto& other_pod = *other->pod;
      for (const auto& term : hostname_terms(other_pod))
        if (term.applies_to(*pod.pod, other_pod.metadata().namespace_())) {
          reasons.emplace_back("node(s) didn't satisfy existing pods anti-affinity rules");
          return;
        }
    }
  }

 private:
  struct Term {
    LabelSelector selector;
    std::vector<std::string> namespaces;  // empty: the namespace of the pod that declares it
    bool applies_to(const core::Pod& candidate, const std::string& own_namespace) const {
      const auto& ns = candidate.metadata().namespace_();
      bool in_scope = namespaces.empty() ? ns == own_namespace
                                         : std::find(namespaces.begin(), namespaces.end(), ns) != namespaces.end();
      return in_scope && selector.matches(candidate.metadata().labels());
    }
  };
  static std::vector<Term> hostname_terms(const core::Pod& pod) {
    std::vector<Term> terms;
    for (const auto& t : pod.spec().affinity().pod_anti_affinity().required_during_scheduling_ignored_during_execution()) {
      if (t.topology_key() != kHostnameKey) continue;
      try {
        terms.push_back({LabelSelector::from_proto(t.label_selector()), {t.namespaces().begin(), t.namespaces().end()}});
      } catch (const std::exception&) {
        // an invalid selector was refused by the API; nothing to match
      }
    }
    return terms;
  }
  std::vector<Term> repels_;
};

// whenUnsatisfiable: DoNotSchedule on kubernetes.io/hostname: placing the pod must not make
// any node hold more than maxSkew matching pods above the least loaded eligible node.
class PodTopologySpreadFilter final : public Filter {
 public:
  bool parallel_safe() const override { return true; }
  std::string_view name() const override { return "PodTopologySpread"; }
  void prepare(const PodInfo& pod, const ClusterView& cluster) override {
    constraints_ = hostname_constraints(*pod.pod, "DoNotSchedule");
    min_counts_.clear();
    if (constraints_.empty()) return;
    auto eligible = CompiledNodeRequirements::compile(*pod.pod);
    for (const auto& c : constraints_) {
      std::int64_t least = INT64_MAX;
      for (const NodeInfo* node : cluster.nodes)
        if (eligible.matches(*node)) least = std::min(least, c.count_on(*node));
      min_counts_.push_back(least == INT64_MAX ? 0 : least);
    }
  }
  void filter(const PodInfo& pod, const NodeInfo& node, std::vector<std::string>& reasons) const override {
    for (std::size_t i = 0; i < constraints_.size(); ++i) {
      const auto& c = constraints_[i];
      std::int64_t self = c.selector.matches(pod.pod->metadata().labels()) ? 1 : 0;
      if (c.count_on(node) + self - min_counts_[i] > c.max_skew) {
        reasons.emplace_back("node(s) didn't match pod topology spread constraints");
        return;
      }
    }
  }

 private:
  std::vector<SpreadConstraint> constraints_;
  std::vector<std::int64_t> min_counts_;
};

}  // namespace

std::unique_ptr<Filter> make_filter(std::string_view name) {
  if (name == "NodeUnschedulable") return std::make_unique<NodeUnschedulable>();
  if (name == "NodeResourcesFit") return std::make_unique<NodeResourcesFit>();
  if (name == "NodeAffinity") return std::make_unique<NodeAffinityFilter>();
  if (name == "TaintToleration") return std::make_unique<TaintTolerationFilter>();
  if (name == "NodePorts") return std::make_unique<NodePorts>();
  if (name == "InterPodAffinity") return std::make_unique<InterPodAntiAffinity>();
  if (name == "PodTopologySpread") return std::make_unique<PodTopologySpreadFilter>();
  return nullptr;
}

std::vector<std::string> filter_names() {
  // Kubernetes' order: cheap and decisive checks first, so a node's reason is the one
  // Kubernetes would give.
  return {"NodeUnschedulable", "TaintToleration",  "NodeAffinity",     "NodePorts",
          "NodeResourcesFit",  "InterPodAffinity", "PodTopologySpread"};
}

std::string unschedulable_message(std::size_t node_count, const std::vector<std::vector<std::string>>& reasons_per_node) {
  if (node_count == 0) return "0/0 nodes are available: no nodes available to schedule pods.";
  std::map<std::string, int> histogram;
  for (const auto& reasons : reasons_per_node)
    for (const auto& reason : reasons) ++histogram[reason];
  std::vector<std::pair<std::string, int>> sorted(histogram.begin(), histogram.end());
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  std::string message = "0/" + std::to_string(node_count) + " nodes are available";
  for (std::size_t i = 0; i < sorted.size(); ++i)
    message += (i == 0 ? ": " : ", ") + std::to_string(sorted[i].second) + " " + sorted[i].first;
  return message + ".";
}

}  // namespace skiff::sdk::scheduling
