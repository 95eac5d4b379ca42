// Three masters' embedded buses routed on 127.0.0.1 as one NATS cluster: the second and third
// start from the first's secrets (`skiffd join-secrets`), and a message crosses servers with the
// master password and with a worker's node user.
#include <gtest/gtest.h>

#include <fstream>

#include "bus_users.hpp"
#include "commands.hpp"
#include "embedded_bus.hpp"
#include "skiff/sdk/bus_options.hpp"
#include "skiff/testing/process.hpp"
#include "skiff/sdk/jetstream.hpp"
#include "skiff/sdk/node_identity.hpp"
#include "skiff/sdk/subjects.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

constexpr int kMasters = 3;
const std::string kCluster = "halab";

// What a first master's apiserver would have made (join-secrets refuses a master without them).
void fake_apiserver_secrets(const fs::path& data_dir) {
  fs::create_directories(data_dir / "plugins/apiserver/pki");
  for (const char* file : {"pki/ca.crt", "pki/ca.key", "pki/service-account.key", "tokens.csv"})
    std::ofstream(data_dir / "plugins/apiserver" / file) << "secret of " << file << "\n";
}

class BusClusterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 0; i < kMasters; ++i) {
      client_ports[i] = test::free_port();
      route_ports[i] = test::free_port();
    }
  }

  kernel::EmbeddedBusSettings settings_of(int i) const {
    kernel::EmbeddedBusSettings s;
    s.port = client_ports[i];
    s.cluster_port = route_ports[i];
    s.server_name = "master-" + std::to_string(i + 1);
    s.jetstream_max_file_store = "64MB";
    for (int j = 0; j < kMasters; ++j)
      if (j != i) s.routes.push_back("127.0.0.1:" + std::to_string(route_ports[j]));
    return s;
  }

  void start(int i) {
    buses[i] = std::make_unique<kernel::EmbeddedBus>(settings_of(i), dirs[i].path(), kCluster, kernel::SupervisorSettings{});
    buses[i]->start();
  }

  sdk::BusOptions worker_options(int i) const {
    sdk::BusOptions options;
    options.urls = {"nats://127.0.0.1:" + std::to_string(client_ports[i])};
    options.user = sdk::node_bus_user("worker-1");
    options.password = worker_password;
    options.inbox_prefix = sdk::node_inbox_prefix("worker-1");
    return options;
  }

  // Requests until the route carries the server's interest across (routes form asynchronously).
  static bool answered(sdk::Bus& client, const std::string& subject, const std::string& expected) {
    return test::wait_until([&] {
      sdk::Reply reply = client.request(subject, "ping", 500ms);
      return reply.ok() && reply.data == expected;
    }, 20s, 100ms);
  }

  int client_ports[kMasters]{};
  int route_ports[kMasters]{};
  test::TempDir dirs[kMasters];
  std::unique_ptr<kernel::EmbeddedBus> buses[kMasters];
  std::string worker_password;

  void start_three_from_the_first() {
    worker_password = kernel::mint_node_user(fs::path(dirs[0].path()) / "bus", "worker-1");
    start(0);
    fake_apiserver_secrets(dirs[0].path());
    for (int i = 1; i < kMasters; ++i) {
      ASSERT_EQ(kernel::join_secrets_command(dirs[0].path(), dirs[i].path()), 0);
      start(i);
    }
  }
};

TEST_F(BusClusterTest, MasterPasswordWorksOnEveryServerAndMessagesCrossRoutes) {
  start_three_from_the_first();
  for (int i = 1; i < kMasters; ++i)
    EXPECT_EQ(buses[i]->client_options().password, buses[0]->client_options().password) << "master " << i + 1;
  auto server_side = sdk::connect_bus(buses[0]->client_options());
  auto sub = server_side->serve("skiff.halab.api.ping", "", [](sdk::Request request) { request.reply("pong from 1"); });
  server_side->flush(2s);
  for (int i = 1; i < kMasters; ++i) {
    auto client = sdk::connect_bus(buses[i]->client_options());
    EXPECT_TRUE(answered(*client, "skiff.halab.api.ping", "pong from 1")) << "from master " << i + 1;
  }
}

TEST_F(BusClusterTest, NodeUserMintedOnTheFirstGetsInEverywhereWithItsPermissions) {
  start_three_from_the_first();
  sdk::Subjects subjects(kCluster, "worker-1");
  std::string own = subjects.prefix() + ".node.worker-1.kubelet.ping";
  auto master = sdk::connect_bus(buses[0]->client_options());
  auto sub = master->serve(own, "", [](sdk::Request request) { request.reply("pong to worker"); });
  master->flush(2s);
  for (int i = 0; i < kMasters; ++i) {
    auto worker = sdk::connect_bus(worker_options(i));
    EXPECT_TRUE(answered(*worker, own, "pong to worker")) << "worker on master " << i + 1;
  }
  // The node user's permissions hold on the other servers too: another node's subject is refused.
  auto worker = sdk::connect_bus(worker_options(2));
  sdk::Reply refused = worker->request(subjects.prefix() + ".node.worker-2.kubelet.ping", "x", 500ms);
  EXPECT_FALSE(refused.ok());
}

TEST_F(BusClusterTest, WorkerListingEveryMasterFailsOverWhenItsServerStops) {
  start_three_from_the_first();
  sdk::Subjects subjects(kCluster, "worker-1");
  std::string own = subjects.prefix() + ".node.worker-1.kubelet.ping";
  sdk::BusOptions options = worker_options(0);
  for (int i = 1; i < kMasters; ++i) options.urls.push_back(worker_options(i).urls.front());
  auto worker = sdk::connect_bus(options);
  std::string first = worker->connected_url();
  int joined = 0;
  for (int i = 0; i < kMasters; ++i)
    if (first.find(":" + std::to_string(client_ports[i])) != std::string::npos) joined = i;
  // The service on another master's server: it outlives the stop of the worker's.
  auto master = sdk::connect_bus(buses[(joined + 1) % kMasters]->client_options());
  auto sub = master->serve(own, "", [](sdk::Request request) { request.reply("pong"); });
  master->flush(2s);
  ASSERT_TRUE(answered(*worker, own, "pong"));
  buses[joined]->stop();
  EXPECT_TRUE(answered(*worker, own, "pong")) << "after the stop of " << first;
  EXPECT_NE(worker->connected_url(), first);
}

TEST_F(BusClusterTest, JetStreamIsClusteredAcrossTheThree) {
  start_three_from_the_first();
  auto bus = sdk::connect_bus(buses[1]->client_options());
  auto js = bus->jetstream();
  sdk::StreamSettings stream;
  stream.name = "HALAB";
  stream.subjects = {"skiff.halab.halab-test.>"};
  stream.replicas = 3;
  // The meta leader is elected once the routes are up: retry until JetStream answers.
  std::string last_error;
  bool made = test::wait_until([&] {
    try {
      js->ensure_stream(stream);
      return true;
    } catch (const std::exception& e) {
      last_error = e.what();
      return false;
    }
  }, 30s, 250ms);
  ASSERT_TRUE(made) << last_error;
  auto other_bus = sdk::connect_bus(buses[2]->client_options());
  auto other = other_bus->jetstream();
  EXPECT_TRUE(test::wait_until([&] {
    try {
      other->publish("skiff.halab.halab-test.x", "kept");
      auto state = other->stream_state("HALAB");
      return state && state->messages >= 1;
    } catch (const std::exception&) {
      return false;
    }
  }, 20s, 250ms));
}

}  // namespace

// A port picked for an embedded bus (no port in the profile) can be taken before nats-server
// binds it: nats-server then exits, and the bus starts again on another port. The stand-in
// server exits the first time as nats-server does on "address already in use".
TEST(EmbeddedBusPort, APickedPortLostBeforeTheBindIsReplacedByAnother) {
  test::TempDir dir;
  std::string server = dir.file("nats-server-once-refused");
  std::ofstream(server) << "#!/bin/sh\n"
                        << "if [ ! -e '" << dir.file("refused") << "' ]; then touch '" << dir.file("refused")
                        << "'; echo 'listen tcp: bind: address already in use' >&2; exit 1; fi\n"
                        << "exec nats-server \"$@\"\n";
  fs::permissions(server, fs::perms::owner_all);
  kernel::EmbeddedBusSettings settings;
  settings.server = server;
  kernel::EmbeddedBus bus(settings, dir.file("data"), kCluster, kernel::SupervisorSettings{});
  ASSERT_NO_THROW(bus.start());
  EXPECT_TRUE(fs::exists(dir.file("refused"))) << "the first nats-server was not refused";
  auto client = sdk::connect_bus(bus.client_options());
  EXPECT_TRUE(client->connected());
}
