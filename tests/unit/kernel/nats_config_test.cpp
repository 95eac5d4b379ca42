// The embedded bus's nats.conf: one master's file unchanged, and the cluster block of several.
#include <gtest/gtest.h>

#include "nats_config.hpp"
#include "profile.hpp"

namespace {

using namespace skiff::kernel;

NatsConfigInput input_of(EmbeddedBusSettings settings) {
  settings.port = settings.port ? settings.port : 4222;
  return {settings, "/data/bus", "prod", "routepw"};
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

TEST(NatsConfig, LoneServerHasNoClusterBlockNorName) {
  std::string text = nats_config_text(input_of({}));
  EXPECT_TRUE(has(text, "listen: \"127.0.0.1:4222\"\n")) << text;
  EXPECT_TRUE(has(text, "authorization { include \"users.conf\" }\n")) << text;
  EXPECT_TRUE(has(text, "jetstream { store_dir: \"/data/bus/jetstream\", max_memory_store: 256MB, max_file_store: 4GB }"))
      << text;
  EXPECT_FALSE(has(text, "cluster")) << text;
  EXPECT_FALSE(has(text, "server_name")) << text;
  EXPECT_FALSE(has(text, "routepw")) << text;
}

TEST(NatsConfig, ClusteredServerNamesItselfAndRoutesWithTheSharedUser) {
  EmbeddedBusSettings s;
  s.host = "10.213.15.10";
  s.cluster_port = 6222;
  s.routes = {"10.213.15.11:6222", "nats-route://10.213.15.12:6222"};
  s.server_name = "skh-master-1";
  std::string text = nats_config_text(input_of(s));
  EXPECT_TRUE(has(text, "server_name: \"skh-master-1\"\n")) << text;
  EXPECT_TRUE(has(text, "listen: \"10.213.15.10:4222\"\n")) << text;
  EXPECT_TRUE(has(text, "cluster {\n  name: \"skiff-prod\"\n  listen: \"10.213.15.10:6222\"\n")) << text;
  EXPECT_TRUE(has(text, "authorization { user: \"skiff-route\", password: \"routepw\" }")) << text;
  EXPECT_TRUE(has(text, "routes: [\"nats-route://skiff-route:routepw@10.213.15.11:6222\", "
                        "\"nats-route://skiff-route:routepw@10.213.15.12:6222\"]"))
      << text;
  // JetStream stays on: with a cluster block and a server name it is clustered JetStream.
  EXPECT_TRUE(has(text, "jetstream {")) << text;
}

TEST(NatsConfig, FirstOfSeveralMayHaveNoRoutesYet) {
  EmbeddedBusSettings s;
  s.cluster_port = 6222;
  s.server_name = "m1";
  EXPECT_TRUE(has(nats_config_text(input_of(s)), "routes: []")) << nats_config_text(input_of(s));
}

TEST(NatsConfig, ARouteThatIsNoHostAndPortIsRefused) {
  EXPECT_THROW(route_url("10.0.0.1", "x"), ProfileError);
  EXPECT_THROW(route_url("nats://10.0.0.1:4222", "x"), ProfileError);
  EXPECT_EQ(route_url("m2.lan:6222", "x"), "nats-route://skiff-route:x@m2.lan:6222");
}

TEST(NatsConfig, ProfileReadsTheClusterKeys) {
  Profile p = parse_profile(R"(
node: skh-master-2
bus: {embedded: true, host: 10.0.0.2, port: 4222, cluster_port: 6222, routes: ["10.0.0.1:6222", "10.0.0.3:6222"]}
)", "m.yaml");
  ASSERT_TRUE(p.embedded_bus);
  EXPECT_EQ(p.embedded_bus->cluster_port, 6222);
  EXPECT_EQ(p.embedded_bus->routes, (std::vector<std::string>{"10.0.0.1:6222", "10.0.0.3:6222"}));
  EXPECT_EQ(p.embedded_bus->server_name, "skh-master-2");  // the node, unless named
}

TEST(NatsConfig, ProfileRefusesRoutesWithoutAClusterPort) {
  try {
    parse_profile("bus: {embedded: true, routes: [\"10.0.0.1:6222\"]}\n", "m.yaml");
    FAIL() << "routes without cluster_port were accepted";
  } catch (const ProfileError& e) {
    EXPECT_TRUE(has(e.what(), "cluster_port")) << e.what();
  }
  try {
    parse_profile("bus: {embedded: true, cluster_port: 6222, routes: [\"no-port\"]}\n", "m.yaml");
    FAIL() << "a route without a port was accepted";
  } catch (const ProfileError& e) {
    EXPECT_TRUE(has(e.what(), "no-port")) << e.what();
  }
}

}  // namespace
