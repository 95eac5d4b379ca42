// store-lmdb: the cluster's source of truth — revisioned objects in LMDB, served on the bus.
#include <spdlog/spdlog.h>

#include <memory>

#include "lmdb_store_service.hpp"
#include "object_store.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/plugin.hpp"
#include "skiff/sdk/quantity.hpp"
#include "skiff/sdk/store/serve_store.hpp"
#include "skiff/sdk/store/watch_publisher.hpp"
#include "write_batcher.hpp"

namespace skiff::store {
namespace {

using namespace skiff::sdk;

struct Settings {
  std::optional<std::string> data_dir;
  std::string map_size;
  std::int64_t history_length = 0;
  SyncMode sync = SyncMode::Full;
  std::int64_t max_batch = 0;
  int read_workers = 0;
};

const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("data_dir", &Settings::data_dir, "", "where data.mdb lives (default: the plugin's data dir)"),
      bind_key("map_size", &Settings::map_size, "8Gi", "largest size the database may grow to (a quantity, at least 1Mi)"),
      bind_key("history_length", &Settings::history_length, "10000", "watch events kept for watchers to resume from")
          .at_least(1),
      bind_key("sync", &Settings::sync, "full",
           {{"full", SyncMode::Full}, {"nometasync", SyncMode::NoMetaSync}, {"none", SyncMode::None}},
           "full: fsync every commit (a write is acknowledged once on disk); nometasync: the last commits may be "
           "lost on an OS crash; none: leave it to the OS"),
      bind_key("max_batch", &Settings::max_batch, "1000", "most writes committed in one transaction (group commit)")
          .at_least(1),
      bind_key("read_workers", &Settings::read_workers, "2", "parallel handlers for get, list and history").range(1, 64),
  };
  return map;
}

class StoreLmdbPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "store-lmdb";
    m.kind = "store";
    m.version = "0.1.0";
    m.description = "Revisioned, watchable cluster state in LMDB (Skiff's etcd)";
    m.provides = {{kStoreCapability, true}};
    m.config = config_map().table();
    return m;
  }

  explicit StoreLmdbPlugin(Context& context) : context_(context) {}

  void start() override {
    Settings settings = config_map().read(context_.config());
    StoreOptions options;
    options.dir = settings.data_dir.value_or(context_.data_dir());
    auto map_size = parse_quantity(settings.map_size);
    if (!map_size || *map_size < (1 << 20))
      throw Error(Status::Invalid("config map_size: '" + settings.map_size + "' is not a size of at least 1Mi (such as 8Gi)"));
    options.map_size = static_cast<std::size_t>(*map_size);
    options.sync = settings.sync;
    store_ = std::make_unique<ObjectStore>(options);
    hub_ = std::make_unique<WatchPublisher>(context_.bus(), context_.subjects(),
                                            static_cast<std::size_t>(settings.history_length), store_->revision(),
                                            store_->resource_revisions());
    writes_ = std::make_unique<WriteBatcher>(*store_, *hub_, static_cast<std::size_t>(settings.max_batch), context_.log(),
                                             context_.metrics());
    service_ = std::make_unique<LmdbStoreService>(*store_, *hub_, *writes_);
    server_ = serve_store(context_, *service_, {settings.read_workers});
    context_.log().info("serving {} at revision {} from {}", context_.subjects().store("*"), store_->revision(),
                        options.dir);
  }

  void stop() override {
    // Stop taking requests, finish the writes in flight, then close the database.
    server_.reset();
    if (writes_) writes_->stop();
    service_.reset();
    writes_.reset();
    hub_.reset();
    store_.reset();
  }

  Health health() override {
    if (!store_) return Health::failing("not started");
    return Health::ok("revision " + std::to_string(store_->revision()));
  }

 private:
  Context& context_;
  std::unique_ptr<ObjectStore> store_;
  std::unique_ptr<WatchPublisher> hub_;
  std::unique_ptr<WriteBatcher> writes_;
  std::unique_ptr<LmdbStoreService> service_;
  std::unique_ptr<StoreServer> server_;
};

}  // namespace
}  // namespace skiff::store

SKIFF_PLUGIN(skiff::store::StoreLmdbPlugin)
