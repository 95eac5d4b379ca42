// The SDK informer against the real store-lmdb: ordering, no loss or duplication under
// concurrent writes, selectors, indexes, and recovery when the store or the bus goes away.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "embedded_bus.hpp"
#include "skiff/testing/process.hpp"
#include "plugin_node.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/informer.hpp"
#include "skiff/sdk/store_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
using api::core::v1::Pod;
using test::wait_until;

const sdk::ResourceType& pods() { return sdk::resource_type_of<Pod>(); }

Pod make_pod(const std::string& name, std::map<std::string, std::string> labels = {}, const std::string& node = "") {
  Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  for (auto& [k, v] : labels) (*pod.mutable_metadata()->mutable_labels())[k] = v;
  pod.mutable_spec()->add_containers()->set_name("main");
  pod.mutable_spec()->set_node_name(node);
  return pod;
}

// Records what the handlers saw, per object, in order.
struct Recorder {
  std::mutex mutex;
  std::map<std::string, std::vector<std::pair<std::string, std::int64_t>>> by_name;
  std::atomic<int> events{0};

  void record(const std::string& type, const sdk::Informer<Pod>::Ptr& pod) {
    std::lock_guard lock(mutex);
    by_name[pod->metadata().name()].emplace_back(type, std::stoll(pod->metadata().resource_version()));
    events++;
  }
  void attach(sdk::Informer<Pod>& informer) {
    informer.add_handlers([this](const auto& p) { record("add", p); },
                          [this](const auto&, const auto& p) { record("update", p); },
                          [this](const auto& p) { record("delete", p); });
  }
  std::vector<std::pair<std::string, std::int64_t>> of(const std::string& name) {
    std::lock_guard lock(mutex);
    return by_name[name];
  }
};

class InformerTest : public ::testing::Test {
 protected:
  test::NatsServer nats;
  test::PluginNode node{nats, "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"};
  std::unique_ptr<sdk::StoreClient> store;

  void SetUp() override {
    node.start();
    store = std::make_unique<sdk::StoreClient>(node.bus(), node.subjects());
  }

  store::v1::WriteResponse create(const Pod& pod) {
    return store->create(sdk::object_key(pods(), "default", pod.metadata().name()), pod.SerializeAsString());
  }
};

TEST_F(InformerTest, ListsThenWatchesInOrder) {
  create(make_pod("before"));
  sdk::Informer<Pod> informer(node.bus(), node.subjects(), sdk::store_source(node.bus(), node.subjects()));
  Recorder recorder;
  recorder.attach(informer);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(10s));
  ASSERT_TRUE(informer.get("default", "before"));

  auto created = create(make_pod("web"));
  Pod pod;
  pod.ParseFromString(created.object());
  pod.mutable_spec()->set_node_name("node-1");
  auto updated = store->update(sdk::object_key(pods(), "default", "web"), pod.SerializeAsString(), created.revision());
  auto deleted = store->erase(sdk::object_key(pods(), "default", "web"));
  ASSERT_TRUE(wait_until([&] { return recorder.of("web").size() == 3; }));
  auto seen = recorder.of("web");
  EXPECT_EQ(seen[0], std::make_pair(std::string("add"), created.revision()));
  EXPECT_EQ(seen[1], std::make_pair(std::string("update"), updated.revision()));
  EXPECT_EQ(seen[2], std::make_pair(std::string("delete"), deleted.revision()));
  EXPECT_EQ(recorder.of("before").size(), 1u);
  EXPECT_FALSE(informer.get("default", "web"));
  EXPECT_EQ(informer.revision(), deleted.revision());
}

TEST_F(InformerTest, NoEventIsMissedOrDuplicatedUnderConcurrentWrites) {
  sdk::Informer<Pod> informer(node.bus(), node.subjects(), sdk::store_source(node.bus(), node.subjects()));
  Recorder recorder;
  recorder.attach(informer);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(10s));

  constexpr int kWriters = 6, kObjects = 15;
  std::atomic<int> writes{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w)
    writers.emplace_back([&, w] {
      for (int i = 0; i < kObjects; ++i) {
        std::string name = "p-" + std::to_string(w) + "-" + std::to_string(i);
        auto key = sdk::object_key(pods(), "default", name);
        auto r = create(make_pod(name, {{"round", "0"}}));
        writes++;
        for (int round = 1; round <= 3; ++round) {
          Pod pod;
          pod.ParseFromString(r.object());
          (*pod.mutable_metadata()->mutable_labels())["round"] = std::to_string(round);
          r = store->update(key, pod.SerializeAsString(), r.revision());
          writes++;
        }
        if (i % 3 == 0) {
          store->erase(key);
          writes++;
        }
      }
    });
  for (auto& w : writers) w.join();
  ASSERT_TRUE(wait_until([&] { return recorder.events >= writes; }, 20s)) << recorder.events << " of " << writes;

  EXPECT_EQ(recorder.events, writes) << "one handler call per write, no more";
  EXPECT_EQ(informer.relists(), 0u);
  for (auto& [name, seen] : recorder.by_name)
    for (std::size_t i = 1; i < seen.size(); ++i) EXPECT_GT(seen[i].second, seen[i - 1].second) << name;
  // The cache equals the store.
  store::v1::ListRequest request;
  request.set_resource("pods");
  auto listed = store->list(request);
  EXPECT_EQ(informer.size(), static_cast<std::size_t>(listed.objects_size()));
  for (const auto& bytes : listed.objects()) {
    Pod stored;
    stored.ParseFromString(bytes);
    auto cached = informer.get("default", stored.metadata().name());
    ASSERT_TRUE(cached) << stored.metadata().name();
    EXPECT_EQ(cached->metadata().resource_version(), stored.metadata().resource_version());
  }
}

TEST_F(InformerTest, SelectorsDecideWhatIsInTheCache) {
  sdk::InformerOptions options;
  options.list.label_selector = "app=web";
  sdk::Informer<Pod> informer(node.bus(), node.subjects(), sdk::store_source(node.bus(), node.subjects()), options);
  Recorder recorder;
  recorder.attach(informer);
  create(make_pod("web-1", {{"app", "web"}}));
  create(make_pod("db-1", {{"app", "db"}}));
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(10s));
  EXPECT_EQ(informer.size(), 1u);

  // Relabeled out of the selection: a delete; back in: an add.
  auto current = store->get(sdk::object_key(pods(), "default", "web-1"));
  Pod pod;
  pod.ParseFromString(current.object());
  (*pod.mutable_metadata()->mutable_labels())["app"] = "other";
  auto moved = store->update(sdk::object_key(pods(), "default", "web-1"), pod.SerializeAsString());
  ASSERT_TRUE(wait_until([&] { return recorder.of("web-1").size() == 2; }));
  EXPECT_EQ(recorder.of("web-1")[1].first, "delete");
  (*pod.mutable_metadata()->mutable_labels())["app"] = "web";
  store->update(sdk::object_key(pods(), "default", "web-1"), pod.SerializeAsString(), moved.revision());
  ASSERT_TRUE(wait_until([&] { return recorder.of("web-1").size() == 3; }));
  EXPECT_EQ(recorder.of("web-1")[2].first, "add");
  EXPECT_TRUE(recorder.of("db-1").empty());
}

TEST_F(InformerTest, IndexesFollowChanges) {
  sdk::Informer<Pod> informer(node.bus(), node.subjects(), sdk::store_source(node.bus(), node.subjects()));
  informer.add_index("nodeName", sdk::index_by_field("spec.nodeName"));
  informer.add_index("app", sdk::index_by_label("app"));
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(10s));
  auto a = create(make_pod("a", {{"app", "web"}}, "node-1"));
  create(make_pod("b", {{"app", "web"}}, "node-2"));
  create(make_pod("c", {{"app", "db"}}, "node-1"));
  ASSERT_TRUE(wait_until([&] { return informer.size() == 3; }));
  EXPECT_EQ(informer.by_index("nodeName", "node-1").size(), 2u);
  EXPECT_EQ(informer.by_index("app", "web").size(), 2u);
  EXPECT_EQ(informer.by_index(sdk::kNamespaceIndex, "default").size(), 3u);
  Pod moved;
  moved.ParseFromString(a.object());
  moved.mutable_spec()->set_node_name("node-2");
  store->update(sdk::object_key(pods(), "default", "a"), moved.SerializeAsString());
  ASSERT_TRUE(wait_until([&] { return informer.by_index("nodeName", "node-2").size() == 2; }));
  EXPECT_EQ(informer.by_index("nodeName", "node-1").size(), 1u);
}

// An update that keeps an object's index values leaves it where it is in every index, and
// the index hands out the new version; a delete takes it out.
TEST_F(InformerTest, IndexesGiveTheLatestVersionInKeyOrder) {
  sdk::Informer<Pod> informer(node.bus(), node.subjects(), sdk::store_source(node.bus(), node.subjects()));
  informer.add_index("nodeName", sdk::index_by_field("spec.nodeName"));
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(10s));
  create(make_pod("c", {{"app", "web"}}, "node-1"));
  auto a = create(make_pod("a", {{"app", "web"}}, "node-1"));
  create(make_pod("b", {{"app", "web"}}, "node-1"));
  ASSERT_TRUE(wait_until([&] { return informer.size() == 3; }));
  Pod relabelled;
  relabelled.ParseFromString(a.object());
  (*relabelled.mutable_metadata()->mutable_labels())["tier"] = "front";
  store->update(sdk::object_key(pods(), "default", "a"), relabelled.SerializeAsString());
  auto on_node = [&] { return informer.by_index("nodeName", "node-1"); };
  ASSERT_TRUE(wait_until([&] { return on_node().front()->metadata().labels().count("tier") == 1; }));
  std::vector<std::string> names;
  for (const auto& pod : on_node()) names.push_back(pod->metadata().name());
  EXPECT_EQ(names, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(informer.by_index(sdk::kNamespaceIndex, "default").front()->metadata().labels().at("tier"), "front");
  store->erase(sdk::object_key(pods(), "default", "a"));
  ASSERT_TRUE(wait_until([&] { return informer.size() == 2; }));
  EXPECT_EQ(on_node().size(), 2u);
  EXPECT_EQ(informer.by_index(sdk::kNamespaceIndex, "default").size(), 2u);
}

TEST_F(InformerTest, ResyncRedeliversEveryObject) {
  create(make_pod("a"));
  create(make_pod("b"));
  sdk::InformerOptions options;
  options.resync_period = 100ms;
  sdk::Informer<Pod> informer(node.bus(), node.subjects(), sdk::store_source(node.bus(), node.subjects()), options);
  Recorder recorder;
  recorder.attach(informer);
  informer.start();
  ASSERT_TRUE(wait_until([&] { return recorder.of("a").size() >= 3 && recorder.of("b").size() >= 3; }, 5s));
  EXPECT_EQ(recorder.of("a")[1].first, "update");
}

TEST_F(InformerTest, SurvivesAStoreRestartWithoutListingAgain) {
  sdk::Informer<Pod> informer(node.bus(), node.subjects(), sdk::store_source(node.bus(), node.subjects()));
  Recorder recorder;
  recorder.attach(informer);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(10s));
  create(make_pod("before"));
  ASSERT_TRUE(wait_until([&] { return informer.size() == 1; }));
  node.restart();
  create(make_pod("after"));
  ASSERT_TRUE(wait_until([&] { return informer.size() == 2; }));
  EXPECT_EQ(informer.relists(), 0u) << "the watch chain continues across the restart";
  EXPECT_EQ(recorder.of("after").size(), 1u);
}

// The informer's own bus server dies while writes go on elsewhere: after reconnecting it
// catches up from the history, or lists again when the history no longer reaches back.
class InformerBusLoss : public ::testing::TestWithParam<int> {};

TEST_P(InformerBusLoss, CatchesUpAfterReconnect) {
  const int writes_while_away = GetParam();
  int port_a = test::free_port(), port_b = test::free_port();
  test::NatsServer server_b({test::NatsServerSettings::Auth::Token, false, port_b, {port_a}});
  auto server_a = std::make_unique<test::NatsServer>(
      test::NatsServerSettings{test::NatsServerSettings::Auth::Token, false, port_a, {port_b}});
  test::PluginNode node(server_b, "  - name: store-lmdb\n    config: {map_size: 64Mi, history_length: 20}\n");
  node.start();
  sdk::StoreClient store(node.bus(), node.subjects());
  sdk::BusOptions pinned = server_a->options();
  pinned.discover_servers = false;  // it must not slip over to server B while A is down
  auto informer_bus = sdk::connect_bus(pinned);
  ASSERT_TRUE(wait_until([&] {  // the cluster routes are up when a request crosses it
    return informer_bus->request(node.subjects().store("info"), store::v1::InfoRequest().SerializeAsString(), 500ms).ok();
  }, 10s));
  sdk::Informer<Pod> informer(*informer_bus, node.subjects(), sdk::store_source(*informer_bus, node.subjects()));
  Recorder recorder;
  recorder.attach(informer);
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(10s));

  server_a->stop();
  for (int i = 0; i < writes_while_away; ++i)
    store.create(sdk::object_key(pods(), "default", "away-" + std::to_string(i)), make_pod("away-" + std::to_string(i)).SerializeAsString());
  server_a->start();  // same port: the informer's connection comes back
  ASSERT_TRUE(wait_until([&] { return informer.size() == static_cast<std::size_t>(writes_while_away); }, 20s))
      << informer.size();
  EXPECT_EQ(informer.relists(), writes_while_away > 20 ? 1u : 0u);
  EXPECT_EQ(recorder.events, writes_while_away);
}

INSTANTIATE_TEST_SUITE_P(HistoryOrList, InformerBusLoss, ::testing::Values(5, 40),
                         [](const auto& info) { return info.param > 20 ? "compacted" : "from_history"; });

}  // namespace
