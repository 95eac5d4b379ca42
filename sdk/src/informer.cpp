// One worker thread per informer: it owns the cache writes and calls the handlers, so the
// handlers see changes one at a time, in revision order.
#include "skiff/sdk/informer.hpp"

#include <google/protobuf/message.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <thread>
#include <unordered_map>

#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/apiserver/v1/api.pb.h"
#include "skiff/sdk/bus_proto.hpp"
#include "skiff/sdk/object_bytes.hpp"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/store_client.hpp"

namespace skiff::sdk {
namespace {

namespace pb = google::protobuf;
using Clock = std::chrono::steady_clock;

class StoreObjectSource final : public ObjectSource {
 public:
  StoreObjectSource(Bus& bus, const Subjects& subjects) : client_(bus, subjects) {}

  store::v1::ListResponse list(const ResourceType& type, const ListOptions& options, const std::string& continue_token,
                               std::int64_t limit) override {
    store::v1::ListRequest request;
    request.set_resource(type.resource());
    request.set_namespace_(options.namespace_);
    request.set_label_selector(options.label_selector);
    request.set_field_selector(options.field_selector);
    request.set_limit(limit);
    request.set_continue_(continue_token);
    return client_.list(request);
  }

  store::v1::HistoryResponse history(const ResourceType& type, std::int64_t since) override {
    return client_.history(type.resource(), since);
  }

 private:
  StoreClient client_;
};

class ApiObjectSource final : public ObjectSource {
 public:
  ApiObjectSource(Bus& bus, const Subjects& subjects) : bus_(bus), subjects_(subjects) {}

  store::v1::ListResponse list(const ResourceType& type, const ListOptions& options, const std::string& continue_token,
                               std::int64_t limit) override {
    apiserver::v1::ApiRequest request = base(type);
    request.set_namespace_(options.namespace_);
    request.set_label_selector(options.label_selector);
    request.set_field_selector(options.field_selector);
    request.set_limit(limit);
    request.set_continue_(continue_token);
    auto response = call<apiserver::v1::ApiResponse>(bus_, subjects_.api("list"), request, std::chrono::seconds(30));
    store::v1::ListResponse out;
    for (auto& item : *response.mutable_items()) out.add_objects(std::move(item));
    out.set_revision(response.resource_version().empty() ? 0 : std::stoll(response.resource_version()));
    out.set_continue_(response.continue_());
    return out;
  }

  store::v1::HistoryResponse history(const ResourceType& type, std::int64_t since) override {
    apiserver::v1::ApiRequest request = base(type);
    request.set_resource_version(std::to_string(since));
    return call<store::v1::HistoryResponse>(bus_, subjects_.api("history"), request, std::chrono::seconds(30));
  }

 private:
  static apiserver::v1::ApiRequest base(const ResourceType& type) {
    apiserver::v1::ApiRequest request;
    request.set_group(type.group);
    request.set_resource(type.plural);
    return request;
  }
  Bus& bus_;
  Subjects subjects_;
};

}  // namespace

std::shared_ptr<ObjectSource> store_source(Bus& bus, const Subjects& subjects) {
  return std::make_shared<StoreObjectSource>(bus, subjects);
}

std::shared_ptr<ObjectSource> api_source(Bus& bus, const Subjects& subjects) {
  return std::make_shared<ApiObjectSource>(bus, subjects);
}

IndexFunction index_by_field(std::string json_path) {
  return [path = std::move(json_path)](const pb::Message& object) {
    return std::vector<std::string>{field_value(object, path)};
  };
}

IndexFunction index_by_label(std::string key) {
  return [key = std::move(key)](const pb::Message& object) {
    const auto& labels = meta_of(object).labels();
    auto it = labels.find(key);
    return it == labels.end() ? std::vector<std::string>{} : std::vector<std::string>{it->second};
  };
}

IndexFunction index_by_namespaced_label(std::string key) {
  return [key = std::move(key)](const pb::Message& object) {
    const auto& meta = meta_of(object);
    auto it = meta.labels().find(key);
    return it == meta.labels().end() ? std::vector<std::string>{} : std::vector<std::string>{meta.namespace_() + "/" + it->second};
  };
}

std::string object_cache_key(const pb::Message& object) {
  const auto& meta = meta_of(object);
  return meta.namespace_().empty() ? meta.name() : meta.namespace_() + "/" + meta.name();
}

struct SharedInformer::Impl {
  Bus& bus;
  Subjects subjects;
  const ResourceType& type;
  std::shared_ptr<ObjectSource> source;
  InformerOptions options;
  spdlog::logger* log;
  LabelSelector labels;
  FieldSelector fields;
  std::vector<EventHandlers> handlers;
  std::map<std::string, IndexFunction, std::less<>> index_functions;

  // An index maps each value to the cache slots that have it, ordered by key. A slot is
  // the cache's own node (an unordered_map's nodes stay put), so an update that keeps an
  // object's index values touches no index, and by_index looks nothing up again.
  using CacheSlot = std::pair<const std::string, ObjectPtr>;
  struct ByKey {
    bool operator()(const CacheSlot* a, const CacheSlot* b) const { return a->first < b->first; }
  };
  using Slots = std::set<const CacheSlot*, ByKey>;

  mutable std::shared_mutex cache_mutex;
  std::unordered_map<std::string, ObjectPtr> cache;
  std::map<std::string, std::unordered_map<std::string, Slots>, std::less<>> indexes;

  std::atomic<std::int64_t> last_revision{0};
  std::atomic<std::uint64_t> relist_count{0};
  mutable std::mutex sync_mutex;
  mutable std::condition_variable sync_cv;
  bool synced = false;

  std::mutex queue_mutex;
  std::condition_variable queue_cv;
  std::deque<store::v1::WatchBatch> queue;
  bool catch_up_requested = false;
  bool stopping = false;
  bool listed_once = false;
  std::thread worker;
  Subscription watch_subscription;
  Subscription connection_subscription;

  Impl(Bus& b, const Subjects& s, const ResourceType& t, std::shared_ptr<ObjectSource> src, InformerOptions o,
       spdlog::logger* l)
      : bus(b), subjects(s), type(t), source(std::move(src)), options(std::move(o)), log(l) {
    labels = LabelSelector::parse(options.list.label_selector);
    fields = FieldSelector::parse(options.list.field_selector, type.descriptor);
    index_functions[std::string(kNamespaceIndex)] = [](const pb::Message& object) {
      return std::vector<std::string>{meta_of(object).namespace_()};
    };
  }

  void warn(const std::string& message) {
    if (log) log->warn("informer {}: {}", type.resource(), message);
  }

  // ---- cache ----

  void index_insert(const CacheSlot& slot) {
    for (const auto& [name, fn] : index_functions)
      for (const auto& value : fn(*slot.second)) indexes[name][value].insert(&slot);
  }

  void index_remove(const CacheSlot& slot, const pb::Message& object) {
    for (const auto& [name, fn] : index_functions) unindex(indexes[name], fn(object), slot);
  }

  static void unindex(std::unordered_map<std::string, Slots>& by_value, const std::vector<std::string>& values,
                      const CacheSlot& slot) {
    for (const auto& value : values) {
      auto it = by_value.find(value);
      if (it == by_value.end()) continue;
      it->second.erase(&slot);
      if (it->second.empty()) by_value.erase(it);
    }
  }

  // `slot` held `old` and now holds `now`: move it only in the indexes whose values changed.
  void reindex(const CacheSlot& slot, const pb::Message& old, const pb::Message& now) {
    for (const auto& [name, fn] : index_functions) {
      auto before = fn(old);
      auto after = fn(now);
      if (before == after) continue;
      auto& by_value = indexes[name];
      unindex(by_value, before, slot);
      for (const auto& value : after) by_value[value].insert(&slot);
    }
  }

  // Stores `object` under `key` (nullptr removes); returns what was there.
  ObjectPtr put(const std::string& key, ObjectPtr object) {
    std::unique_lock lock(cache_mutex);
    auto it = cache.find(key);
    if (it == cache.end()) {
      if (object) index_insert(*cache.emplace(key, std::move(object)).first);
      return nullptr;
    }
    ObjectPtr old = it->second;
    if (!object) {
      index_remove(*it, *old);
      cache.erase(it);
      return old;
    }
    reindex(*it, *old, *object);
    it->second = std::move(object);
    return old;
  }

  bool selected(const pb::Message& object) const {
    const auto& meta = meta_of(object);
    if (!options.list.namespace_.empty() && meta.namespace_() != options.list.namespace_) return false;
    return labels.matches(meta.labels()) && fields.matches(object);
  }

  ObjectPtr decode(const std::string& bytes) const {
    std::shared_ptr<pb::Message> object(type.new_object().release());
    if (!object->ParseFromString(bytes)) return nullptr;
    if (options.transform) options.transform(*object);
    return object;
  }

  // ---- handlers ----

  void notify_add(const ObjectPtr& o) {
    for (auto& h : handlers)
      if (h.on_add) h.on_add(o);
  }
  void notify_update(const ObjectPtr& a, const ObjectPtr& b) {
    for (auto& h : handlers)
      if (h.on_update) h.on_update(a, b);
  }
  void notify_delete(const ObjectPtr& o) {
    for (auto& h : handlers)
      if (h.on_delete) h.on_delete(o);
  }

  // ---- applying changes ----

  void apply(const store::v1::WatchEvent& event) {
    if (event.revision() <= last_revision) return;  // already seen (list or an earlier batch)
    ObjectPtr object = decode(event.object());
    last_revision = event.revision();
    if (!object) {
      warn("an event at revision " + std::to_string(event.revision()) + " does not decode; skipped");
      return;
    }
    std::string key = object_cache_key(*object);
    if (event.type() != "DELETED" && selected(*object)) {
      ObjectPtr old = put(key, object);
      old ? notify_update(old, object) : notify_add(object);
    } else if (put(key, nullptr)) {
      notify_delete(object);  // deleted, or no longer selected
    }
  }

  // Lists everything again and reports the difference to the handlers.
  void relist() {
    std::unordered_map<std::string, ObjectPtr> fresh;
    std::string continue_token;
    std::int64_t revision = 0;
    do {
      store::v1::ListResponse page = source->list(type, options.list, continue_token, options.page_size);
      if (revision == 0) revision = page.revision();
      for (const auto& bytes : page.objects())
        if (ObjectPtr object = decode(bytes)) fresh[object_cache_key(*object)] = object;
      continue_token = page.continue_();
    } while (!continue_token.empty());

    if (listed_once) relist_count++;
    listed_once = true;
    std::vector<ObjectPtr> gone;
    {
      std::shared_lock lock(cache_mutex);
      for (const auto& [key, object] : cache)
        if (!fresh.count(key)) gone.push_back(object);
    }
    for (const auto& object : gone) {
      put(object_cache_key(*object), nullptr);
      notify_delete(object);
    }
    for (const auto& [key, object] : fresh) {
      ObjectPtr old = put(key, object);
      if (!old) notify_add(object);
      else if (meta_of(*old).resource_version() != meta_of(*object).resource_version()) notify_update(old, object);
    }
    last_revision = revision;
  }

  // Fills a gap from the store's history; lists again when the history is compacted.
  void catch_up() {
    store::v1::HistoryResponse history;
    do {  // a long history comes in several replies
      history = source->history(type, last_revision);
      for (const auto& event : history.events()) apply(event);
      if (history.revision() > last_revision) last_revision = history.revision();
    } while (history.truncated());
  }

  void handle(const store::v1::WatchBatch& batch) {
    if (batch.prev_revision() > last_revision) catch_up();  // something of ours happened that we did not see
    for (const auto& event : batch.events()) apply(event);
  }

  void resync() {
    std::vector<ObjectPtr> all;
    {
      std::shared_lock lock(cache_mutex);
      for (const auto& [key, object] : cache) all.push_back(object);
    }
    for (const auto& object : all) notify_update(object, object);
  }

  // ---- the worker ----

  // Runs `step` until it succeeds or the informer stops; a 410 turns a catch-up into a list.
  void until_done(const std::function<void()>& step, const char* what) {
    while (true) {
      try {
        step();
        return;
      } catch (const Error& e) {
        if (e.status().code == 410) {
          warn(std::string(what) + ": history compacted (" + e.status().message + "); listing again");
          try {
            relist();
            return;
          } catch (const Error& again) {
            warn(std::string("list failed: ") + again.what());
          }
        } else {
          warn(std::string(what) + " failed: " + e.what() + "; retrying");
        }
      }
      std::unique_lock lock(queue_mutex);
      if (queue_cv.wait_for(lock, options.retry_delay, [&] { return stopping; })) return;
    }
  }

  void run() {
    until_done([this] { relist(); }, "list");
    {
      std::lock_guard lock(sync_mutex);
      synced = true;
    }
    sync_cv.notify_all();
    auto next_resync = Clock::now() + options.resync_period;
    while (true) {
      std::unique_lock lock(queue_mutex);
      auto ready = [&] { return stopping || catch_up_requested || !queue.empty(); };
      if (options.resync_period.count() > 0)
        queue_cv.wait_until(lock, next_resync, ready);
      else
        queue_cv.wait(lock, ready);
      if (stopping) return;
      if (catch_up_requested) {
        catch_up_requested = false;
        lock.unlock();
        until_done([this] { catch_up(); }, "catch-up after reconnect");
      } else if (!queue.empty()) {
        store::v1::WatchBatch batch = std::move(queue.front());
        queue.pop_front();
        lock.unlock();
        until_done([&] { handle(batch); }, "catch-up");
      } else if (options.resync_period.count() > 0 && Clock::now() >= next_resync) {
        lock.unlock();
        resync();
        next_resync = Clock::now() + options.resync_period;
      }
    }
  }

  void start() {
    // Subscribe before listing: whatever changes meanwhile is queued, and duplicates are skipped.
    watch_subscription = bus.subscribe(subjects.watch(type.group, type.kind), [this](const Message& message) {
      store::v1::WatchBatch batch;
      if (!batch.ParseFromString(message.data)) return;
      {
        std::lock_guard lock(queue_mutex);
        queue.push_back(std::move(batch));
      }
      queue_cv.notify_one();
    });
    connection_subscription = bus.on_connection_event([this](ConnectionEvent event) {
      if (event != ConnectionEvent::Reconnected) return;
      {
        std::lock_guard lock(queue_mutex);
        catch_up_requested = true;  // batches published while we were away are not coming back
      }
      queue_cv.notify_one();
    });
    worker = std::thread([this] { run(); });
  }

  void stop() {
    watch_subscription.cancel();
    connection_subscription.cancel();
    {
      std::lock_guard lock(queue_mutex);
      stopping = true;
    }
    queue_cv.notify_all();
    if (worker.joinable()) worker.join();
  }
};

SharedInformer::SharedInformer(Bus& bus, const Subjects& subjects, const ResourceType& type,
                               std::shared_ptr<ObjectSource> source, InformerOptions options, spdlog::logger* log)
    : impl_(std::make_unique<Impl>(bus, subjects, type, std::move(source), std::move(options), log)) {}

SharedInformer::~SharedInformer() { stop(); }

void SharedInformer::add_handlers(EventHandlers handlers) { impl_->handlers.push_back(std::move(handlers)); }

void SharedInformer::add_index(std::string name, IndexFunction index) {
  impl_->index_functions[std::move(name)] = std::move(index);
}

void SharedInformer::start() { impl_->start(); }
void SharedInformer::stop() { impl_->stop(); }

bool SharedInformer::has_synced() const {
  std::lock_guard lock(impl_->sync_mutex);
  return impl_->synced;
}

bool SharedInformer::wait_for_sync(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->sync_mutex);
  return impl_->sync_cv.wait_for(lock, timeout, [&] { return impl_->synced; });
}

ObjectPtr SharedInformer::get(std::string_view namespace_, std::string_view name) const {
  std::string key = namespace_.empty() ? std::string(name) : std::string(namespace_) + "/" + std::string(name);
  std::shared_lock lock(impl_->cache_mutex);
  auto it = impl_->cache.find(key);
  return it == impl_->cache.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> SharedInformer::list() const {
  std::shared_lock lock(impl_->cache_mutex);
  std::vector<ObjectPtr> out;
  out.reserve(impl_->cache.size());
  for (const auto& [key, object] : impl_->cache) out.push_back(object);
  return out;
}

std::vector<ObjectPtr> SharedInformer::by_index(std::string_view index, std::string_view value) const {
  std::shared_lock lock(impl_->cache_mutex);
  std::vector<ObjectPtr> out;
  auto by_value = impl_->indexes.find(index);
  if (by_value == impl_->indexes.end()) return out;
  auto slots = by_value->second.find(std::string(value));
  if (slots == by_value->second.end()) return out;
  out.reserve(slots->second.size());
  for (const auto* slot : slots->second) out.push_back(slot->second);
  return out;
}

std::size_t SharedInformer::size() const {
  std::shared_lock lock(impl_->cache_mutex);
  return impl_->cache.size();
}

std::int64_t SharedInformer::revision() const { return impl_->last_revision; }
std::uint64_t SharedInformer::relists() const { return impl_->relist_count; }
const ResourceType& SharedInformer::type() const { return impl_->type; }

}  // namespace skiff::sdk
