// store-lmdb beyond the conformance suite: durability under kill -9 (also between the log
// and LMDB), a full map, and data dirs it must refuse (corrupt, foreign, in use).
#include <gtest/gtest.h>
#include <lmdb.h>

#include <atomic>
#include <cstdlib>
#include <map>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "plugin_node.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/sdk/store_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

const sdk::ResourceType& config_maps() { return *sdk::find_resource("configmaps"); }

std::string config_map(const std::string& name, std::size_t payload = 100) {
  api::core::v1::ConfigMap cm;
  cm.mutable_metadata()->set_name(name);
  cm.mutable_metadata()->set_namespace_("default");
  (*cm.mutable_data())["payload"] = std::string(payload, 'x');
  return cm.SerializeAsString();
}

std::set<std::string> stored_names(const sdk::StoreClient& store) {
  std::set<std::string> names;
  store::v1::ListRequest request;
  request.set_resource("configmaps");
  auto response = store.list_all(request);
  for (const auto& bytes : response.objects()) {
    api::core::v1::ConfigMap cm;
    cm.ParseFromString(bytes);
    names.insert(cm.metadata().name());
  }
  return names;
}

std::string store_plugin(const std::string& extra_config = "") {
  return "  - name: store-lmdb\n    config:\n      map_size: 64Mi\n" + extra_config;
}

TEST(StoreLmdb, EveryAcknowledgedWriteSurvivesKillDashNine) {
  test::NatsServer nats;
  test::PluginNode node(nats, store_plugin());
  node.start();
  sdk::StoreClient store(node.bus(), node.subjects(), 2s);

  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        std::string name = "cm-" + std::to_string(t) + "-" + std::to_string(i);
        try {
          store.create(sdk::object_key(config_maps(), "default", name), config_map(name));
          std::lock_guard lock(mutex);
          acknowledged.insert(name);
        } catch (const sdk::Error&) {
          return;  // the store is gone: this write may or may not have landed
        }
      }
    });
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard lock(mutex);
    return acknowledged.size() >= 400;
  }, 30s));
  node.kill();  // in the middle of the stream
  stop = true;
  for (auto& w : writers) w.join();

  node.start();
  std::set<std::string> after = stored_names(store);
  std::size_t missing = 0;
  for (const auto& name : acknowledged) missing += after.count(name) == 0;
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged writes";
  EXPECT_GE(after.size(), acknowledged.size());
}

// The store kills itself on its 21st commit after syncing the log record and before LMDB
// commits it (SKIFF_STORE_LMDB_CRASH_BEFORE_APPLY): the write exists only in the log. After a
// restart every acknowledged write is there at its revision, the logged one too, and a
// watcher gets its event, chained to the last one it saw.
TEST(StoreLmdb, AWriteLoggedButNotAppliedComesBackAndWatchersResume) {
  constexpr int kCrashAt = 21;
  test::NatsServer nats;
  test::PluginNode node(nats, store_plugin());
  setenv("SKIFF_STORE_LMDB_CRASH_BEFORE_APPLY", std::to_string(kCrashAt).c_str(), 1);
  node.start();
  unsetenv("SKIFF_STORE_LMDB_CRASH_BEFORE_APPLY");

  std::mutex mutex;
  std::map<std::int64_t, std::pair<std::int64_t, std::string>> events;  // revision -> prev_revision, name
  auto watch = node.bus().subscribe(node.subjects().watch("", "ConfigMap"), [&](const sdk::Message& message) {
    store::v1::WatchBatch batch;
    batch.ParseFromString(message.data);
    std::lock_guard lock(mutex);
    for (const auto& event : batch.events()) {
      api::core::v1::ConfigMap cm;
      cm.ParseFromString(event.object());
      events[event.revision()] = {batch.prev_revision(), cm.metadata().name()};
    }
  });

  sdk::StoreClient store(node.bus(), node.subjects(), 2s);
  std::map<std::string, std::int64_t> acknowledged;
  std::string in_flight;
  for (int i = 0; i < kCrashAt + 5 && in_flight.empty(); ++i) {
    std::string name = "cm-" + std::to_string(i);
    try {
      acknowledged[name] = store.create(sdk::object_key(config_maps(), "default", name), config_map(name)).revision();
    } catch (const sdk::Error&) {
      in_flight = name;  // logged and synced, never applied nor answered
    }
  }
  ASSERT_EQ(in_flight, "cm-" + std::to_string(kCrashAt - 1)) << "the fault hook did not fire on commit " << kCrashAt;
  std::int64_t last_seen = acknowledged.at("cm-" + std::to_string(kCrashAt - 2));
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard lock(mutex);
    return events.count(last_seen) > 0;
  }, 10s));
  node.kill();  // reaps the process that killed itself

  node.start();
  EXPECT_NE(node.output().find("recovered revisions " + std::to_string(last_seen + 1)), std::string::npos)
      << node.output();
  for (const auto& [name, revision] : acknowledged)
    EXPECT_EQ(store.get(sdk::object_key(config_maps(), "default", name)).revision(), revision) << name;
  EXPECT_EQ(store.get(sdk::object_key(config_maps(), "default", in_flight)).revision(), last_seen + 1);
  EXPECT_EQ(store.info().revision(), last_seen + 1);

  // The watcher gets the logged write's event, chained to the last one it saw ...
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard lock(mutex);
    return events.count(last_seen + 1) > 0;
  }, 10s));
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(events[last_seen + 1], std::make_pair(last_seen, in_flight));
  }
  // ... and one that missed it resumes from the history.
  auto history = store.history("configmaps", last_seen);
  ASSERT_EQ(history.events_size(), 1);
  EXPECT_EQ(history.events(0).revision(), last_seen + 1);
  // Writes go on after it, and the next restart replays nothing twice.
  EXPECT_EQ(store.create(sdk::object_key(config_maps(), "default", "after"), config_map("after")).revision(),
            last_seen + 2);
  node.kill();
  node.start();
  EXPECT_EQ(store.info().revision(), last_seen + 2);
  EXPECT_EQ(stored_names(store).size(), acknowledged.size() + 2);
}

// A machine crash between checkpoints: LMDB's pages written since the last checkpoint (here
// its meta pages, zeroed) are not on disk. After the "reboot" (another boot id) the store puts
// data.mdb back to the checkpoint and replays the log: every acknowledged write is there.
TEST(StoreLmdb, AfterAMachineCrashTheCheckpointAndTheLogHaveEveryAcknowledgedWrite) {
  test::NatsServer nats;
  test::PluginNode node(nats, store_plugin("      checkpoint_interval: 1h\n"));
  setenv("SKIFF_STORE_LMDB_BOOT_ID", "boot-before-the-crash", 1);
  node.start();
  sdk::StoreClient store(node.bus(), node.subjects(), 2s);
  std::map<std::string, std::int64_t> acknowledged;
  for (int i = 0; i < 50; ++i) {
    std::string name = "cm-" + std::to_string(i);
    acknowledged[name] = store.create(sdk::object_key(config_maps(), "default", name), config_map(name)).revision();
  }
  node.kill();

  // The pages LMDB wrote after the checkpoint taken at start never reached the disk.
  std::string data_mdb = node.dir().file("data/plugins/store-lmdb/data.mdb");
  ASSERT_TRUE(std::filesystem::exists(data_mdb)) << data_mdb;
  {
    std::fstream file(data_mdb, std::ios::in | std::ios::out | std::ios::binary);
    std::string zeros(2 * 4096, '\0');
    file.write(zeros.data(), static_cast<std::streamsize>(zeros.size()));
  }
  setenv("SKIFF_STORE_LMDB_BOOT_ID", "boot-after-the-crash", 1);
  node.start();
  unsetenv("SKIFF_STORE_LMDB_BOOT_ID");
  EXPECT_NE(node.output().find("data.mdb was put back to its checkpoint"), std::string::npos) << node.output();
  for (const auto& [name, revision] : acknowledged)
    EXPECT_EQ(store.get(sdk::object_key(config_maps(), "default", name)).revision(), revision) << name;
  EXPECT_EQ(stored_names(store).size(), acknowledged.size());
}

TEST(StoreLmdb, AFullMapIsAClearErrorAndLosesNothing) {
  test::NatsServer nats;
  test::PluginNode node(nats, "  - name: store-lmdb\n    config:\n      map_size: 1Mi\n");
  node.start();
  sdk::StoreClient store(node.bus(), node.subjects());
  std::set<std::string> acknowledged;
  sdk::Status failure;
  for (int i = 0; i < 1000 && failure.ok(); ++i) {
    std::string name = "big-" + std::to_string(i);
    try {
      store.create(sdk::object_key(config_maps(), "default", name), config_map(name, 16 * 1024));
      acknowledged.insert(name);
    } catch (const sdk::Error& e) {
      failure = e.status();
    }
  }
  ASSERT_FALSE(failure.ok()) << "1 MiB never filled up";
  EXPECT_EQ(failure.code, 507);
  EXPECT_NE(failure.message.find("map_size"), std::string::npos) << failure.message;
  EXPECT_EQ(stored_names(store), acknowledged);
  node.restart();
  EXPECT_EQ(stored_names(store), acknowledged);
}

class RefusedDataDir : public ::testing::Test {
 protected:
  test::NatsServer nats;
  test::TempDir dir;

  // Starts a node whose store uses `data_dir`; returns skiffd's output after it refused.
  std::string refusal(const std::string& data_dir) {
    test::PluginNode node(nats, store_plugin("      data_dir: " + data_dir + "\n"));
    try {
      node.start();
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    ADD_FAILURE() << "skiffd started on " << data_dir;
    return "";
  }
};

TEST_F(RefusedDataDir, Corrupt) {
  std::filesystem::create_directories(dir.file("store"));
  std::ofstream(dir.file("store/data.mdb")) << std::string(64 * 1024, 'Z');
  std::string output = refusal(dir.file("store"));
  EXPECT_NE(output.find("data.mdb is not a readable LMDB file"), std::string::npos) << output;
  EXPECT_NE(output.find("move it away"), std::string::npos) << output;
}

TEST_F(RefusedDataDir, ForeignLmdb) {
  std::filesystem::create_directories(dir.file("foreign"));
  MDB_env* env;
  mdb_env_create(&env);
  ASSERT_EQ(mdb_env_open(env, dir.file("foreign").c_str(), 0, 0600), 0);
  MDB_txn* txn;
  mdb_txn_begin(env, nullptr, 0, &txn);
  MDB_dbi dbi;
  mdb_dbi_open(txn, nullptr, 0, &dbi);
  std::string k = "someone-elses-key", v = "value";
  MDB_val key{k.size(), k.data()}, value{v.size(), v.data()};
  mdb_put(txn, dbi, &key, &value, 0);
  mdb_txn_commit(txn);
  mdb_env_close(env);
  std::string output = refusal(dir.file("foreign"));
  EXPECT_NE(output.find("holds LMDB data that is not a Skiff store"), std::string::npos) << output;
}

TEST_F(RefusedDataDir, InUseByAnotherStore) {
  test::PluginNode first(nats, store_plugin("      data_dir: " + dir.file("shared") + "\n"), "first");
  first.start();
  std::string output = refusal(dir.file("shared"));
  EXPECT_NE(output.find("is in use by another process (pid " + std::to_string(first.pid()) + ")"),
            std::string::npos) << output;
}

}  // namespace
