// Create, update, delete with Kubernetes' rules; the store only ever sees finished objects.
#include "api_core.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <iterator>
#include <set>
#include <map>
#include <random>

#include "api_error.hpp"
#include "defaults.hpp"
#include "ephemeral_validation.hpp"
#include "ingress_class_admission.hpp"
#include "storage_admission.hpp"
#include "same_bytes.hpp"
#include "service_account_admission.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/networking/v1/networking.pb.h"
#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/storage/v1/storage.pb.h"
#include "skiff/sdk/object_bytes.hpp"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/qos.hpp"
#include "skiff/sdk/time.hpp"
#include "validation.hpp"

namespace skiff::apiserver {
namespace {

namespace pb = google::protobuf;
namespace core = api::core::v1;
using sdk::meta_of;
using sdk::mutable_meta_of;

constexpr int kConflictRetries = 8;
constexpr std::int64_t kStorePage = 1000;

const pb::FieldDescriptor* field_named(const pb::Message& m, const char* name) {
  return m.GetDescriptor()->FindFieldByName(name);
}

void copy_field(const pb::Message& from, pb::Message& to, const char* name) {
  const pb::FieldDescriptor* field = field_named(to, name);
  if (!field) return;
  const pb::Reflection* r = to.GetReflection();
  if (from.GetReflection()->HasField(from, field))
    r->MutableMessage(&to, field)->CopyFrom(from.GetReflection()->GetMessage(from, field));
  else
    r->ClearField(&to, field);
}

bool spec_changed(const pb::Message& old, const pb::Message& next) {
  const pb::FieldDescriptor* spec = field_named(next, "spec");
  if (!spec) return false;
  return !same_bytes(old.GetReflection()->GetMessage(old, spec), next.GetReflection()->GetMessage(next, spec));
}

// What bumps metadata.generation: the spec; for an EndpointSlice, which has none, anything
// outside its metadata, or its labels (Kubernetes' endpointSliceStrategy).
bool generation_changes(const sdk::ResourceType& type, const pb::Message& old, const pb::Message& next) {
  if (type.kind != "EndpointSlice") return spec_changed(old, next);
  std::unique_ptr<pb::Message> a(old.New()), b(next.New());
  a->CopyFrom(old);
  b->CopyFrom(next);
  mutable_meta_of(*a)->Clear();
  mutable_meta_of(*b)->Clear();
  const auto& before = meta_of(old).labels();
  const auto& after = meta_of(next).labels();
  bool same_labels = std::map<std::string, std::string>(before.begin(), before.end()) ==
                     std::map<std::string, std::string>(after.begin(), after.end());
  return !same_labels || !pb::util::MessageDifferencer::Equals(*a, *b);
}

// Equal apart from resourceVersion: nothing to write.
// `next` is `old` but for its resourceVersion (which it gets back unchanged).
bool same_object(const pb::Message& old, pb::Message& next) {
  auto* meta = mutable_meta_of(next);
  std::string version = std::move(*meta->mutable_resource_version());
  meta->set_resource_version(meta_of(old).resource_version());
  bool same = same_bytes(old, next);
  meta->set_resource_version(std::move(version));
  return same;
}

std::string random_suffix() {
  // The alphabet Kubernetes uses for generateName (no vowels, no look-alikes).
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  thread_local std::mt19937 rng{std::random_device{}()};
  std::string suffix(5, 'x');
  for (char& c : suffix) c = kAlphabet[rng() % (sizeof kAlphabet - 1)];
  return suffix;
}

// Status as Kubernetes starts it on create.
void initial_status(const sdk::ResourceType& type, pb::Message& object) {
  if (type.kind == "Pod") {
    auto& pod = static_cast<core::Pod&>(object);
    pod.clear_status();
    pod.mutable_status()->set_phase("Pending");
    pod.mutable_status()->set_qos_class(sdk::qos_class(pod.spec()));
  } else if (type.kind == "Namespace") {
    auto& ns = static_cast<core::Namespace&>(object);
    ns.mutable_status()->set_phase("Active");
    // Set on create only: removing it is how an emptied namespace is let go.
    if (ns.spec().finalizers().empty()) ns.mutable_spec()->add_finalizers("kubernetes");
  } else if (type.kind == "Node") {
    // The kubelet registers its node with its status.
  } else if (type.kind == "PersistentVolume" || type.kind == "PersistentVolumeClaim") {
    // Pending until the volume controller binds it, as Kubernetes' strategies start both.
    if (const auto* status = field_named(object, "status")) object.GetReflection()->ClearField(&object, status);
    if (type.kind == "PersistentVolume") {
      auto* status = static_cast<core::PersistentVolume&>(object).mutable_status();
      status->set_phase("Pending");
      status->set_last_phase_transition_time(sdk::now_rfc3339());
    } else {
      static_cast<core::PersistentVolumeClaim&>(object).mutable_status()->set_phase("Pending");
    }
  } else if (has_status_subresource(type)) {
    if (const auto* status = field_named(object, "status")) object.GetReflection()->ClearField(&object, status);
  }
}

// The API's own Service, the one that may have the service CIDR's first address.
bool is_kubernetes_service(const core::Service& service) {
  return service.metadata().namespace_() == "default" && service.metadata().name() == "kubernetes";
}

}  // namespace

// Kinds whose status only changes through their /status subresource.
bool has_status_subresource(const sdk::ResourceType& type) {
  return type.kind == "Pod" || type.kind == "Node" || type.kind == "Deployment" || type.kind == "ReplicaSet" ||
         type.kind == "DaemonSet" || type.kind == "StatefulSet" ||
         type.kind == "Job" || type.kind == "CronJob" ||
         type.kind == "Service" || type.kind == "Namespace" || type.kind == "Ingress" ||
         type.kind == "PersistentVolume" || type.kind == "PersistentVolumeClaim" || type.kind == "PodDisruptionBudget" ||
         type.kind == "HorizontalPodAutoscaler";
}

ApiCore::ApiCore(sdk::StoreClient& store, IpAllocator& cluster_ips, PortAllocator& node_ports, spdlog::logger& log)
    : store_(store), cluster_ips_(cluster_ips), node_ports_(node_ports), log_(log) {}

MessagePtr ApiCore::decode(const sdk::ResourceType& type, const std::string& bytes) const {
  MessagePtr object(type.new_object().release());
  if (!object->ParseFromString(bytes)) throw ApiError(sdk::Status::Internal("a stored " + type.kind + " does not decode"));
  return object;
}

MessagePtr ApiCore::get(const sdk::ResourceType& type, const std::string& ns, const std::string& name) {
  try {
    return decode(type, store_.get(sdk::object_key(type, ns, name)).object());
  } catch (const ApiError&) {
    throw;
  } catch (const sdk::Error& e) {
    if (e.status().code == 404) throw not_found(type, name);
    throw from_store(e, type, name);
  }
}

std::string ApiCore::list_pages(
    const sdk::ResourceType& type, const ListQuery& query,
    const std::function<void(std::vector<MessagePtr>& items, const std::string& resource_version)>& page) {
  store::v1::ListRequest request;
  request.set_resource(type.resource());
  request.set_namespace_(type.namespaced ? query.namespace_ : "");
  request.set_label_selector(query.label_selector);
  request.set_field_selector(query.field_selector);
  request.set_continue_(query.continue_token);
  // A client that asks for everything still gets it, but from the store in pages: one reply
  // of 100,000 pods would not fit in a bus message.
  bool everything = query.limit <= 0;
  request.set_limit(everything ? kStorePage : query.limit);
  std::string resource_version;
  std::vector<MessagePtr> items;
  do {
    store::v1::ListResponse response = store_.list(request);
    if (resource_version.empty()) resource_version = std::to_string(response.revision());
    items.clear();
    items.reserve(response.objects_size());
    for (const auto& bytes : response.objects()) items.push_back(decode(type, bytes));
    request.set_continue_(response.continue_());
    page(items, resource_version);
  } while (everything && !request.continue_().empty());
  return request.continue_();
}

ListResult ApiCore::list(const sdk::ResourceType& type, const ListQuery& query) {
  ListResult result;
  result.continue_token = list_pages(type, query, [&](std::vector<MessagePtr>& items, const std::string& resource_version) {
    result.resource_version = resource_version;
    std::move(items.begin(), items.end(), std::back_inserter(result.items));
  });
  return result;
}

void ApiCore::check_namespace_open(const std::string& ns) {
  if (open_namespaces_.known_open(ns)) return;
  const sdk::ResourceType& namespaces = *sdk::find_resource("namespaces");
  MessagePtr object;
  try {
    object = get(namespaces, "", ns);
  } catch (const ApiError& e) {
    if (e.status().code == 404) throw not_found(namespaces, ns);
    throw;
  }
  if (!meta_of(*object).deletion_timestamp().empty())
    throw ApiError(sdk::Status::Forbidden("unable to create new content in namespace " + ns +
                                          " because it is being terminated"));
  open_namespaces_.remember(ns);
}

void ApiCore::allocate_service(pb::Message& object, const pb::Message* old_object) {
  auto& svc = static_cast<core::Service&>(object);
  const auto* old = static_cast<const core::Service*>(old_object);
  auto* spec = svc.mutable_spec();
  if (spec->type() == "ExternalName") {
    spec->clear_cluster_ip();
    spec->clear_cluster_ips();
  } else if (old && !old->spec().cluster_ip().empty() && (spec->cluster_ip().empty() || spec->cluster_ip() == old->spec().cluster_ip())) {
    spec->set_cluster_ip(old->spec().cluster_ip());
    spec->clear_cluster_ips();
    spec->add_cluster_ips(old->spec().cluster_ip());
  } else if (spec->cluster_ip() == "None") {
    spec->clear_cluster_ips();
    spec->add_cluster_ips("None");
  } else {
    std::string ip = cluster_ips_.allocate(spec->cluster_ip(), is_kubernetes_service(svc));
    spec->set_cluster_ip(ip);
    spec->clear_cluster_ips();
    spec->add_cluster_ips(ip);
  }
  bool wants_node_ports = spec->type() == "NodePort" || spec->type() == "LoadBalancer";
  for (auto& port : *spec->mutable_ports()) {
    if (!wants_node_ports) {
      port.clear_node_port();
      continue;
    }
    int kept = 0;
    if (old)
      for (const auto& before : old->spec().ports())
        if (before.port() == port.port() && before.protocol() == port.protocol()) kept = before.node_port();
    if (port.node_port() == 0 && kept != 0) port.set_node_port(kept);
    else if (port.node_port() != kept || port.node_port() == 0) port.set_node_port(node_ports_.allocate(port.node_port()));
  }
  allocate_health_check_node_port(*spec, old);
}

// Kubernetes gives a LoadBalancer with externalTrafficPolicy Local a healthCheckNodePort from the
// node port range (kept across updates; the proxies answer it with their local endpoint count);
// other Services have none.
void ApiCore::allocate_health_check_node_port(core::ServiceSpec& spec, const core::Service* old) {
  if (spec.type() != "LoadBalancer" || spec.external_traffic_policy() != "Local") {
    spec.clear_health_check_node_port();
    return;
  }
  int kept = old ? old->spec().health_check_node_port() : 0;
  int asked = spec.health_check_node_port();
  if (asked == 0 && kept != 0) spec.set_health_check_node_port(kept);
  else if (asked == 0 || asked != kept) spec.set_health_check_node_port(node_ports_.allocate(asked));
}

namespace {

bool needs_node_ports(const core::ServiceSpec& spec) { return spec.type() == "NodePort" || spec.type() == "LoadBalancer"; }

std::set<int> node_ports_of(const core::Service& service) {
  std::set<int> ports;
  for (const auto& port : service.spec().ports())
    if (port.node_port()) ports.insert(port.node_port());
  return ports;
}

}  // namespace

// Kubernetes' dropTypeDependentFields: a Service leaving NodePort/LoadBalancer loses the node
// ports (and health-check node port) it had, unless the update itself adds new ones — so that
// `kubectl patch … type=ClusterIP` is not refused for fields the client never set.
void ApiCore::drop_type_dependent_fields(const core::Service& old, core::Service& next) {
  if (!needs_node_ports(old.spec()) || needs_node_ports(next.spec())) return;
  std::set<int> before = node_ports_of(old), after = node_ports_of(next);
  if (std::includes(before.begin(), before.end(), after.begin(), after.end()))
    for (auto& port : *next.mutable_spec()->mutable_ports()) port.clear_node_port();
  bool wanted_health_check = old.spec().type() == "LoadBalancer" && old.spec().external_traffic_policy() == "Local";
  if (wanted_health_check && next.spec().health_check_node_port() == old.spec().health_check_node_port())
    next.mutable_spec()->clear_health_check_node_port();
}

// Node ports the old Service held and the updated one does not: back to the allocator.
void ApiCore::release_dropped_node_ports(const pb::Message& old, const pb::Message& updated) {
  std::set<int> kept = node_ports_of(static_cast<const core::Service&>(updated));
  for (int port : node_ports_of(static_cast<const core::Service&>(old)))
    if (!kept.count(port)) node_ports_.release(port);
  int health_before = static_cast<const core::Service&>(old).spec().health_check_node_port();
  if (health_before && health_before != static_cast<const core::Service&>(updated).spec().health_check_node_port())
    node_ports_.release(health_before);
}

void ApiCore::release_service(const pb::Message& object) {
  const auto& svc = static_cast<const core::Service&>(object);
  cluster_ips_.release(svc.spec().cluster_ip(), is_kubernetes_service(svc));
  for (const auto& port : svc.spec().ports())
    if (port.node_port()) node_ports_.release(port.node_port());
  if (svc.spec().health_check_node_port()) node_ports_.release(svc.spec().health_check_node_port());
}

std::optional<core::ServiceAccount> ApiCore::service_account(const std::string& ns, const std::string& name) {
  constexpr auto kFreshFor = std::chrono::seconds(2);
  std::string key = ns + "/" + name;
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(service_accounts_mutex_);
    if (auto hit = service_accounts_.find(key); hit != service_accounts_.end() && hit->second.until > now)
      return hit->second.account;
  }
  std::optional<core::ServiceAccount> found;
  try {
    found = static_cast<const core::ServiceAccount&>(*get(*sdk::find_resource("serviceaccounts"), ns, name));
  } catch (const ApiError& e) {
    if (e.status().code != 404) throw;
  }
  std::lock_guard lock(service_accounts_mutex_);
  if (service_accounts_.size() > 10000) service_accounts_.clear();
  if (found) service_accounts_[key] = {found, now + kFreshFor};  // a missing one is asked again next time
  return found;
}

bool ApiCore::prepare_create(const sdk::ResourceType& type, const std::string& ns, pb::Message& object, bool validated) {
  auto* meta = mutable_meta_of(object);
  if (type.namespaced) {
    if (meta->namespace_().empty()) meta->set_namespace_(ns);
    else if (meta->namespace_() != ns)
      throw ApiError(sdk::Status::BadRequest("the namespace of the provided object does not match the namespace sent "
                                             "on the request"));
  } else {
    meta->clear_namespace_();
  }
  // Admission runs before the name is generated, as in Kubernetes' create handler.
  if (type.kind == "Ingress") admit_default_ingress_class(static_cast<api::networking::v1::Ingress&>(object), [&] {
    std::vector<api::networking::v1::IngressClass> classes;
    for (const auto& c : list(*sdk::find_resource("ingressclasses.networking.k8s.io"), {}).items)
      classes.push_back(static_cast<const api::networking::v1::IngressClass&>(*c));
    return classes;
  });
  if (type.kind == "PersistentVolumeClaim")
    admit_default_storage_class(static_cast<core::PersistentVolumeClaim&>(object), [&] {
      std::vector<api::storage::v1::StorageClass> classes;
      for (const auto& c : list(*sdk::find_resource("storageclasses.storage.k8s.io"), {}).items)
        classes.push_back(static_cast<const api::storage::v1::StorageClass&>(*c));
      return classes;
    });
  add_protection_finalizer(type.kind, *meta);
  bool generated = meta->name().empty() && !meta->generate_name().empty();
  if (generated) meta->set_name(meta->generate_name() + random_suffix());
  // A Job's uid is chosen here, as Kubernetes' API server does, because its generated
  // selector names it; every other kind's is the store's.
  if (type.kind == "Job") meta->set_uid(sdk::new_uid());
  else meta->clear_uid();
  meta->clear_resource_version();
  meta->clear_deletion_timestamp();
  meta->clear_deletion_grace_period_seconds();
  meta->set_creation_timestamp(sdk::now_rfc3339());
  meta->set_generation(1);
  initial_status(type, object);
  apply_defaults(object);
  if (object.GetDescriptor() == api::core::v1::Pod::descriptor()) {
    admit_pod(static_cast<api::core::v1::Pod&>(object), default_toleration_seconds_);
    admit_service_account(static_cast<api::core::v1::Pod&>(object),
                          [this](const std::string& ns, const std::string& name) { return service_account(ns, name); });
  }
  if (validated) validate(type, object, nullptr);
  return generated;
}

MessagePtr ApiCore::create(const sdk::ResourceType& type, const std::string& ns, MessagePtr object,
                           const WriteOptions& options) {
  if (type.namespaced) check_namespace_open(ns);
  bool generated = prepare_create(type, ns, *object, !options.unvalidated);
  if (options.track_fields) options.track_fields(nullptr, *object);
  if (options.admit) options.admit(*object);
  auto* meta = mutable_meta_of(*object);
  if (type.kind == "Service") allocate_service(*object, nullptr);
  if (options.dry_run) return object;

  for (int attempt = 0;; ++attempt) {
    try {
      auto written =
          store_.create(sdk::object_key(type, meta->namespace_(), meta->name()), object->SerializeAsString(), meta->uid());
      return decode(type, written.object());
    } catch (const sdk::Error& e) {
      if (generated && e.status().code == 409 && attempt < 5) {
        meta->set_name(meta->generate_name() + random_suffix());
        continue;
      }
      if (type.kind == "Service") release_service(*object);
      throw from_store(e, type, meta->name());
    }
  }
}

std::vector<ApiCore::Created> ApiCore::create_many(const sdk::ResourceType& type, const std::string& ns,
                                                   std::vector<MessagePtr> objects) {
  std::vector<Created> results(objects.size());
  auto fail = [&](std::size_t i, const sdk::Error& e) { results[i].status = e.status(); };
  // Services allocate cluster IPs one by one; everything else goes to the store in one batch.
  bool one_by_one = type.kind == "Service";
  try {
    if (type.namespaced) check_namespace_open(ns);
  } catch (const sdk::Error& e) {
    for (std::size_t i = 0; i < objects.size(); ++i) fail(i, e);
    return results;
  }
  std::vector<store::v1::TxnRequest> writes;
  std::vector<std::size_t> written;
  std::vector<bool> generated(objects.size(), false);
  for (std::size_t i = 0; i < objects.size(); ++i) {
    try {
      if (one_by_one) {
        results[i].object = create(type, ns, objects[i], {});
        continue;
      }
      generated[i] = prepare_create(type, ns, *objects[i]);
      const auto& meta = meta_of(*objects[i]);
      auto* create = writes.emplace_back().add_operations()->mutable_create();
      *create->mutable_key() = sdk::object_key(type, meta.namespace_(), meta.name());
      create->set_object(objects[i]->SerializeAsString());
      create->set_uid(meta.uid());
      written.push_back(i);
    } catch (const sdk::Error& e) {
      fail(i, e);
    }
  }
  if (writes.empty()) return results;
  auto outcome = store_.batch(std::move(writes));
  for (std::size_t w = 0; w < written.size(); ++w) {
    const auto& r = outcome.results(static_cast<int>(w));
    std::size_t i = written[w];
    if (r.code() >= 200 && r.code() < 300) {
      results[i].object = decode(type, r.response().results(0).object());
      continue;
    }
    if (r.code() == 409 && generated[i]) {  // a generated name that was taken: another one
      try {
        mutable_meta_of(*objects[i])->clear_name();
        results[i].object = create(type, ns, objects[i], {});
      } catch (const sdk::Error& e) {
        fail(i, e);
      }
      continue;
    }
    fail(i, from_store(sdk::Error(sdk::Status{r.code(), r.reason(), r.message()}), type, meta_of(*objects[i]).name()));
  }
  return results;
}

ApiCore::PlannedWrite ApiCore::plan_update(const sdk::ResourceType& type, const pb::Message& old, MessagePtr next,
                                          const WriteOptions& options) {
  const auto& before = meta_of(old);
  auto* meta = mutable_meta_of(*next);
  // What clients may not change, whatever they send.
  meta->set_uid(before.uid());
  meta->set_creation_timestamp(before.creation_timestamp());
  meta->set_deletion_timestamp(before.deletion_timestamp());
  if (before.has_deletion_grace_period_seconds())
    meta->set_deletion_grace_period_seconds(before.deletion_grace_period_seconds());
  else
    meta->clear_deletion_grace_period_seconds();
  meta->set_generation(before.generation());
  // A client that leaves managedFields out leaves them as they are, as in Kubernetes.
  if (meta->managed_fields().empty()) *meta->mutable_managed_fields() = before.managed_fields();
  apply_defaults(*next);
  if (type.kind == "Service")
    drop_type_dependent_fields(static_cast<const core::Service&>(old), static_cast<core::Service&>(*next));
  if (options.track_fields) options.track_fields(&old, *next);
  if (!options.unvalidated) validate(type, *next, &old);
  if (options.admit) options.admit(*next);
  if (generation_changes(type, old, *next)) meta->set_generation(before.generation() + 1);
  if (type.kind == "Service") allocate_service(*next, &old);
  PlannedWrite plan;
  plan.key = sdk::object_key(type, meta->namespace_(), meta->name());
  plan.expected_revision = std::stoll(before.resource_version());
  if (same_object(old, *next)) {  // nothing changed: no write, no new resourceVersion
    plan.object = MessagePtr(old.New());
    plan.object->CopyFrom(old);
    return plan;
  }
  plan.object = std::move(next);
  if (options.dry_run) return plan;
  // The last finalizer of an object being deleted is gone: delete it for real.
  bool erase = !meta->deletion_timestamp().empty() && meta->finalizers().empty() &&
               !(type.kind == "Namespace" && !static_cast<core::Namespace&>(*plan.object).spec().finalizers().empty());
  plan.action = erase ? PlannedWrite::Erase : PlannedWrite::Update;
  return plan;
}

MessagePtr ApiCore::write_update(const sdk::ResourceType& type, const pb::Message& old, MessagePtr next,
                                 const WriteOptions& options) {
  PlannedWrite plan = plan_update(type, old, std::move(next), options);
  switch (plan.action) {
    case PlannedWrite::None:
      return plan.object;
    case PlannedWrite::Erase: {
      auto erased = store_.erase(plan.key, plan.expected_revision);
      if (type.kind == "Service") release_service(old);
      return decode(type, erased.object());
    }
    case PlannedWrite::Update:
      break;
  }
  auto updated = decode(type, store_.update(plan.key, plan.object->SerializeAsString(), plan.expected_revision).object());
  if (type.kind == "Service") release_dropped_node_ports(old, *updated);
  return updated;
}

MessagePtr ApiCore::update(const sdk::ResourceType& type, const std::string& ns, const std::string& name,
                           MessagePtr object, const std::string& subresource, const WriteOptions& options) {
  auto* meta = mutable_meta_of(*object);
  if (meta->name().empty()) meta->set_name(name);
  if (meta->name() != name)
    throw ApiError(sdk::Status::BadRequest("the name of the object (" + meta->name() +
                                           ") does not match the name on the URL (" + name + ")"));
  if (type.namespaced) {
    if (meta->namespace_().empty()) meta->set_namespace_(ns);
    else if (meta->namespace_() != ns)
      throw ApiError(sdk::Status::BadRequest("the namespace of the provided object does not match the namespace sent "
                                             "on the request"));
  }
  std::string expected = meta->resource_version();
  return modify(type, ns, name, [&](const pb::Message& current) -> MessagePtr {
    check_expected_version(type, name, expected, current);
    MessagePtr next(object->New());
    next->CopyFrom(*object);
    mutable_meta_of(*next)->set_resource_version(meta_of(current).resource_version());
    return next;
  }, subresource, options);
}

// Only the status changes; everything else stays as stored. A status apply records its
// ownership in `next`.
MessagePtr ApiCore::with_status_of(const pb::Message& current, const pb::Message& next) {
  MessagePtr merged(current.New());
  merged->CopyFrom(current);
  copy_field(next, *merged, "status");
  *mutable_meta_of(*merged)->mutable_managed_fields() = meta_of(next).managed_fields();
  return merged;
}

void ApiCore::check_expected_version(const sdk::ResourceType& type, const std::string& name, const std::string& expected,
                                     const pb::Message& current) {
  if (!expected.empty() && expected != meta_of(current).resource_version())
    throw ApiError(sdk::Status::Conflict("Operation cannot be fulfilled on " + type.resource() + " " + quoted(name) +
                                         ": the object has been modified; please apply your changes to the latest "
                                         "version and try again"));
}

MessagePtr ApiCore::modify(const sdk::ResourceType& type, const std::string& ns, const std::string& name,
                           const std::function<MessagePtr(const pb::Message& current)>& change,
                           const std::string& subresource, const WriteOptions& options) {
  for (int attempt = 0;; ++attempt) {
    MessagePtr current = get(type, ns, name);
    MessagePtr next = change(*current);
    if (subresource == "binding") {
      // spec.nodeName and the PodScheduled condition: both come from `change`.
    } else if (subresource == "ephemeralcontainers") {
      // Only spec.ephemeralContainers changes (validation checks they were only added).
      next = std::make_shared<core::Pod>(with_ephemeral_containers_of(static_cast<const core::Pod&>(*current),
                                                                      static_cast<const core::Pod&>(*next)));
    } else if (subresource == "status") {
      next = with_status_of(*current, *next);
    } else if (has_status_subresource(type)) {
      copy_field(*current, *next, "status");
      if (type.kind == "Pod") refuse_ephemeral_change(type, static_cast<const core::Pod&>(*current), static_cast<const core::Pod&>(*next));
    }
    try {
      return write_update(type, *current, next, options);
    } catch (const ApiError&) {
      throw;
    } catch (const sdk::Error& e) {
      if (e.status().code == 409 && attempt < kConflictRetries) continue;  // someone wrote meanwhile: redo
      if (e.status().code == 404) throw not_found(type, name);
      throw from_store(e, type, name);
    }
  }
}

DeleteResult ApiCore::erase(const sdk::ResourceType& type, const std::string& ns, const std::string& name,
                            const DeleteOptions& options, bool dry_run) {
  if (type.kind == "Namespace" && !dry_run) open_namespaces_.forget(name);
  for (int attempt = 0;; ++attempt) {
    MessagePtr current = get(type, ns, name);
    const auto& meta = meta_of(*current);
    if (!options.precondition_uid.empty() && options.precondition_uid != meta.uid())
      throw ApiError(sdk::Status::Conflict("Precondition failed: UID in precondition: " + options.precondition_uid +
                                           ", UID in object meta: " + meta.uid()));
    if (!options.precondition_resource_version.empty() && options.precondition_resource_version != meta.resource_version())
      throw ApiError(sdk::Status::Conflict("Precondition failed: ResourceVersion in precondition: " +
                                           options.precondition_resource_version +
                                           ", ResourceVersion in object meta: " + meta.resource_version()));
    std::int64_t revision = std::stoll(meta.resource_version());
    auto key = sdk::object_key(type, meta.namespace_(), meta.name());
    MessagePtr next(current->New());
    next->CopyFrom(*current);
    auto* next_meta = mutable_meta_of(*next);
    bool write_back = false;

    if (type.kind == "Pod") {
      const auto& pod = static_cast<const core::Pod&>(*current);
      std::int64_t grace = options.grace_period_seconds.value_or(
          pod.spec().has_termination_grace_period_seconds() ? pod.spec().termination_grace_period_seconds() : 30);
      bool terminal = pod.status().phase() == "Succeeded" || pod.status().phase() == "Failed";
      if (pod.spec().node_name().empty() || terminal || grace < 0) grace = 0;
      // A scheduled pod is deleted gracefully: its kubelet stops it, then removes the object.
      if (grace > 0) {
        if (!meta.deletion_timestamp().empty() && meta.deletion_grace_period_seconds() <= grace)
          return {current, false};
        next_meta->set_deletion_timestamp(sdk::format_rfc3339(sdk::WallClock::now() + std::chrono::seconds(grace)));
        next_meta->set_deletion_grace_period_seconds(grace);
        write_back = true;
      }
    }
    if (!write_back) {
      if (meta.deletion_timestamp().empty()) {
        if (options.propagation_policy == "Foreground" || options.propagation_policy == "Orphan") {
          std::string finalizer = options.propagation_policy == "Foreground" ? "foregroundDeletion" : "orphan";
          if (std::find(meta.finalizers().begin(), meta.finalizers().end(), finalizer) == meta.finalizers().end())
            next_meta->add_finalizers(finalizer);
        }
      }
      bool namespace_busy = type.kind == "Namespace" && !static_cast<const core::Namespace&>(*next).spec().finalizers().empty();
      if (!next_meta->finalizers().empty() || namespace_busy) {
        if (!meta.deletion_timestamp().empty() && next_meta->finalizers_size() == meta.finalizers_size())
          return {current, false};  // already being deleted
        if (next_meta->deletion_timestamp().empty()) next_meta->set_deletion_timestamp(sdk::now_rfc3339());
        next_meta->set_deletion_grace_period_seconds(0);
        if (type.kind == "Namespace") static_cast<core::Namespace&>(*next).mutable_status()->set_phase("Terminating");
        write_back = true;
      }
    }
    if (dry_run) return {write_back ? next : current, !write_back};
    try {
      if (write_back) {
        auto written = decode(type, store_.update(key, next->SerializeAsString(), revision).object());
        if (type.kind == "Namespace" && namespace_terminating_) namespace_terminating_();
        return {std::move(written), false};
      }
      auto erased = store_.erase(key, revision);
      if (type.kind == "Service") release_service(*current);
      return {decode(type, erased.object()), true};
    } catch (const sdk::Error& e) {
      if (e.status().code == 409 && attempt < kConflictRetries) continue;
      if (e.status().code == 404) throw not_found(type, name);
      throw from_store(e, type, name);
    }
  }
}

namespace {

// The pod with spec.nodeName set and PodScheduled=True, or ApiError 409 when it cannot be bound.
MessagePtr bound_pod(const core::Pod& pod, const std::string& node, const std::string& uid) {
  const std::string& name = pod.metadata().name();
  if (!uid.empty() && uid != pod.metadata().uid())
    throw ApiError(sdk::Status::Conflict("Operation cannot be fulfilled on pods/binding " + quoted(name) +
                                         ": the uid does not match (the pod was replaced)"));
  if (!pod.spec().node_name().empty())
    throw ApiError(sdk::Status::Conflict("Operation cannot be fulfilled on pods/binding " + quoted(name) + ": pod " +
                                         name + " is already assigned to node " + quoted(pod.spec().node_name())));
  if (!pod.metadata().deletion_timestamp().empty())
    throw ApiError(sdk::Status::Conflict("Operation cannot be fulfilled on pods/binding " + quoted(name) + ": pod " +
                                         name + " is being deleted"));
  auto next = std::make_shared<core::Pod>(pod);
  next->mutable_spec()->set_node_name(node);
  // The binding also records the scheduling, as the real API server does.
  auto* conditions = next->mutable_status()->mutable_conditions();
  core::PodCondition* scheduled = nullptr;
  for (auto& c : *conditions)
    if (c.type() == "PodScheduled") scheduled = &c;
  if (!scheduled) {
    scheduled = conditions->Add();
    scheduled->set_type("PodScheduled");
  }
  scheduled->set_status("True");
  scheduled->set_reason("");
  scheduled->set_message("");
  scheduled->set_last_transition_time(sdk::now_rfc3339());
  return next;
}

void require_node(const sdk::ResourceType& pods, const std::string& pod, const std::string& node) {
  if (!node.empty()) return;
  FieldErrors errors;
  errors.required("target.name");
  errors.throw_if_any(pods, pod);
}


}  // namespace

MessagePtr ApiCore::bind(const std::string& ns, const std::string& pod_name, const std::string& node,
                         const std::string& uid) {
  const sdk::ResourceType& pods = *sdk::find_resource("pods");
  require_node(pods, pod_name, node);
  return modify(pods, ns, pod_name, [&](const pb::Message& current) -> MessagePtr {
    return bound_pod(static_cast<const core::Pod&>(current), node, uid);
  }, "binding", {});
}

std::vector<sdk::Status> ApiCore::bind_many(const std::vector<Binding>& bindings) {
  const sdk::ResourceType& pods = *sdk::find_resource("pods");
  std::vector<sdk::Status> results(bindings.size());
  auto status_of = [&](const auto& call) {
    try {
      call();
      return sdk::Status{201, "", ""};
    } catch (const sdk::Error& e) {
      return e.status();
    }
  };
  for (std::size_t first = 0; first < bindings.size(); first += kManyChunk) {
    std::size_t last = std::min(bindings.size(), first + kManyChunk);
    std::vector<store::v1::ObjectKey> keys;
    for (std::size_t i = first; i < last; ++i) keys.push_back(sdk::object_key(pods, bindings[i].namespace_, bindings[i].pod));
    auto current = store_.get_many(keys);
    // Plan every binding against what was read, then write them all in one batch.
    std::vector<store::v1::TxnRequest> writes;
    std::vector<std::size_t> written;
    for (std::size_t i = first; i < last; ++i) {
      const Binding& b = bindings[i];
      results[i] = status_of([&] {
        require_node(pods, b.pod, b.node);
        const auto& stored = current.results(static_cast<int>(i - first));
        if (stored.revision() == 0) throw not_found(pods, b.pod);
        MessagePtr pod = decode(pods, stored.object());
        PlannedWrite plan = plan_update(pods, *pod, bound_pod(static_cast<const core::Pod&>(*pod), b.node, b.uid), {});
        if (plan.action != PlannedWrite::Update) return;
        auto* update = writes.emplace_back().add_operations()->mutable_update();
        *update->mutable_key() = plan.key;
        update->set_object(plan.object->SerializeAsString());
        update->set_expected_revision(plan.expected_revision);
        written.push_back(i);
      });
    }
    if (writes.empty()) continue;
    auto outcome = store_.batch(std::move(writes));
    for (std::size_t w = 0; w < written.size(); ++w) {
      const auto& r = outcome.results(static_cast<int>(w));
      std::size_t i = written[w];
      if (r.code() >= 200 && r.code() < 300) continue;
      // Written meanwhile (a status update, say): the one-by-one path reads again and retries.
      if (r.code() == 409) results[i] = status_of([&] { bind(bindings[i].namespace_, bindings[i].pod, bindings[i].node, bindings[i].uid); });
      else results[i] = from_store(sdk::Error(sdk::Status{r.code(), r.reason(), r.message()}), pods, bindings[i].pod).status();
    }
  }
  return results;
}

void ApiCore::bootstrap() {
  const sdk::ResourceType& namespaces = *sdk::find_resource("namespaces");
  for (const char* name : {"default", "kube-system", "kube-public", "kube-node-lease"}) {
    auto ns = std::make_shared<core::Namespace>();
    ns->mutable_metadata()->set_name(name);
    try {
      create(namespaces, "", ns, {});
      log_.info("created namespace {}", name);
    } catch (const sdk::Error& e) {
      if (e.status().code != 409) throw;
    }
  }
  ListResult services = list(*sdk::find_resource("services"), {});
  for (const auto& object : services.items) {
    const auto& svc = static_cast<const core::Service&>(*object);
    cluster_ips_.mark_used(svc.spec().cluster_ip(), is_kubernetes_service(svc));
    for (const auto& port : svc.spec().ports())
      if (port.node_port()) node_ports_.mark_used(port.node_port());
    if (svc.spec().health_check_node_port()) node_ports_.mark_used(svc.spec().health_check_node_port());
  }
}

int ApiCore::finalize_namespaces() {
  const sdk::ResourceType& namespaces = *sdk::find_resource("namespaces");
  int busy = 0;
  for (const auto& object : list(namespaces, {}).items) {
    const auto& ns = static_cast<const core::Namespace&>(*object);
    if (ns.metadata().deletion_timestamp().empty()) continue;
    int left = 0;
    std::vector<sdk::ResourceType> types = sdk::resource_types();
    if (extra_namespaced_types_) {
      auto extra = extra_namespaced_types_();
      types.insert(types.end(), extra.begin(), extra.end());
    }
    for (const auto& type : types) {
      if (!type.namespaced) continue;
      ListQuery query;
      query.namespace_ = ns.metadata().name();
      for (const auto& item : list(type, query).items) {
        ++left;
        if (!meta_of(*item).deletion_timestamp().empty()) continue;
        try {
          erase(type, ns.metadata().name(), meta_of(*item).name(), {});
        } catch (const sdk::Error& e) {
          if (e.status().code != 404) log_.warn("emptying namespace {}: {}", ns.metadata().name(), e.what());
        }
      }
    }
    if (left > 0) {
      ++busy;
      continue;
    }
    // Empty: drop our finalizer; the namespace goes with it.
    try {
      modify(namespaces, "", ns.metadata().name(), [](const pb::Message& current) {
        MessagePtr next(current.New());
        next->CopyFrom(current);
        static_cast<core::Namespace&>(*next).mutable_spec()->clear_finalizers();
        return next;
      }, "", {});
      log_.info("namespace {} emptied and removed", ns.metadata().name());
    } catch (const sdk::Error& e) {
      if (e.status().code != 404) log_.warn("removing namespace {}: {}", ns.metadata().name(), e.what());
    }
  }
  return busy;
}

}  // namespace skiff::apiserver
