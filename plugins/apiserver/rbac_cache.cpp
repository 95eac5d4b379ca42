// Watch-driven reloads of the RBAC snapshot, and the aggregation controller on each snapshot.
#include "rbac_cache.hpp"

#include <google/protobuf/util/message_differencer.h>

#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/selector.hpp"

namespace skiff::apiserver {
namespace {

constexpr const char* kKinds[] = {"roles.rbac.authorization.k8s.io", "clusterroles.rbac.authorization.k8s.io",
                                  "rolebindings.rbac.authorization.k8s.io",
                                  "clusterrolebindings.rbac.authorization.k8s.io"};

template <class T>
std::vector<T> all_of(ApiCore& api, const char* resource) {
  std::vector<T> out;
  for (const auto& item : api.list(*sdk::find_resource(resource), {}).items) out.push_back(static_cast<const T&>(*item));
  return out;
}

bool same_rules(const google::protobuf::RepeatedPtrField<rbac::PolicyRule>& a, const std::vector<rbac::PolicyRule>& b) {
  if (a.size() != static_cast<int>(b.size())) return false;
  for (int i = 0; i < a.size(); ++i)
    if (!google::protobuf::util::MessageDifferencer::Equals(a[i], b[i])) return false;
  return true;
}

}  // namespace

std::shared_ptr<RbacPolicy> load_rbac_policy(ApiCore& api) {
  auto policy = std::make_shared<RbacPolicy>();
  for (auto& role : all_of<rbac::Role>(api, kKinds[0]))
    policy->roles[role.metadata().namespace_() + "/" + role.metadata().name()] = std::move(role);
  for (auto& role : all_of<rbac::ClusterRole>(api, kKinds[1])) policy->cluster_roles[role.metadata().name()] = std::move(role);
  for (auto& binding : all_of<rbac::RoleBinding>(api, kKinds[2]))
    policy->role_bindings[binding.metadata().namespace_()].push_back(std::move(binding));
  policy->cluster_role_bindings = all_of<rbac::ClusterRoleBinding>(api, kKinds[3]);
  return policy;
}

std::optional<std::vector<rbac::PolicyRule>> aggregated_rules(const RbacPolicy& policy, const rbac::ClusterRole& role) {
  if (!role.has_aggregation_rule()) return std::nullopt;
  std::vector<sdk::LabelSelector> selectors;
  for (const auto& s : role.aggregation_rule().cluster_role_selectors()) {
    try {
      selectors.push_back(sdk::LabelSelector::from_proto(s));
    } catch (const sdk::Error&) {
      // Validation refuses bad selectors; one stored earlier selects nothing.
    }
  }
  std::vector<rbac::PolicyRule> rules;
  for (const auto& [name, other] : policy.cluster_roles) {  // std::map: name order
    if (name == role.metadata().name()) continue;
    bool selected = false;
    for (const auto& s : selectors) selected = selected || s.matches(other.metadata().labels());
    if (!selected) continue;
    for (const auto& rule : other.rules()) {
      bool seen = false;
      for (const auto& r : rules) seen = seen || google::protobuf::util::MessageDifferencer::Equals(r, rule);
      if (!seen) rules.push_back(rule);
    }
  }
  return rules;
}

RbacCache::RbacCache(sdk::Bus& bus, const sdk::Subjects& subjects, ApiCore& api, RbacAuthorizer& authorizer,
                     spdlog::logger& log)
    : bus_(bus), subjects_(subjects), api_(api), authorizer_(authorizer), log_(log) {}

RbacCache::~RbacCache() { stop(); }

void RbacCache::start() {
  for (const char* resource : kKinds) {
    const sdk::ResourceType& type = *sdk::find_resource(resource);
    watches_.push_back(bus_.subscribe(subjects_.watch(type.group, type.kind), [this](const sdk::Message&) { wake(); }));
  }
  refresh();
  thread_ = std::thread([this] { run(); });
}

void RbacCache::stop() {
  watches_.clear();
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void RbacCache::wake() {
  {
    std::lock_guard lock(mutex_);
    pending_ = true;
  }
  wake_.notify_all();
}

// One pass: a fresh snapshot for the authorizer, then aggregated roles brought up to date (their
// writes come back as watch events, and the next pass sees them).
void RbacCache::refresh() {
  auto policy = load_rbac_policy(api_);
  authorizer_.set_policy(policy);
  const sdk::ResourceType& cluster_roles = *sdk::find_resource(kKinds[1]);
  for (const auto& [name, role] : policy->cluster_roles) {
    auto rules = aggregated_rules(*policy, role);
    if (!rules || same_rules(role.rules(), *rules)) continue;
    api_.modify(cluster_roles, "", name, [&](const google::protobuf::Message& current) {
      auto next = std::make_shared<rbac::ClusterRole>(static_cast<const rbac::ClusterRole&>(current));
      next->clear_rules();
      for (const auto& r : *rules) *next->add_rules() = r;
      return next;
    }, "", {});
    log_.info("aggregated ClusterRole {} now holds {} rules", name, rules->size());
  }
}

void RbacCache::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, kResync, [&] { return stopping_ || pending_; });
    if (stopping_) break;
    pending_ = false;
    lock.unlock();
    try {
      refresh();
    } catch (const std::exception& e) {
      log_.warn("RBAC policy reload: {} (tried again within {} s)", e.what(), kResync.count());
    }
    lock.lock();
  }
}

}  // namespace skiff::apiserver
