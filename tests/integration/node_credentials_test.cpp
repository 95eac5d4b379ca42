// Per-node bus credentials on a master's embedded bus (the kernel's own nats.conf): what
// `skiffd node-credentials` mints reaches only that node's subjects, and the API through the
// node-scoped subject under the Node authorizer.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "plugin_node.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/bus_options.hpp"
#include "skiff/sdk/jetstream.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;

// What the server said about a connection's permission violations.
struct Warnings {
  std::mutex mutex;
  std::vector<std::string> lines;
  sdk::BusWarningSink sink() {
    return [this](std::string_view line) {
      std::lock_guard lock(mutex);
      lines.emplace_back(line);
    };
  }
  bool saw(const std::string& text) {
    std::lock_guard lock(mutex);
    for (const auto& line : lines)
      if (line.find(text) != std::string::npos) return true;
    return false;
  }
  std::string all() {
    std::lock_guard lock(mutex);
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    return text;
  }
};

class NodeBusCredentials : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir = new test::TempDir();
    std::ofstream(dir->file("master.yaml"))
        << "node: master\ncluster: test\nbus: {embedded: true}\nplugins:\n"
           "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
           "  - name: apiserver\n    config: {address: 127.0.0.1:0}\n";
    master = new test::SkiffdProcess({"--profile", dir->file("master.yaml"), "--data-dir", dir->file("data")},
                                     dir->file("master.log"));
    ASSERT_TRUE(test::wait_until([] { return master->output_contains(" ready: ") || master->wait(0ms); }, 60s))
        << master->output();
    ASSERT_TRUE(master->output_contains(" ready: ")) << master->output();
  }
  static void TearDownTestSuite() {
    delete master;
    delete dir;
  }

  static sdk::BusOptions master_options() {
    YAML::Node connection = YAML::LoadFile(dir->file("data/connection.yaml"));
    return sdk::BusOptions::from_yaml(YAML::Dump(connection["bus"]));
  }
  // `skiffd node-credentials NODE` on the master, parsed as the worker's profile would be.
  static sdk::BusOptions node_options(const std::string& node) {
    auto [code, output] = test::run_skiffd({"node-credentials", node, "--data-dir", dir->file("data")});
    EXPECT_EQ(code, 0) << output;
    YAML::Node printed = YAML::Load(output);
    return sdk::BusOptions::from_yaml(YAML::Dump(printed["bus"]));
  }

  static core::Pod pod_on(const std::string& name, const std::string& node, const std::string& secret) {
    core::Pod pod;
    pod.mutable_metadata()->set_name(name);
    pod.mutable_metadata()->set_namespace_("default");
    pod.mutable_spec()->set_node_name(node);
    auto* container = pod.mutable_spec()->add_containers();
    container->set_name("c");
    container->set_image("busybox");
    auto* volume = pod.mutable_spec()->add_volumes();
    volume->set_name("s");
    volume->mutable_secret()->set_secret_name(secret);
    return pod;
  }

  static core::Node node_named(const std::string& name) {
    core::Node node;
    node.mutable_metadata()->set_name(name);
    return node;
  }

  static void expect_forbidden(const std::function<void()>& call, const std::vector<std::string>& named) {
    try {
      call();
      ADD_FAILURE() << "allowed, but should be refused naming " << named.front();
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.status().code, 403) << e.what();
      for (const auto& name : named) EXPECT_NE(e.status().message.find(name), std::string::npos) << e.what();
    }
  }

  static inline test::TempDir* dir = nullptr;
  static inline test::SkiffdProcess* master = nullptr;
};

TEST_F(NodeBusCredentials, MintedOnceKeptAndWrittenIntoTheBusConfig) {
  auto first = node_options("cred-node");
  auto again = node_options("cred-node");
  EXPECT_EQ(first.user, "node:cred-node");
  EXPECT_EQ(first.password, again.password) << "minting again hands out the same password";
  EXPECT_EQ(first.inbox_prefix, "_INBOX.cred-node");
  std::ifstream users(dir->file("data/bus/users.conf"));
  std::string text((std::istreambuf_iterator<char>(users)), {});
  EXPECT_NE(text.find("node:cred-node"), std::string::npos) << text;
  EXPECT_NE(text.find("skiff.test.node.cred-node.>"), std::string::npos) << text;
  auto [code, output] = test::run_skiffd({"node-credentials", "Not_A_Name", "--data-dir", dir->file("data")});
  EXPECT_EQ(code, 1);
  EXPECT_NE(output.find("Not_A_Name"), std::string::npos) << output;
}

// nats-server refuses every login for the instant it reloads its users: a worker starting
// while the master mints another node's credentials must still get in (cluster.sh starts
// workers one after another, so this is every multi-worker start).
TEST_F(NodeBusCredentials, AWorkerGetsInWhileTheMasterMintsAnothersCredentials) {
  auto steady = node_options("steady-worker");
  std::atomic<bool> minting = true;
  std::thread minter([&] {
    for (int i = 0; i < 8; ++i) node_options("joiner-" + std::to_string(i));
    minting = false;
  });
  int connections = 0;
  std::vector<std::string> refusals;
  while (minting) {
    try {
      sdk::connect_bus(steady);
      ++connections;
    } catch (const sdk::Error& e) {
      refusals.push_back(e.what());
    }
  }
  minter.join();
  EXPECT_GT(connections, 0);
  EXPECT_TRUE(refusals.empty()) << refusals.size() << " of " << connections + refusals.size()
                                << " connections refused, the first: " << refusals.front();
}

TEST_F(NodeBusCredentials, AWorkerCannotUseTheStoresOrAnotherNodesSubjects) {
  auto options = node_options("worker-a");
  node_options("worker-b");
  Warnings warnings;
  auto bus = sdk::connect_bus(options, warnings.sink());

  auto store = bus->subscribe("skiff.test.store.>", [](const sdk::Message&) {});
  EXPECT_TRUE(test::wait_until([&] { return warnings.saw("Subscription to \"skiff.test.store.>\""); }))
      << warnings.all();
  bus->publish("skiff.test.store.put", "x");
  EXPECT_TRUE(test::wait_until([&] { return warnings.saw("Publish to \"skiff.test.store.put\""); })) << warnings.all();
  auto other = bus->subscribe("skiff.test.node.worker-b.>", [](const sdk::Message&) {});
  EXPECT_TRUE(test::wait_until([&] { return warnings.saw("Subscription to \"skiff.test.node.worker-b.>\""); }))
      << warnings.all();
  // Neither the unrestricted API subject nor another node's API subject takes its requests (one
  // at a time: libnats hands the error callback the connection's last error).
  for (std::string subject : {"skiff.test.api.get", "skiff.test.node.worker-b.api.get"}) {
    bus->publish(subject, "");
    EXPECT_TRUE(test::wait_until([&] { return warnings.saw("Publish to \"" + subject + "\""); })) << warnings.all();
  }
  // Nor can it answer its own API subject in the API server's place.
  auto own_api = bus->subscribe("skiff.test.node.worker-a.api.get", [](const sdk::Message&) {});
  EXPECT_TRUE(test::wait_until([&] { return warnings.saw("Subscription to \"skiff.test.node.worker-a.api.get\""); }))
      << warnings.all();
  // Another node's replies: its inbox prefix is not this node's.
  auto inbox = bus->subscribe("_INBOX.worker-b.>", [](const sdk::Message&) {});
  EXPECT_TRUE(test::wait_until([&] { return warnings.saw("Subscription to \"_INBOX.worker-b.>\""); })) << warnings.all();
}

TEST_F(NodeBusCredentials, TheNodeAuthorizerLetsANodeChangeOnlyItselfAndItsPods) {
  auto admin_bus = sdk::connect_bus(master_options());
  sdk::ApiClient admin(*admin_bus, sdk::Subjects("test", "master"));
  auto bus = sdk::connect_bus(node_options("worker-1"));
  sdk::Subjects scoped("test", "worker-1");
  scoped.scope_api_to_node();  // as the SDK does for a plugin whose bus user is node:worker-1
  sdk::ApiClient node(*bus, scoped);

  node.create(node_named("worker-1"));
  expect_forbidden([&] { node.create(node_named("worker-2")); }, {"worker-1", "nodes worker-2"});
  admin.create(node_named("worker-2"));
  auto mine = node.get<core::Node>("", "worker-1");
  mine.mutable_status()->add_conditions()->set_type("Ready");
  node.update(mine, "status");
  auto theirs = node.get<core::Node>("", "worker-2");
  theirs.mutable_status()->add_conditions()->set_type("Ready");
  expect_forbidden([&] { node.update(theirs, "status"); }, {"worker-1", "nodes/status worker-2"});

  core::Secret secret;
  secret.mutable_metadata()->set_name("mine");
  secret.mutable_metadata()->set_namespace_("default");
  admin.create(secret);
  secret.mutable_metadata()->set_name("theirs");
  admin.create(secret);
  admin.create(pod_on("here", "worker-1", "mine"));
  admin.create(pod_on("there", "worker-2", "theirs"));
  auto here = node.get<core::Pod>("default", "here");
  here.mutable_status()->set_phase("Running");
  node.update(here, "status");
  auto there = node.get<core::Pod>("default", "there");
  there.mutable_status()->set_phase("Running");
  expect_forbidden([&] { node.update(there, "status"); }, {"worker-1", "pods/status default/there"});
  here = node.get<core::Pod>("default", "here");
  here.mutable_status()->set_message("batched");
  expect_forbidden([&] { node.update_status_many(std::vector<core::Pod>{here, there}); },
                   {"worker-1", "pods/status default/there"});
  auto batched = node.update_status_many(std::vector<core::Pod>{here});
  EXPECT_EQ(batched.at(0).first.code, 200) << batched.at(0).first.message;
  EXPECT_EQ(batched.at(0).second.status().message(), "batched");
  expect_forbidden([&] { node.update(here); }, {"worker-1", "pods default/here"});
  EXPECT_EQ(node.get<core::Secret>("default", "mine").metadata().name(), "mine");
  expect_forbidden([&] { node.get<core::Secret>("default", "theirs"); }, {"worker-1", "secrets default/theirs"});
  expect_forbidden([&] { node.erase<core::Pod>("default", "there"); }, {"worker-1", "pods default/there"});
  node.erase<core::Pod>("default", "here");
  try {
    node.erase<core::Pod>("default", "never-was");
    ADD_FAILURE() << "deleting a pod that does not exist";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 404) << "a pod already gone is 404, not 403: " << e.what();
  }
}

// The kubelet's log shipper: JetStream publishes to the log stream, acknowledged in its inbox.
TEST_F(NodeBusCredentials, ANodeShipsLogLinesIntoTheLogStream) {
  auto admin_bus = sdk::connect_bus(master_options());
  sdk::Subjects subjects("test", "master");
  admin_bus->jetstream()->ensure_stream({subjects.log_stream(), {subjects.log_lines("*", "*", "*", "*")}});
  auto bus = sdk::connect_bus(node_options("worker-logs"));
  auto stream = bus->jetstream();
  auto result = stream->publish_many({{subjects.log_lines("default", "p", "uid", "c"), "line 1", "id-1"},
                                      {subjects.log_lines("default", "p", "uid", "c"), "line 2", "id-2"}});
  EXPECT_EQ(result.stored, 2u) << result.error.message;
  admin_bus->jetstream()->delete_stream(subjects.log_stream());
}

// A node lists and watches Secrets without their data (TLS ones whole, for the ingress addon).
TEST_F(NodeBusCredentials, SecretsReachANodeRedactedExceptTlsOnes) {
  auto admin_bus = sdk::connect_bus(master_options());
  sdk::ApiClient admin(*admin_bus, sdk::Subjects("test", "master"));
  Warnings warnings;
  auto bus = sdk::connect_bus(node_options("worker-w"), warnings.sink());
  sdk::Subjects scoped("test", "worker-w");
  scoped.scope_api_to_node();
  sdk::ApiClient node(*bus, scoped);

  auto whole = bus->subscribe("skiff.test.watch.core.Secret", [](const sdk::Message&) {});
  EXPECT_TRUE(test::wait_until([&] { return warnings.saw("Subscription to \"skiff.test.watch.core.Secret\""); }))
      << warnings.all();
  std::mutex mutex;
  std::vector<std::string> seen;
  EXPECT_EQ(scoped.watch("", "Secret"), "skiff.test.nodewatch.core.Secret");
  auto relayed = bus->subscribe(scoped.watch("", "Secret"), [&](const sdk::Message& m) {
    std::lock_guard lock(mutex);
    seen.push_back(m.data);
  });
  bus->flush(5s);

  core::Secret opaque;
  opaque.mutable_metadata()->set_name("opaque");
  opaque.mutable_metadata()->set_namespace_("default");
  (*opaque.mutable_data())["password"] = "hunter2";
  admin.create(opaque);
  core::Secret tls = opaque;
  tls.mutable_metadata()->set_name("tls");
  tls.set_type("kubernetes.io/tls");
  tls.clear_data();
  (*tls.mutable_data())["tls.crt"] = "cert";
  (*tls.mutable_data())["tls.key"] = "key";
  admin.create(tls);

  for (const auto& secret : node.list<core::Secret>("default")) {
    if (secret.metadata().name() == "opaque") {
      EXPECT_EQ(secret.data_size(), 0) << "a node lists no secret's data";
    }
    if (secret.metadata().name() == "tls") {
      EXPECT_EQ(secret.data_size(), 2) << "the ingress addon needs TLS secrets";
    }
  }
  ASSERT_TRUE(test::wait_until([&] {
    std::lock_guard lock(mutex);
    return seen.size() >= 2;
  })) << "the API server relays the watch events";
  std::lock_guard lock(mutex);
  for (const auto& data : seen) {
    EXPECT_EQ(data.find("hunter2"), std::string::npos) << "a relayed event carries no secret data";
  }
}

}  // namespace
