// hello in a real skiffd on a real nats-server (the SDK's testing kit), answering over the bus.
#include <gtest/gtest.h>

#include <skiff/kernel/v1/kernel.pb.h>
#include <skiff/sdk/bus_proto.hpp>
#include <skiff/testing/skiffd.hpp>

namespace {

using namespace std::chrono_literals;

TEST(Hello, GreetsWhoeverPingsIt) {
  skiff::test::NatsServer nats;
  skiff::test::PluginNode node(nats, "  - name: hello\n    config: {greeting: Ahoy}\n", "hello-node", {SKIFF_PLUGIN_DIR});
  node.start();

  skiff::kernel::v1::Ping ping;
  ping.set_message("sailor");
  auto pong = skiff::sdk::call<skiff::kernel::v1::Pong>(node.bus(), node.subjects().plugin("hello", "greet"), ping, 5s);
  EXPECT_EQ(pong.message(), "Ahoy, sailor!");
  EXPECT_EQ(pong.served_by(), "hello-node/hello");
}

TEST(Hello, ARefusedConfigNamesTheKey) {
  skiff::test::NatsServer nats;
  skiff::test::PluginNode node(nats, "  - name: hello\n    config: {greting: Ahoy}\n", "hello-node", {SKIFF_PLUGIN_DIR});
  try {
    node.start();
    FAIL() << "a misspelt key was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("unknown config key 'greting'"), std::string::npos) << e.what();
  }
}

}  // namespace
