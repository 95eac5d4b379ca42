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
#include "checkpointer.hpp"
#include "wal_file.hpp"
#include "wal_replay.hpp"
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
  int group_commit_wait_us = 0;
  std::string wal_segment_size;
  std::chrono::milliseconds checkpoint_interval{};
  int read_workers = 0;
};

const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("data_dir", &Settings::data_dir, "", "where data.mdb lives (default: the plugin's data dir)"),
      bind_key("map_size", &Settings::map_size, "8Gi", "largest size the database may grow to (a quantity, at least 1Mi)"),
      bind_key("history_length", &Settings::history_length, "10000", "watch events kept for watchers to resume from")
          .at_least(1),
      bind_key("sync", &Settings::sync, "full",
           {{"full", SyncMode::Full}, {"nometasync", SyncMode::None}, {"none", SyncMode::None}},
           "full: a write is acknowledged once its log record is on disk (one fdatasync per group commit); none: "
           "the log is written, not synced (survives skiffd dying, not the machine); nometasync: the same as none"),
      bind_key("max_batch", &Settings::max_batch, "1000", "most writes committed in one transaction (group commit)")
          .at_least(1),
      bind_key("group_commit_wait_us", &Settings::group_commit_wait_us, "200",
               "microseconds the writer waits for more writers when fewer are queued than in its last commit "
               "(0: commit at once)")
          .range(0, 10000),
      // Both bound what a checkpoint pins (LMDB cannot reuse the pages freed since it): with
      // 64Mi and 10s, 100,000 pods took a 440 MB database, with 8Mi and 2s 187 MB (bench/README.md).
      bind_key("wal_segment_size", &Settings::wal_segment_size, "8Mi",
               "size of each preallocated write-ahead log segment (a quantity, at least 1Mi); a full one "
               "triggers a checkpoint"),
      bind_key("checkpoint_interval", &Settings::checkpoint_interval, "2s",
               "how often LMDB is synced and the log it covers removed")
          .range("100ms", "1h"),
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
    auto segment_size = parse_quantity(settings.wal_segment_size);
    if (!segment_size || *segment_size < (1 << 20))
      throw Error(Status::Invalid("config wal_segment_size: '" + settings.wal_segment_size +
                                  "' is not a size of at least 1Mi (such as 8Mi)"));
    store_ = std::make_unique<ObjectStore>(options);
    std::string wal_dir = options.dir + "/wal";
    std::map<std::string, std::int64_t> last_by_resource = store_->resource_revisions();
    WalReplay replay = replay_wal(*store_, wal_dir);
    if (!replay.commits.empty() || replay.read.torn_bytes > 0)
      context_.log().info("recovered revisions {}..{} from the log ({} records in {} segments, {} torn bytes cut off)",
                          replay.from_revision + 1, store_->revision(), replay.read.records, replay.read.segments,
                          replay.read.torn_bytes);
    if (store_->restored_checkpoint() >= 0)
      context_.log().warn("the machine restarted since the store last ran: data.mdb was put back to its checkpoint "
                          "at revision {}, the log replayed on it", store_->restored_checkpoint());
    // What LMDB holds now is checkpointed before the log that brought it there goes.
    ObjectStore::Pin initial = take_checkpoint(*store_);
    remove_wal_segments(wal_dir);
    wal_ = std::make_unique<WalFile>(wal_dir, static_cast<std::size_t>(*segment_size));
    checkpointer_ = std::make_unique<Checkpointer>(*store_, *wal_, std::move(initial), settings.checkpoint_interval,
                                                   static_cast<std::uint64_t>(*segment_size), context_.log());
    hub_ = std::make_unique<WatchPublisher>(context_.bus(), context_.subjects(),
                                            static_cast<std::size_t>(settings.history_length), replay.from_revision,
                                            std::move(last_by_resource));
    // The replayed commits were never published (or not known to be): watchers get them now.
    for (const auto& changes : replay.commits) hub_->publish(changes);
    WriteOptions write_options;
    write_options.max_batch = static_cast<std::size_t>(settings.max_batch);
    write_options.group_commit_wait = std::chrono::microseconds(settings.group_commit_wait_us);
    write_options.sync = settings.sync;
    writes_ = std::make_unique<WriteBatcher>(*store_, *wal_, *checkpointer_, *hub_, write_options, context_.log(),
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
    if (checkpointer_) checkpointer_->checkpoint();  // the next start has nothing to replay
    checkpointer_.reset();
    wal_.reset();
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
  std::unique_ptr<WalFile> wal_;
  std::unique_ptr<Checkpointer> checkpointer_;
  std::unique_ptr<WatchPublisher> hub_;
  std::unique_ptr<WriteBatcher> writes_;
  std::unique_ptr<LmdbStoreService> service_;
  std::unique_ptr<StoreServer> server_;
};

}  // namespace
}  // namespace skiff::store

SKIFF_PLUGIN(skiff::store::StoreLmdbPlugin)
