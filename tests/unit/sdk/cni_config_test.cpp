// CNI network configuration lists: parsing, the one a runtime picks from a directory, and what
// each plugin is given (CNI spec 1.0, section 3: name and cniVersion injected, runtimeConfig
// from declared capabilities, prevResult) with the CNI_* environment.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <functional>

#include "skiff/sdk/cni/network_config.hpp"
#include "skiff/sdk/cni/request.hpp"
#include "skiff/sdk/status.hpp"
#include "temp_dir.hpp"

namespace {

using namespace skiff::sdk;
using namespace skiff::sdk::cni;
namespace json = boost::json;

constexpr const char* kList = R"({
  "cniVersion": "1.0.0", "name": "pods", "disableCheck": true,
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "ipam": {"type": "host-local", "subnet": "10.1.0.0/24"}},
    {"type": "portmap", "capabilities": {"portMappings": true, "bandwidth": false}, "snat": true}
  ]})";

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return std::to_string(e.status().code) + " " + e.status().message;
  }
  return "no error";
}

TEST(CniConfig, ParsesAList) {
  NetworkConfigList list = parse_network_config_list(kList, "10-pods.conflist");
  EXPECT_EQ(list.cni_version, "1.0.0");
  EXPECT_EQ(list.name, "pods");
  EXPECT_TRUE(list.disable_check);
  ASSERT_EQ(list.plugins.size(), 2u);
  EXPECT_EQ(list.plugins[0].at("type"), "bridge");
  EXPECT_EQ(list.plugins[0].at("bridge"), "cni0") << "a plugin's own keys are kept";
  EXPECT_EQ(list.source, "10-pods.conflist");
  EXPECT_EQ(parse_network_config_list(json::serialize(list.to_json())).plugins, list.plugins) << "to_json round-trips";
}

TEST(CniConfig, ASinglePluginConfigurationIsAListOfOne) {
  auto list = parse_network_config_list(R"({"cniVersion": "0.4.0", "name": "old", "type": "bridge", "bridge": "b0"})");
  ASSERT_EQ(list.plugins.size(), 1u);
  EXPECT_EQ(list.plugins[0].at("bridge"), "b0");
}

TEST(CniConfig, RefusesWhatTheSpecForbidsNamingTheFile) {
  struct Case {
    const char* text;
    const char* says;
  } cases[] = {
      {"{not json", "not JSON"},
      {R"([1, 2])", "not a JSON object"},
      {R"({"name": "n", "plugins": [{"type": "bridge"}]})", "no 'cniVersion'"},
      {R"({"cniVersion": "1.0.0", "name": "-bad", "plugins": [{"type": "bridge"}]})", "'name' \"-bad\""},
      {R"({"cniVersion": "1.0.0", "name": "n", "plugins": []})", "'plugins' must be a non-empty list"},
      {R"({"cniVersion": "1.0.0", "name": "n", "plugins": [{"bridge": "b"}]})", "plugin 0 has no 'type'"},
      {R"({"cniVersion": "1.0.0", "name": "n", "plugins": [{"type": "../bin/sh"}]})", "is not a file name"},
      {R"({"cniVersion": 1, "name": "n", "plugins": [{"type": "bridge"}]})", "'cniVersion' must be a string"},
  };
  for (const auto& c : cases) {
    std::string error = error_of([&] { parse_network_config_list(c.text, "/etc/x.conflist"); });
    EXPECT_EQ(error.rfind("422 CNI network configuration /etc/x.conflist: ", 0), 0u) << c.text << " → " << error;
    EXPECT_NE(error.find(c.says), std::string::npos) << c.text << " → " << error;
  }
}

TEST(CniConfig, ADirectoryGivesItsFirstConfigurationFileByName) {
  skiff::test::TempDir dir;
  EXPECT_FALSE(load_network_config_list(dir.path())) << "an empty directory has none";
  EXPECT_FALSE(load_network_config_list(dir.file("missing"))) << "a missing directory has none";
  std::ofstream(dir.file("README.txt")) << "not a config";
  EXPECT_FALSE(load_network_config_list(dir.path())) << "only .conflist, .conf and .json count";
  std::ofstream(dir.file("20-second.conflist")) << R"({"cniVersion": "1.0.0", "name": "second", "plugins": [{"type": "b"}]})";
  std::ofstream(dir.file("10-first.conf")) << R"({"cniVersion": "1.0.0", "name": "first", "type": "b"})";
  auto list = load_network_config_list(dir.path());
  ASSERT_TRUE(list);
  EXPECT_EQ(list->name, "first");
  EXPECT_EQ(list->source, dir.file("10-first.conf"));
  std::ofstream(dir.file("05-broken.json")) << "{";
  EXPECT_NE(error_of([&] { load_network_config_list(dir.path()); }).find(dir.file("05-broken.json")), std::string::npos)
      << "a broken first file is an error naming it, not skipped";
}

TEST(CniConfig, EachPluginGetsTheNameVersionAndOnlyTheCapabilitiesItDeclares) {
  auto list = parse_network_config_list(kList);
  json::object args{{"portMappings", json::array{json::object{{"hostPort", 8080}, {"containerPort", 80}, {"protocol", "tcp"}}}},
                    {"bandwidth", json::object{{"ingressRate", 1}}},
                    {"ips", json::array{"10.1.0.9"}}};
  json::object bridge = plugin_request(list, 0, args, nullptr);
  EXPECT_EQ(bridge.at("name"), "pods");
  EXPECT_EQ(bridge.at("cniVersion"), "1.0.0");
  EXPECT_EQ(bridge.at("ipam").at("subnet"), "10.1.0.0/24");
  EXPECT_FALSE(bridge.contains("runtimeConfig")) << "bridge declares no capability";
  EXPECT_FALSE(bridge.contains("prevResult")) << "the first ADD has no previous result";

  json::object prev{{"cniVersion", "1.0.0"}, {"ips", json::array{json::object{{"address", "10.1.0.2/24"}}}}};
  json::object portmap = plugin_request(list, 1, args, &prev);
  EXPECT_EQ(portmap.at("runtimeConfig"), json::object({{"portMappings", args.at("portMappings")}}))
      << "only portMappings: bandwidth is declared false, ips not at all";
  EXPECT_FALSE(portmap.contains("capabilities")) << "the spec says capabilities must not be set";
  EXPECT_EQ(portmap.at("prevResult"), prev);
  EXPECT_EQ(portmap.at("snat"), true);
  EXPECT_FALSE(plugin_request(list, 1, {}, nullptr).contains("runtimeConfig")) << "no args, no runtimeConfig";
}

TEST(CniConfig, TheListsOwnNameVersionAndReservedKeysWin) {
  auto list = parse_network_config_list(R"({"cniVersion": "1.0.0", "name": "pods", "plugins": [
      {"type": "bridge", "name": "other", "cniVersion": "0.1.0", "runtimeConfig": {"x": 1}, "prevResult": {"y": 2}}]})");
  json::object request = plugin_request(list, 0, {}, nullptr);
  EXPECT_EQ(request.at("name"), "pods");
  EXPECT_EQ(request.at("cniVersion"), "1.0.0");
  EXPECT_FALSE(request.contains("runtimeConfig"));
  EXPECT_FALSE(request.contains("prevResult"));
}

TEST(CniConfig, TheEnvironmentCarriesTheAttachment) {
  Attachment pod;
  pod.container_id = "abc123";
  pod.netns = "/proc/42/ns/net";
  pod.args = {{"IgnoreUnknown", "1"}, {"K8S_POD_NAMESPACE", "default"}, {"K8S_POD_NAME", "web"}};
  EXPECT_EQ(plugin_environment(Command::Add, pod, {"/usr/lib/cni", "/opt/cni/bin"}),
            (std::vector<std::string>{"CNI_COMMAND=ADD", "CNI_CONTAINERID=abc123", "CNI_NETNS=/proc/42/ns/net",
                                      "CNI_IFNAME=eth0", "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAMESPACE=default;K8S_POD_NAME=web",
                                      "CNI_PATH=/usr/lib/cni:/opt/cni/bin"}));
  EXPECT_EQ(plugin_environment(Command::Del, pod, {})[0], "CNI_COMMAND=DEL");
  EXPECT_EQ(plugin_environment(Command::Check, pod, {})[0], "CNI_COMMAND=CHECK");
}

TEST(CniConfig, AttachmentsThatBreakTheSpecAreRefused) {
  Attachment good;
  good.container_id = "abc";
  good.netns = "/proc/1/ns/net";
  EXPECT_EQ(error_of([&] { validate(good, Command::Add); }), "no error");
  auto with = [&](auto change) {
    Attachment a = good;
    change(a);
    return a;
  };
  EXPECT_NE(error_of([&] { validate(with([](Attachment& a) { a.container_id = "_x"; }), Command::Add); }).find("400 CNI ADD: the container ID"),
            std::string::npos);
  EXPECT_NE(error_of([&] { validate(with([](Attachment& a) { a.ifname = "a-very-long-ifname"; }), Command::Add); }).find("interface name"),
            std::string::npos);
  EXPECT_NE(error_of([&] { validate(with([](Attachment& a) { a.netns.clear(); }), Command::Add); }).find("no network namespace"),
            std::string::npos);
  EXPECT_EQ(error_of([&] { validate(with([](Attachment& a) { a.netns.clear(); }), Command::Del); }), "no error")
      << "DEL runs without a namespace (the container may be gone)";
  EXPECT_NE(error_of([&] { validate(with([](Attachment& a) { a.args = {{"A", "x;y"}}; }), Command::Add); }).find("CNI_ARGS"),
            std::string::npos);
}

}  // namespace
