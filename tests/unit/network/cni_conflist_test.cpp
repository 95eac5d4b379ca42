// The node's conflist: what it asks of the CNI plugins, and that it never replaces another's.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <filesystem>
#include <fstream>

#include "cni_conflist.hpp"
#include "skiff/sdk/status.hpp"
#include "temp_dir.hpp"

namespace {

using namespace skiff;
namespace json = boost::json;

network::ConflistOptions options() {
  network::ConflistOptions o;
  o.bridge = "cni7";
  o.pod_cidr = *sdk::Ipv4Cidr::parse("10.244.3.0/24");
  o.ipam_dir = "/var/lib/skiff/plugins/network/ipam";
  return o;
}

TEST(NetworkConflist, BridgeWithTheNodesSubnetPortmapAndLoopback) {
  json::object list = json::parse(network::conflist_json(options())).as_object();
  EXPECT_EQ(list.at("cniVersion"), "1.0.0");
  EXPECT_EQ(list.at("name"), "skiff");
  const auto& plugins = list.at("plugins").as_array();
  ASSERT_EQ(plugins.size(), 3u);
  const auto& bridge = plugins[0].as_object();
  EXPECT_EQ(bridge.at("type"), "bridge");
  EXPECT_EQ(bridge.at("bridge"), "cni7");
  EXPECT_EQ(bridge.at("isGateway"), true);
  EXPECT_EQ(bridge.at("hairpinMode"), true);
  EXPECT_EQ(bridge.at("ipMasq"), false);
  const auto& ipam = bridge.at("ipam").as_object();
  EXPECT_EQ(ipam.at("type"), "host-local");
  EXPECT_EQ(ipam.at("dataDir"), "/var/lib/skiff/plugins/network/ipam");
  const auto& range = ipam.at("ranges").as_array()[0].as_array()[0].as_object();
  EXPECT_EQ(range.at("subnet"), "10.244.3.0/24");
  EXPECT_EQ(range.at("gateway"), "10.244.3.1");
  EXPECT_EQ(plugins[1].at("type"), "portmap");
  EXPECT_EQ(plugins[1].at("capabilities").at("portMappings"), true);
  EXPECT_EQ(plugins[2].at("type"), "loopback");
  EXPECT_FALSE(bridge.contains("mtu"));
}

TEST(NetworkConflist, RewritesItsOwnFileButNeverAnothers) {
  test::TempDir dir;
  std::string file = dir.file(network::kConflistFile);
  network::write_conflist(dir.path(), network::conflist_json(options()));
  auto other = options();
  other.pod_cidr = *sdk::Ipv4Cidr::parse("10.244.4.0/24");
  network::write_conflist(dir.path(), network::conflist_json(other));  // ours: replaced
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_NE(text.find("10.244.4.0/24"), std::string::npos) << text;

  std::ofstream(file) << R"({"cniVersion":"1.0.0","name":"flannel","plugins":[]})";
  try {
    network::write_conflist(dir.path(), network::conflist_json(options()));
    FAIL() << "another network's conflist was overwritten";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 409);
    EXPECT_NE(e.status().message.find("skiff did not write it"), std::string::npos) << e.status().message;
  }
  EXPECT_FALSE(std::filesystem::exists(file + ".tmp"));
}

}  // namespace
