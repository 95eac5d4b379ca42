// The API's semantics on top of the store, shared by the HTTP API and the bus API:
// namespaces, metadata, defaulting, validation, generation, status subresources, graceful
// deletion, finalizers, cluster IPs.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <unordered_map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "open_namespaces.hpp"
#include "ip_allocator.hpp"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/core/v1/service_account.pb.h"
#include "skiff/sdk/resources.hpp"
#include "skiff/sdk/store_client.hpp"

namespace skiff::apiserver {

using MessagePtr = std::shared_ptr<google::protobuf::Message>;

struct ListQuery {
  std::string namespace_;
  std::string label_selector;
  std::string field_selector;
  std::string continue_token;
  std::int64_t limit = 0;
};

struct ListResult {
  std::vector<MessagePtr> items;
  std::string resource_version;
  std::string continue_token;
};

struct WriteOptions {
  bool dry_run = false;
  std::string field_manager;
  // The apiserver's own objects only, never a client's request: defaulted but not validated.
  // The `kubernetes` Service's endpoints list the apiserver's advertised address, which may be
  // 127.0.0.1 — an address Kubernetes' rules refuse in an EndpointSlice.
  bool unvalidated = false;
  // Records field ownership (metadata.managedFields) once the object is defaulted: `old` is
  // nullptr for a create. Unset, managedFields stay as they are (field_tracking.hpp).
  std::function<void(const google::protobuf::Message* old, google::protobuf::Message& next)> track_fields;
  // The caller's own admission after validation (the HTTP API's RBAC escalation check); throws to refuse.
  std::function<void(const google::protobuf::Message& object)> admit = nullptr;
};

struct DeleteOptions {
  std::optional<std::int64_t> grace_period_seconds;
  std::string propagation_policy;  // Background (default), Foreground, Orphan
  std::string precondition_uid;
  std::string precondition_resource_version;
};

// What a delete did: the object is gone, or it is being deleted (graceful or finalizers).
struct DeleteResult {
  MessagePtr object;
  bool gone = false;
};

// Kinds whose status only changes through their /status subresource.
bool has_status_subresource(const sdk::ResourceType& type);

class ApiCore {
 public:
  ApiCore(sdk::StoreClient& store, IpAllocator& cluster_ips, PortAllocator& node_ports, spdlog::logger& log);

  MessagePtr get(const sdk::ResourceType& type, const std::string& ns, const std::string& name);
  ListResult list(const sdk::ResourceType& type, const ListQuery& query);
  // The same, a store page at a time, so a list of 100,000 objects never sits in memory
  // whole: `page` gets each page's objects and the list's resourceVersion. Returns the
  // continue token (only with a limit).
  std::string list_pages(const sdk::ResourceType& type, const ListQuery& query,
                         const std::function<void(std::vector<MessagePtr>& items, const std::string& resource_version)>& page);
  MessagePtr create(const sdk::ResourceType& type, const std::string& ns, MessagePtr object, const WriteOptions& options);
  // Many objects of one type and namespace in one store round trip (a controller's burst);
  // each gets its own status and, when created, the stored object.
  struct Created {
    sdk::Status status{201, "", ""};
    MessagePtr object;
  };
  std::vector<Created> create_many(const sdk::ResourceType& type, const std::string& ns, std::vector<MessagePtr> objects);
  // PUT: the object replaces the stored one (compare-and-swap when it carries a resourceVersion).
  // subresource "status" changes only the status; "" everything but the status.
  MessagePtr update(const sdk::ResourceType& type, const std::string& ns, const std::string& name, MessagePtr object,
                    const std::string& subresource, const WriteOptions& options);
  // Reads, lets `change` build the new object, writes; retried when someone else wrote meanwhile.
  MessagePtr modify(const sdk::ResourceType& type, const std::string& ns, const std::string& name,
                    const std::function<MessagePtr(const google::protobuf::Message& current)>& change,
                    const std::string& subresource, const WriteOptions& options);
  DeleteResult erase(const sdk::ResourceType& type, const std::string& ns, const std::string& name,
                     const DeleteOptions& options, bool dry_run = false);
  // pods/binding: assigns the pod to a node once (409 if it already has one).
  MessagePtr bind(const std::string& ns, const std::string& pod, const std::string& node, const std::string& uid = "");
  // Many bindings with two store round trips per few hundred (a scheduler's burst); each gets
  // its own status (201, or what bind() would have thrown).
  struct Binding {
    std::string namespace_, pod, node, uid;
  };
  std::vector<sdk::Status> bind_many(const std::vector<Binding>& bindings);
  // update(..., "status") of many objects of one type: read in one round trip, written in one
  // store batch; an object written meanwhile goes the one-by-one way (status_many.cpp).
  std::vector<Created> update_status_many(const sdk::ResourceType& type, std::vector<MessagePtr> objects,
                                          const WriteOptions& options);
  // Objects per store round trip in the batched verbs (a reply must fit a bus message).
  static constexpr std::size_t kManyChunk = 200;

  // Loads the allocators from the stored Services; creates the four system namespaces.
  void bootstrap();
  // Removes the contents of namespaces being deleted, then the namespaces. Returns how many
  // namespaces are still being emptied.
  int finalize_namespaces();
  // Called after a namespace starts Terminating, so its cleanup begins at once.
  void on_namespace_terminating(std::function<void()> hook) { namespace_terminating_ = std::move(hook); }
  // Types beyond the built-in ones a deleted namespace is emptied of (the served custom resources).
  void set_extra_namespaced_types(std::function<std::vector<sdk::ResourceType>()> types) {
    extra_namespaced_types_ = std::move(types);
  }
  // The tolerationSeconds DefaultTolerationSeconds admission gives new pods (300 in Kubernetes).
  void set_default_toleration_seconds(std::int64_t seconds) { default_toleration_seconds_ = seconds; }

  sdk::StoreClient& store() { return store_; }

 private:
  MessagePtr decode(const sdk::ResourceType& type, const std::string& bytes) const;
  // ServiceAccount admission's lookup, remembered for 2 s: a controller's burst of pods asks once.
  std::optional<api::core::v1::ServiceAccount> service_account(const std::string& ns, const std::string& name);
  // Defaults, validation, name generation for a new object; true when its name was generated.
  bool prepare_create(const sdk::ResourceType& type, const std::string& ns, google::protobuf::Message& object,
                      bool validated = true);
  // An update checked and defaulted, not yet written: what write_update (one) and bind_many
  // (a batch) then send to the store.
  struct PlannedWrite {
    enum Action { None, Update, Erase } action = None;
    store::v1::ObjectKey key;
    std::int64_t expected_revision = 0;
    MessagePtr object;  // what the object will be (None: as it is)
  };
  static MessagePtr with_status_of(const google::protobuf::Message& current, const google::protobuf::Message& next);
  static void check_expected_version(const sdk::ResourceType& type, const std::string& name, const std::string& expected,
                                     const google::protobuf::Message& current);
  PlannedWrite plan_update(const sdk::ResourceType& type, const google::protobuf::Message& old, MessagePtr next,
                           const WriteOptions& options);
  MessagePtr write_update(const sdk::ResourceType& type, const google::protobuf::Message& old, MessagePtr next,
                          const WriteOptions& options);
  void check_namespace_open(const std::string& ns);
  void allocate_service(google::protobuf::Message& service, const google::protobuf::Message* old);
  void allocate_health_check_node_port(api::core::v1::ServiceSpec& spec, const api::core::v1::Service* old);
  void release_service(const google::protobuf::Message& service);
  static void drop_type_dependent_fields(const api::core::v1::Service& old, api::core::v1::Service& next);
  void release_dropped_node_ports(const google::protobuf::Message& old, const google::protobuf::Message& updated);

  sdk::StoreClient& store_;
  IpAllocator& cluster_ips_;
  PortAllocator& node_ports_;
  spdlog::logger& log_;
  std::function<void()> namespace_terminating_;
  std::function<std::vector<sdk::ResourceType>()> extra_namespaced_types_;
  std::int64_t default_toleration_seconds_ = 300;
  struct KnownAccount {
    std::optional<api::core::v1::ServiceAccount> account;
    std::chrono::steady_clock::time_point until;
  };
  std::mutex service_accounts_mutex_;
  std::unordered_map<std::string, KnownAccount> service_accounts_;
  OpenNamespaces open_namespaces_;
};

}  // namespace skiff::apiserver
