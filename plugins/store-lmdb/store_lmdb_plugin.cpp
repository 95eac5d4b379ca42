// store-lmdb: the cluster's source of truth — revisioned objects in LMDB, served on the bus.
#include <spdlog/spdlog.h>

#include <memory>

#include "object_store.hpp"
#include "skiff/sdk/capabilities.hpp"
#include "skiff/sdk/plugin.hpp"
#include "skiff/sdk/quantity.hpp"
#include "lmdb_store_service.hpp"
#include "skiff/sdk/store/serve_store.hpp"
#include "skiff/sdk/store/watch_publisher.hpp"
#include "write_batcher.hpp"

namespace skiff::store {
namespace {

using namespace skiff::sdk;

SyncMode parse_sync(const std::string& text) {
  if (text == "full") return SyncMode::Full;
  if (text == "nometasync") return SyncMode::NoMetaSync;
  if (text == "none") return SyncMode::None;
  throw Error(Status::Invalid("config sync: '" + text + "' is not one of full, nometasync, none"));
}

class StoreLmdbPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "store-lmdb";
    m.kind = "store";
    m.version = "0.1.0";
    m.description = "Revisioned, watchable cluster state in LMDB (Skiff's etcd)";
    m.provides = {{capability::kStore, true}};
    m.config = {
        {"data_dir", ConfigType::String, "", "where data.mdb lives (default: the plugin's data dir)"},
        {"map_size", ConfigType::String, "8Gi", "largest size the database may grow to (a quantity)"},
        {"history_length", ConfigType::Int, "10000", "watch events kept for watchers to resume from"},
        {"sync", ConfigType::String, "full",
         "full: fsync every commit (a write is acknowledged once on disk); nometasync; none: leave it to the OS"},
        {"max_batch", ConfigType::Int, "1000", "most writes committed in one transaction (group commit)"},
        {"read_workers", ConfigType::Int, "2", "parallel handlers for get, list and history"},
    };
    return m;
  }

  explicit StoreLmdbPlugin(Context& context) : context_(context) {}

  void start() override {
    const Config& config = context_.config();
    StoreOptions options;
    options.dir = config.has("data_dir") ? config.get_string("data_dir") : context_.data_dir();
    auto map_size = parse_quantity(config.get_string("map_size"));
    if (!map_size || *map_size < (1 << 20))
      throw Error(Status::Invalid("config map_size: '" + config.get_string("map_size") +
                                  "' is not a size of at least 1Mi (such as 8Gi)"));
    options.map_size = static_cast<std::size_t>(*map_size);
    options.sync = parse_sync(config.get_string("sync"));
    auto history_length = config.get_int("history_length");
    auto max_batch = config.get_int("max_batch");
    if (history_length < 1 || max_batch < 1)
      throw Error(Status::Invalid("config history_length and max_batch must be at least 1"));

    store_ = std::make_unique<ObjectStore>(options);
    hub_ = std::make_unique<WatchPublisher>(context_.bus(), context_.subjects(), static_cast<std::size_t>(history_length),
                                      store_->revision(), store_->resource_revisions());
    writes_ = std::make_unique<WriteBatcher>(*store_, *hub_, static_cast<std::size_t>(max_batch), context_.log(),
                                             context_.metrics());
    service_ = std::make_unique<LmdbStoreService>(*store_, *hub_, *writes_);
    server_ = serve_store(context_, *service_, {static_cast<int>(config.get_int("read_workers"))});
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
