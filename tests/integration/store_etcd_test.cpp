// store-etcd beyond the conformance suite, on a real three-member etcd: two instances serving
// together (the publisher killed -9 → the standby publishes, no event lost), an etcd member
// killed (writes fail over), quorum lost (503 with a clear message, nothing acknowledged lost),
// a compaction behind a watcher (410, the informer lists again and misses nothing), etcd out of
// reach at start (one clear message).
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "etcd_cluster.hpp"
#include "plugin_node.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/sdk/informer.hpp"
#include "skiff/sdk/object_bytes.hpp"
#include "skiff/sdk/store_client.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

std::string config_map(const std::string& name) {
  api::core::v1::ConfigMap cm;
  cm.mutable_metadata()->set_name(name);
  cm.mutable_metadata()->set_namespace_("default");
  (*cm.mutable_data())["payload"] = "x";
  return cm.SerializeAsString();
}

store::v1::ObjectKey key_of(const std::string& name) {
  return sdk::object_key(*sdk::find_resource("configmaps"), "default", name);
}

std::set<std::string> stored_names(const sdk::StoreClient& store) {
  std::set<std::string> names;
  store::v1::ListRequest request;
  request.set_resource("configmaps");
  auto listed = store.list_all(request);
  for (const auto& bytes : listed.objects()) {
    api::core::v1::ConfigMap cm;
    cm.ParseFromString(bytes);
    names.insert(cm.metadata().name());
  }
  return names;
}

// Every configmap revision published on the watch subject.
class RevisionRecorder {
 public:
  RevisionRecorder(sdk::Bus& bus, const sdk::Subjects& subjects)
      : sub_(bus.subscribe(subjects.watch("", "ConfigMap"), [this](const sdk::Message& m) {
          store::v1::WatchBatch batch;
          if (!batch.ParseFromString(m.data)) return;
          std::lock_guard lock(mutex_);
          for (const auto& e : batch.events()) seen_.insert(e.revision());
        })) {}
  bool has_all(const std::set<std::int64_t>& revisions) {
    std::lock_guard lock(mutex_);
    return std::includes(seen_.begin(), seen_.end(), revisions.begin(), revisions.end());
  }

 private:
  std::mutex mutex_;
  std::set<std::int64_t> seen_;
  sdk::Subscription sub_;
};

// Writers creating configmaps until stopped, keeping what was acknowledged.
class Writers {
 public:
  Writers(const sdk::StoreClient& store, int threads) {
    for (int t = 0; t < threads; ++t)
      threads_.emplace_back([this, &store, t] {
        for (int i = 0; !stop_; ++i) {
          std::string name = "w" + std::to_string(t) + "-" + std::to_string(i);
          try {
            auto written = store.create(key_of(name), config_map(name));
            std::lock_guard lock(mutex_);
            names_.insert(name);
            revisions_.insert(written.revision());
          } catch (const sdk::Error&) {
            std::this_thread::sleep_for(50ms);  // pacing while the store is away, not synchronisation
          }
        }
      });
  }
  ~Writers() { stop(); }
  void stop() {
    stop_ = true;
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }
  std::size_t count() {
    std::lock_guard lock(mutex_);
    return names_.size();
  }
  std::set<std::string> names() {
    std::lock_guard lock(mutex_);
    return names_;
  }
  std::set<std::int64_t> revisions() {
    std::lock_guard lock(mutex_);
    return revisions_;
  }

 private:
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::set<std::string> names_;
  std::set<std::int64_t> revisions_;
  std::vector<std::thread> threads_;
};

class StoreEtcd : public ::testing::Test {
 protected:
  std::string plugin() const {
    return "  - name: store-etcd\n    config: {endpoints: " + etcd.endpoints_yaml() + ", prefix: /it/" + prefix +
           ", lease_ttl: 2s, request_timeout: 2s}\n";
  }
  test::EtcdCluster etcd{3};
  test::NatsServer nats;
  std::string prefix = sdk::new_uid();
};

TEST_F(StoreEtcd, TheStandbyPublishesWhenThePublisherIsKilledAndNoEventIsLost) {
  test::PluginNode a(nats, plugin(), "master-a");
  a.start();
  test::PluginNode b(nats, plugin(), "master-b");
  b.start();
  ASSERT_NE(a.output().find("publishes the watch events now"), std::string::npos) << "the first one publishes";
  sdk::StoreClient store(a.bus(), a.subjects(), 3s);
  RevisionRecorder recorder(a.bus(), a.subjects());
  Writers writers(store, 2);
  ASSERT_TRUE(test::wait_until([&] { return writers.count() >= 20; }, 20s));
  a.kill();
  std::size_t at_kill = writers.count();
  ASSERT_TRUE(test::wait_until([&] { return b.output().find("publishes the watch events now") != std::string::npos; },
                               15s))
      << b.output();
  ASSERT_TRUE(test::wait_until([&] { return writers.count() >= at_kill + 20; }, 20s)) << "writes go on through b";
  writers.stop();
  sdk::StoreClient through_b(b.bus(), b.subjects(), 3s);
  EXPECT_TRUE(test::wait_until([&] { return recorder.has_all(writers.revisions()); }, 10s))
      << "every acknowledged write reached the watchers, across the change of publisher";
  auto stored = stored_names(through_b);
  for (const auto& name : writers.names()) EXPECT_TRUE(stored.count(name)) << name << " was acknowledged, then lost";
}

TEST_F(StoreEtcd, WritesFailOverWhenAnEtcdMemberDies) {
  test::PluginNode node(nats, plugin(), "master-a");
  node.start();
  sdk::StoreClient store(node.bus(), node.subjects(), 3s);
  Writers writers(store, 2);
  ASSERT_TRUE(test::wait_until([&] { return writers.count() >= 20; }, 20s));
  etcd.kill(0);  // the first endpoint, where the channel is connected
  std::size_t at_kill = writers.count();
  ASSERT_TRUE(test::wait_until([&] { return writers.count() >= at_kill + 20; }, 20s)) << node.output();
  writers.stop();
  auto stored = stored_names(store);
  for (const auto& name : writers.names()) EXPECT_TRUE(stored.count(name)) << name << " was acknowledged, then lost";
}

TEST_F(StoreEtcd, WithoutQuorumWritesFailWith503AndNothingAcknowledgedIsLost) {
  test::PluginNode node(nats, plugin(), "master-a");
  node.start();
  sdk::StoreClient store(node.bus(), node.subjects(), 10s);
  store.create(key_of("before"), config_map("before"));
  etcd.kill(1);
  etcd.kill(2);
  try {
    store.create(key_of("during"), config_map("during"));
    FAIL() << "a write without quorum was acknowledged";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 503) << e.what();
    EXPECT_NE(e.status().message.find("quorum"), std::string::npos) << e.what();
  }
  etcd.start(1);
  etcd.start(2);
  ASSERT_TRUE(test::wait_until(
      [&] {
        try {
          store.create(key_of("after"), config_map("after"));
          return true;
        } catch (const sdk::Error&) {
          return false;
        }
      },
      30s));
  auto stored = stored_names(store);
  EXPECT_TRUE(stored.count("before"));
  EXPECT_TRUE(stored.count("after"));
}

TEST_F(StoreEtcd, ACompactionBehindAWatcherMakesItListAgainAndMissNothing) {
  test::PluginNode node(nats, plugin(), "master-a");
  node.start();
  sdk::StoreClient store(node.bus(), node.subjects());
  for (int i = 0; i < 3; ++i) store.create(key_of("early-" + std::to_string(i)), config_map("early-" + std::to_string(i)));
  // An informer whose watch subject nothing publishes on (another cluster's name): it sees only
  // what the test hands it, and lists and catches up from the real store.
  sdk::Subjects deaf("elsewhere", "test-node");
  sdk::SharedInformer informer(node.bus(), deaf, *sdk::find_resource("configmaps"),
                               sdk::store_source(node.bus(), node.subjects()));
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(10s));
  ASSERT_EQ(informer.size(), 3u);

  store::v1::ListRequest page;
  page.set_resource("configmaps");
  page.set_limit(1);
  std::string continue_token = store.list(page).continue_();
  store::v1::WriteResponse last;
  for (int i = 0; i < 5; ++i)
    last = store.create(key_of("missed-" + std::to_string(i)), config_map("missed-" + std::to_string(i)));
  ASSERT_EQ(etcd.etcdctl({"compact", std::to_string(last.revision())}).exit_code, 0);

  page.set_continue_(continue_token);
  try {
    store.list(page);
    FAIL() << "a continue token from before the compaction";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 410) << e.what();
  }
  // The watcher learns of the last change, chained to the revision before it, as a publisher sends it.
  store::v1::WatchBatch batch;
  batch.set_resource("configmaps");
  batch.set_prev_revision(last.revision() - 1);
  auto* event = batch.add_events();
  event->set_type("ADDED");
  event->set_revision(last.revision());
  event->set_object(last.object());
  node.bus().publish(deaf.watch("", "ConfigMap"), batch.SerializeAsString());
  ASSERT_TRUE(test::wait_until([&] { return informer.size() == 8; }, 10s)) << informer.size();
  EXPECT_EQ(informer.relists(), 1u) << "the history was compacted: it listed again";
  informer.stop();
}

TEST_F(StoreEtcd, EtcdOutOfReachAtStartIsOneClearMessage) {
  std::string nowhere = "127.0.0.1:" + std::to_string(test::free_port());
  test::PluginNode node(nats, "  - name: store-etcd\n    config: {endpoints: [" + nowhere + "], request_timeout: 1s}\n",
                        "master-a");
  try {
    node.start();
    FAIL() << "started without etcd";
  } catch (const std::exception&) {
  }
  EXPECT_NE(node.output().find("etcd cluster (" + nowhere + ") did not answer"), std::string::npos) << node.output();
}

}  // namespace

namespace {

TEST(StoreEtcdSecurity, SpeaksTlsWithAClientCertificate) {
  test::EtcdCluster etcd(1, true);
  test::NatsServer nats;
  std::string tls = "ca_file: " + etcd.ca_file() + ", cert_file: " + etcd.client_cert() + ", key_file: " + etcd.client_key();
  test::PluginNode node(nats, "  - name: store-etcd\n    config: {endpoints: [" + etcd.endpoint(0) + "], " + tls + "}\n",
                        "master-a");
  node.start();
  sdk::StoreClient store(node.bus(), node.subjects());
  EXPECT_EQ(store.create(key_of("over-tls"), config_map("over-tls")).revision() > 0, true);
  EXPECT_NE(etcd.etcdctl({"get", "--prefix", "/skiff/test/o/configmaps/"}).out.find("over-tls"), std::string::npos);

  test::PluginNode plain(nats, "  - name: store-etcd\n    config: {endpoints: [" + etcd.endpoint(0) +
                                   "], request_timeout: 1s}\n", "master-b");
  EXPECT_THROW(plain.start(), std::exception) << "etcd only talks TLS";
  EXPECT_NE(plain.output().find("did not answer"), std::string::npos) << plain.output();
}

TEST(StoreEtcdSecurity, LogsInAsAnEtcdUser) {
  test::EtcdCluster etcd(1);
  ASSERT_EQ(etcd.etcdctl({"user", "add", "root:s3cret"}).exit_code, 0);
  ASSERT_EQ(etcd.etcdctl({"auth", "enable"}).exit_code, 0);
  etcd.log_in_as("root:s3cret");
  test::NatsServer nats;
  std::string endpoint = etcd.endpoint(0);
  test::PluginNode node(nats, "  - name: store-etcd\n    config: {endpoints: [" + endpoint +
                                  "], username: root, password: s3cret}\n", "master-a");
  node.start();
  sdk::StoreClient store(node.bus(), node.subjects());
  store.create(key_of("as-root"), config_map("as-root"));
  EXPECT_NE(etcd.etcdctl({"get", "--prefix", "/skiff/test/o/configmaps/"}).out.find("as-root"), std::string::npos);

  test::PluginNode wrong(nats, "  - name: store-etcd\n    config: {endpoints: [" + endpoint +
                                   "], username: root, password: guessed}\n", "master-b");
  EXPECT_THROW(wrong.start(), std::exception);
  EXPECT_NE(wrong.output().find("logging in to etcd as root"), std::string::npos) << wrong.output();
  EXPECT_NE(wrong.output().find("username/password"), std::string::npos) << wrong.output();
}

}  // namespace

namespace {

// The apiserver on store-etcd, driven by the machine's kubectl: writes, reads, resourceVersion
// from etcd, and what the apiserver's own watchers make (a new namespace's default account).
TEST(StoreEtcdApi, KubectlWorksOnTheApiServerOverEtcd) {
  test::EtcdCluster etcd(1);
  test::NatsServer nats;
  test::PluginNode node(nats,
                        "  - name: store-etcd\n    config: {endpoints: [" + etcd.endpoint(0) + "]}\n"
                        "  - name: apiserver\n    config: {address: 127.0.0.1:0}\n",
                        "master-a");
  node.start();
  test::TempDir cache;
  auto kubectl = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"kubectl", "--cache-dir", cache.path()});
    return test::run_command(args, {"KUBECONFIG=" + node.dir().file("data/kubeconfig"), "HOME=" + cache.path()});
  };
  ASSERT_EQ(kubectl({"create", "configmap", "web", "--from-literal=color=blue"}).exit_code, 0) << node.output();
  auto rv = kubectl({"get", "configmap", "web", "-o", "jsonpath={.metadata.resourceVersion}"});
  ASSERT_EQ(rv.exit_code, 0) << rv.both();
  auto in_etcd = etcd.etcdctl({"get", "/skiff/test/o/configmaps/default/web", "-w", "json"});
  EXPECT_NE(in_etcd.out.find("\"mod_revision\":" + rv.out), std::string::npos)
      << "resourceVersion is etcd's revision: " << rv.out << " vs " << in_etcd.out;
  ASSERT_EQ(kubectl({"patch", "configmap", "web", "-p", R"({"data":{"color":"green"}})"}).exit_code, 0);
  EXPECT_EQ(kubectl({"get", "configmap", "web", "-o", "jsonpath={.data.color}"}).out, "green");
  ASSERT_EQ(kubectl({"create", "namespace", "team"}).exit_code, 0);
  EXPECT_TRUE(test::wait_until([&] { return kubectl({"get", "serviceaccount", "default", "-n", "team"}).exit_code == 0; },
                               15s))
      << "the apiserver's namespace watcher saw the new namespace through store-etcd's watch";
  ASSERT_EQ(kubectl({"delete", "configmap", "web"}).exit_code, 0);
  EXPECT_NE(kubectl({"get", "configmap", "web"}).both().find("NotFound"), std::string::npos);
}

}  // namespace
