// The informer: list + watch with resume, a local indexed cache and event handlers — the
// client-go pattern every controller, scheduler, kubelet and proxy builds on.
//
// It subscribes to the store's watch subject first, then lists; each watch batch carries the
// revision of the resource's previous event, so a gap is noticed and filled from the store's
// history, or — when that history is compacted — by listing again. After a bus reconnect it
// catches up the same way. Handlers run on the informer's own thread, in revision order.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/resources.hpp"
#include "skiff/sdk/subjects.hpp"
#include "skiff/store/v1/store.pb.h"

namespace spdlog {
class logger;
}

namespace skiff::sdk {

using ObjectPtr = std::shared_ptr<const google::protobuf::Message>;

struct ListOptions {
  std::string namespace_;  // "": all namespaces
  std::string label_selector;
  std::string field_selector;
};

// Where an informer lists from and catches up from (the store itself, or the API server).
class ObjectSource {
 public:
  virtual ~ObjectSource() = default;
  virtual store::v1::ListResponse list(const ResourceType& type, const ListOptions& options,
                                       const std::string& continue_token, std::int64_t limit) = 0;
  // Throws Error(410) when the history no longer reaches back to `since`.
  virtual store::v1::HistoryResponse history(const ResourceType& type, std::int64_t since) = 0;
};

// Lists and catches up straight from the store service (the API server itself uses this).
std::shared_ptr<ObjectSource> store_source(Bus& bus, const Subjects& subjects);
// Lists and catches up through the API server's bus API (skiff.<c>.api.list/history): what
// every other component uses.
std::shared_ptr<ObjectSource> api_source(Bus& bus, const Subjects& subjects);

struct EventHandlers {
  std::function<void(const ObjectPtr& object)> on_add;
  std::function<void(const ObjectPtr& old_object, const ObjectPtr& new_object)> on_update;
  std::function<void(const ObjectPtr& object)> on_delete;
};

// Values an object is indexed under.
using IndexFunction = std::function<std::vector<std::string>(const google::protobuf::Message& object)>;
inline constexpr std::string_view kNamespaceIndex = "namespace";
IndexFunction index_by_field(std::string json_path);  // e.g. "spec.nodeName"
IndexFunction index_by_label(std::string key);
// "<namespace>/<label value>": EndpointSlices by their Service (kubernetes.io/service-name).
IndexFunction index_by_namespaced_label(std::string key);

struct InformerOptions {
  ListOptions list;
  std::chrono::milliseconds resync_period{0};  // re-deliver every object as an update; 0: never
  std::int64_t page_size = 500;
  std::chrono::milliseconds retry_delay{500};  // after a failed list or catch-up
  // Applied to every object as it is decoded, before it is cached or handed to handlers
  // (client-go's SetTransform): a consumer that reads a few fields of many objects keeps only
  // those. It must keep the metadata (name, namespace, labels the list selects on).
  std::function<void(google::protobuf::Message&)> transform;
};

// "namespace/name", or "name" for cluster-scoped objects.
std::string object_cache_key(const google::protobuf::Message& object);

class SharedInformer {
 public:
  SharedInformer(Bus& bus, const Subjects& subjects, const ResourceType& type, std::shared_ptr<ObjectSource> source,
                 InformerOptions options = {}, spdlog::logger* log = nullptr);
  ~SharedInformer();
  SharedInformer(const SharedInformer&) = delete;
  SharedInformer& operator=(const SharedInformer&) = delete;

  // Before start().
  void add_handlers(EventHandlers handlers);
  void add_index(std::string name, IndexFunction index);

  void start();
  void stop();
  bool has_synced() const;
  bool wait_for_sync(std::chrono::milliseconds timeout) const;

  // Reads of the cache, from any thread.
  ObjectPtr get(std::string_view namespace_, std::string_view name) const;
  std::vector<ObjectPtr> list() const;
  std::vector<ObjectPtr> by_index(std::string_view index, std::string_view value) const;
  std::size_t size() const;
  std::int64_t revision() const;  // the last revision applied
  std::uint64_t relists() const;  // lists after the first one (gaps that history could not fill)
  const ResourceType& type() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The typed face of a SharedInformer: Informer<api::core::v1::Pod>.
template <class T>
class Informer {
 public:
  using Ptr = std::shared_ptr<const T>;

  Informer(Bus& bus, const Subjects& subjects, std::shared_ptr<ObjectSource> source, InformerOptions options = {},
           spdlog::logger* log = nullptr)
      : shared_(bus, subjects, resource_type_of<T>(), std::move(source), std::move(options), log) {}

  void add_handlers(std::function<void(const Ptr&)> on_add, std::function<void(const Ptr&, const Ptr&)> on_update,
                    std::function<void(const Ptr&)> on_delete) {
    EventHandlers handlers;
    if (on_add) handlers.on_add = [on_add](const ObjectPtr& o) { on_add(cast(o)); };
    if (on_update) handlers.on_update = [on_update](const ObjectPtr& a, const ObjectPtr& b) { on_update(cast(a), cast(b)); };
    if (on_delete) handlers.on_delete = [on_delete](const ObjectPtr& o) { on_delete(cast(o)); };
    shared_.add_handlers(std::move(handlers));
  }
  void add_index(std::string name, IndexFunction index) { shared_.add_index(std::move(name), std::move(index)); }
  void start() { shared_.start(); }
  void stop() { shared_.stop(); }
  bool wait_for_sync(std::chrono::milliseconds timeout) const { return shared_.wait_for_sync(timeout); }
  bool has_synced() const { return shared_.has_synced(); }

  Ptr get(std::string_view namespace_, std::string_view name) const { return cast(shared_.get(namespace_, name)); }
  std::vector<Ptr> list() const { return cast_all(shared_.list()); }
  std::vector<Ptr> by_index(std::string_view index, std::string_view value) const {
    return cast_all(shared_.by_index(index, value));
  }
  std::size_t size() const { return shared_.size(); }
  std::int64_t revision() const { return shared_.revision(); }
  std::uint64_t relists() const { return shared_.relists(); }
  SharedInformer& shared() { return shared_; }

 private:
  static Ptr cast(const ObjectPtr& object) { return std::static_pointer_cast<const T>(object); }
  static std::vector<Ptr> cast_all(const std::vector<ObjectPtr>& objects) {
    std::vector<Ptr> out;
    out.reserve(objects.size());
    for (const auto& o : objects) out.push_back(cast(o));
    return out;
  }
  SharedInformer shared_;
};

}  // namespace skiff::sdk
