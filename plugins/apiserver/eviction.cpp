// Eviction as Kubernetes' pod eviction REST storage does it: budgets checked and decremented
// with a compare-and-swap on the budget's status, then the pod deleted.
#include "eviction.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/policy/v1/policy.pb.h"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace core = api::core::v1;
namespace policy = api::policy::v1;

// Kubernetes' MaxDisruptedPodSize: beyond it the controller is not keeping up.
constexpr int kMaxDisruptedPods = 2000;
const char* const kViolation = "Cannot evict pod as it would violate the pod's disruption budget.";

ApiError too_many_requests(const std::string& cause) {
  api::meta::v1::StatusDetails details;
  auto* c = details.add_causes();
  c->set_reason("DisruptionBudget");
  c->set_message(cause);
  return ApiError(sdk::Status{429, "TooManyRequests", kViolation}, details);
}

bool is_ready(const core::Pod& pod) {
  for (const auto& c : pod.status().conditions())
    if (c.type() == "Ready") return c.status() == "True";
  return false;
}

// Pending, finished or already terminating pods do not count against any budget.
bool budget_irrelevant(const core::Pod& pod) {
  const std::string& phase = pod.status().phase();
  return phase == "Pending" || phase == "Succeeded" || phase == "Failed" || !pod.metadata().deletion_timestamp().empty();
}

bool selects(const policy::PodDisruptionBudget& pdb, const core::Pod& pod) {
  if (!pdb.spec().has_selector()) return false;  // policy/v1: no selector, no pods; {} all of them
  return sdk::LabelSelector::from_proto(pdb.spec().selector()).matches(pod.metadata().labels());
}

std::vector<std::shared_ptr<policy::PodDisruptionBudget>> budgets_of(ApiCore& api, const core::Pod& pod) {
  const sdk::ResourceType& pdbs = sdk::resource_type_of<policy::PodDisruptionBudget>();
  ListQuery query;
  query.namespace_ = pod.metadata().namespace_();
  std::vector<std::shared_ptr<policy::PodDisruptionBudget>> out;
  for (auto& item : api.list(pdbs, query).items) {
    auto pdb = std::static_pointer_cast<policy::PodDisruptionBudget>(item);
    if (selects(*pdb, pod)) out.push_back(pdb);
  }
  return out;
}

// Takes one disruption from the budget, or throws 429 naming why it cannot.
MessagePtr take_disruption(const google::protobuf::Message& current, const std::string& pod_name) {
  auto pdb = std::make_shared<policy::PodDisruptionBudget>(static_cast<const policy::PodDisruptionBudget&>(current));
  const std::string& name = pdb->metadata().name();
  auto* status = pdb->mutable_status();
  if (status->observed_generation() < pdb->metadata().generation())
    throw too_many_requests("The disruption budget " + name + " is still being processed by the server.");
  if (status->disruptions_allowed() < 0)
    throw ApiError(sdk::Status::Forbidden("pdb disruptions allowed is negative"));
  if (status->disrupted_pods_size() > kMaxDisruptedPods)
    throw ApiError(sdk::Status::Forbidden("DisruptedPods map too big - too many evictions not confirmed by PDB controller"));
  if (status->disruptions_allowed() == 0)
    throw too_many_requests("The disruption budget " + name + " needs " + std::to_string(status->desired_healthy()) +
                            " healthy pods and has " + std::to_string(status->current_healthy()) + " currently");
  status->set_disruptions_allowed(status->disruptions_allowed() - 1);
  (*status->mutable_disrupted_pods())[pod_name] = sdk::now_rfc3339();
  return pdb;
}

// An unready pod may go without using up a disruption: always (AlwaysAllow), or while the
// budget is met (IfHealthyBudget, the default).
bool unhealthy_may_go(const policy::PodDisruptionBudget& pdb, const core::Pod& pod) {
  if (is_ready(pod)) return false;
  if (pdb.spec().unhealthy_pod_eviction_policy() == "AlwaysAllow") return true;
  const auto& s = pdb.status();
  return s.observed_generation() >= pdb.metadata().generation() && s.current_healthy() >= s.desired_healthy() &&
         s.desired_healthy() > 0;
}

// The DisruptionTarget condition tells the pod's controller (and its owner) why it went.
void mark_disruption_target(ApiCore& api, const core::Pod& pod) {
  const sdk::ResourceType& pods = sdk::resource_type_of<core::Pod>();
  try {
    api.modify(pods, pod.metadata().namespace_(), pod.metadata().name(), [](const google::protobuf::Message& current) {
      auto next = std::make_shared<core::Pod>(static_cast<const core::Pod&>(current));
      core::PodCondition* target = nullptr;
      for (auto& c : *next->mutable_status()->mutable_conditions())
        if (c.type() == "DisruptionTarget") target = &c;
      if (!target) target = next->mutable_status()->add_conditions();
      target->set_type("DisruptionTarget");
      target->set_status("True");
      target->set_reason("EvictionByEvictionAPI");
      target->set_message("Eviction API: evicting");
      target->set_last_transition_time(sdk::now_rfc3339());
      return next;
    }, "status", {});
  } catch (const ApiError& e) {
    if (e.status().code != 404) throw;
  }
}

json::value success() {
  return json::object{{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object{}}, {"status", "Success"},
                      {"code", 201}};
}

}  // namespace

DeleteOptions delete_options_from(const json::value& body) {
  DeleteOptions options;
  if (!body.is_object()) return options;
  const auto& o = body.as_object();
  if (const auto* g = o.if_contains("gracePeriodSeconds"); g && g->is_int64()) options.grace_period_seconds = g->as_int64();
  if (const auto* p = o.if_contains("propagationPolicy"); p && p->is_string())
    options.propagation_policy = std::string(p->as_string());
  if (const auto* orphan = o.if_contains("orphanDependents"); orphan && orphan->is_bool() && orphan->as_bool())
    options.propagation_policy = "Orphan";
  if (const auto* pre = o.if_contains("preconditions"); pre && pre->is_object()) {
    if (const auto* uid = pre->as_object().if_contains("uid"); uid && uid->is_string())
      options.precondition_uid = std::string(uid->as_string());
    if (const auto* rv = pre->as_object().if_contains("resourceVersion"); rv && rv->is_string())
      options.precondition_resource_version = std::string(rv->as_string());
  }
  const std::vector<std::string> policies = {"", "Background", "Foreground", "Orphan"};
  if (std::find(policies.begin(), policies.end(), options.propagation_policy) == policies.end())
    throw ApiError(sdk::Status::BadRequest("propagationPolicy \"" + options.propagation_policy +
                                           "\" is not one of Background, Foreground, Orphan"));
  return options;
}

json::value evict_pod(ApiCore& api, const std::string& ns, const std::string& name, const json::value& eviction) {
  const json::object* body = eviction.is_object() ? &eviction.as_object() : nullptr;
  if (const auto* meta = body ? body->if_contains("metadata") : nullptr; meta && meta->is_object())
    if (const auto* n = meta->as_object().if_contains("name"); n && n->is_string() && !n->as_string().empty() && n->as_string() != name)
      throw ApiError(sdk::Status::BadRequest("name in URL does not match name in Eviction object"));
  const json::value* delete_body = body ? body->if_contains("deleteOptions") : nullptr;
  DeleteOptions options = delete_body ? delete_options_from(*delete_body) : DeleteOptions{};

  const sdk::ResourceType& pods = sdk::resource_type_of<core::Pod>();
  auto pod = std::static_pointer_cast<core::Pod>(api.get(pods, ns, name));
  if (!budget_irrelevant(*pod)) {
    auto budgets = budgets_of(api, *pod);
    if (budgets.size() > 1)
      throw ApiError(sdk::Status::Internal("Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction "
                                           "subresource does not support."));
    if (budgets.size() == 1 && !unhealthy_may_go(*budgets[0], *pod))
      api.modify(sdk::resource_type_of<policy::PodDisruptionBudget>(), ns, budgets[0]->metadata().name(),
                 [&](const google::protobuf::Message& current) { return take_disruption(current, name); }, "status", {});
  }
  if (pod->status().phase() != "Succeeded" && pod->status().phase() != "Failed") mark_disruption_target(api, *pod);
  api.erase(pods, ns, name, options);
  return success();
}

}  // namespace skiff::apiserver
