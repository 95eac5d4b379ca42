// The disruption controller's informer wiring and status writes; the arithmetic is in disruption_budget.
#include "disruption_controller.hpp"

#include <google/protobuf/util/message_differencer.h>
#include <spdlog/logger.h>

#include "disruption_budget.hpp"
#include "pod_state.hpp"
#include "skiff/api/policy/v1/policy.pb.h"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/selector.hpp"

namespace skiff::controllers {
namespace {

namespace policy = api::policy::v1;
namespace pb = google::protobuf;

// spec.replicas of any workload (Deployment, ReplicaSet, StatefulSet): 1 when unset.
int replicas_of(const pb::Message& workload) {
  const auto* spec_field = workload.GetDescriptor()->FindFieldByName("spec");
  if (!spec_field) return 0;
  const pb::Message& spec = workload.GetReflection()->GetMessage(workload, spec_field);
  const auto* replicas = spec.GetDescriptor()->FindFieldByName("replicas");
  if (!replicas || replicas->cpp_type() != pb::FieldDescriptor::CPPTYPE_INT32) return 0;
  if (!spec.GetReflection()->HasField(spec, replicas)) return 1;
  return spec.GetReflection()->GetInt32(spec, replicas);
}

std::string group_of(const std::string& api_version) {
  auto slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

}  // namespace

sdk::SharedInformer& DisruptionController::budgets() {
  return context_.informers.of(sdk::resource_type_of<policy::PodDisruptionBudget>());
}

void DisruptionController::register_handlers() {
  auto queue = [this](const sdk::ObjectPtr& o) { enqueue(key_of(*o)); };
  sdk::EventHandlers handlers;
  handlers.on_add = queue;
  handlers.on_update = [queue](const sdk::ObjectPtr&, const sdk::ObjectPtr& o) { queue(o); };
  handlers.on_delete = queue;
  budgets().add_handlers(std::move(handlers));
  context_.informers.pods().add_handlers(
      [this](const auto& p) { enqueue_budgets_of(*p); },
      [this](const auto& old, const auto& p) {
        enqueue_budgets_of(*old);
        enqueue_budgets_of(*p);
      },
      [this](const auto& p) { enqueue_budgets_of(*p); });
  // The scale sources: created now, as informers are, before they start.
  context_.informers.replica_sets();
  context_.informers.deployments();
  context_.informers.stateful_sets();
}

std::vector<std::string> DisruptionController::initial_keys() {
  std::vector<std::string> keys;
  for (const auto& pdb : budgets().list()) keys.push_back(key_of(*pdb));
  return keys;
}

void DisruptionController::enqueue_budgets_of(const core::Pod& pod) {
  for (const auto& o : budgets().by_index(sdk::kNamespaceIndex, pod.metadata().namespace_()))
    if (budget_selects(static_cast<const policy::PodDisruptionBudget&>(*o), pod)) enqueue(key_of(*o));
}

std::optional<ControllerScale> DisruptionController::scale_of(const std::string& ns,
                                                              const api::meta::v1::OwnerReference& controller) {
  const auto* type = sdk::find_resource_by_kind(group_of(controller.api_version()), controller.kind());
  if (!type || (controller.kind() != "ReplicaSet" && controller.kind() != "Deployment" && controller.kind() != "StatefulSet"))
    return std::nullopt;
  auto object = context_.informers.of(*type).get(ns, controller.name());
  if (!object || sdk::meta_of(*object).uid() != controller.uid()) return std::nullopt;
  // A Deployment's ReplicaSets share its scale: the Deployment counts, once.
  if (controller.kind() == "ReplicaSet")
    if (const auto* owner = controller_of(sdk::meta_of(*object)); owner && owner->kind() == "Deployment")
      if (auto deployment = scale_of(ns, *owner)) return deployment;
  return ControllerScale{controller.uid(), replicas_of(*object)};
}

bool DisruptionController::sync(const std::string& key) {
  auto [ns, name] = split_key(key);
  auto object = budgets().get(ns, name);
  if (!object) return true;
  const auto& pdb = static_cast<const policy::PodDisruptionBudget&>(*object);
  std::vector<std::shared_ptr<const core::Pod>> pods;
  for (const auto& pod : context_.informers.pods().by_index(sdk::kNamespaceIndex, ns))
    if (budget_selects(pdb, *pod)) pods.push_back(pod);
  if (pods.empty() && pdb.status().expected_pods() != 0)
    events_.record(pdb, "Normal", "NoPods", "No matching pods found");
  BudgetVerdict verdict = compute_budget(
      pdb, pods, [this](const std::string& n, const auto& ref) { return scale_of(n, ref); }, std::chrono::system_clock::now());
  if (verdict.unmanaged_pods > 0 && (pdb.spec().has_max_unavailable() || pdb.spec().min_available().type() == 1) &&
      pdb.status().observed_generation() != pdb.metadata().generation())
    events_.record(pdb, "Warning", "UnmanagedPods",
                   "Pods selected by this PodDisruptionBudget (selector: " +
                       sdk::LabelSelector::from_proto(pdb.spec().selector()).to_string() +
                       ") were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, "
                       "which may result in undefined behavior. To account for these pods please set \".spec.minAvailable\" "
                       "field of the PDB to an integer value.");
  if (!verdict.failure.empty()) events_.record(pdb, "Warning", "CalculateExpectedPodCountFailed", verdict.failure);
  if (verdict.recheck_in) enqueue_after(key, *verdict.recheck_in);
  if (pb::util::MessageDifferencer::Equals(verdict.status, pdb.status())) return true;
  policy::PodDisruptionBudget next = pdb;
  *next.mutable_status() = verdict.status;
  try {
    context_.api.update(next, "status");  // with the cached resourceVersion: an eviction meanwhile wins
  } catch (const sdk::Error& e) {
    if (e.status().code == 409 || e.status().code == 404) return e.status().code == 404;  // retried on the newer one
    throw;
  }
  return true;
}

}  // namespace skiff::controllers
