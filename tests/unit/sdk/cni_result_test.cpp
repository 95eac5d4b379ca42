// CNI results read from what plugins print, and plugin failures as Status messages that name
// the plugin, the command, the network and what the plugin said.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <functional>

#include "skiff/sdk/cni/plugin_error.hpp"
#include "skiff/sdk/cni/result.hpp"
#include "skiff/sdk/status.hpp"

namespace {

using namespace skiff::sdk;
using namespace skiff::sdk::cni;
using namespace std::chrono_literals;

// What Debian's bridge plugin (1.1.1) prints, plus a route, DNS and a field of its own.
constexpr const char* kBridgeResult = R"({
  "cniVersion": "1.0.0",
  "interfaces": [
    {"name": "cni0", "mac": "be:44:9f:bf:6d:bc"},
    {"name": "veth4fe659b3", "mac": "16:ad:38:3d:4d:f7"},
    {"name": "eth0", "mac": "ba:12:4a:da:e7:68", "sandbox": "/proc/42/ns/net"}
  ],
  "ips": [{"interface": 2, "address": "10.244.1.7/24", "gateway": "10.244.1.1"}],
  "routes": [{"dst": "0.0.0.0/0", "gw": "10.244.1.1"}],
  "dns": {"nameservers": ["10.96.0.10"], "domain": "cluster.local", "search": ["default.svc.cluster.local"], "options": ["ndots:5"]},
  "x-extra": 1
})";

std::string error_of(const std::function<void()>& call) {
  try {
    call();
  } catch (const Error& e) {
    return std::to_string(e.status().code) + " " + e.status().message;
  }
  return "no error";
}

TEST(CniResult, ReadsInterfacesIpsRoutesAndDns) {
  Result r = parse_result(std::string_view(kBridgeResult), "bridge");
  EXPECT_EQ(r.cni_version, "1.0.0");
  ASSERT_EQ(r.interfaces.size(), 3u);
  EXPECT_EQ(r.interfaces[2].name, "eth0");
  EXPECT_EQ(r.interfaces[2].mac, "ba:12:4a:da:e7:68");
  EXPECT_EQ(r.interfaces[2].sandbox, "/proc/42/ns/net");
  EXPECT_EQ(r.interfaces[0].sandbox, "") << "a host interface";
  ASSERT_EQ(r.ips.size(), 1u);
  EXPECT_EQ(r.ips[0].address, "10.244.1.7/24");
  EXPECT_EQ(r.ips[0].ip(), "10.244.1.7");
  EXPECT_EQ(r.ips[0].gateway, "10.244.1.1");
  EXPECT_EQ(r.ips[0].interface, 2u);
  ASSERT_EQ(r.routes.size(), 1u);
  EXPECT_EQ(r.routes[0].dst, "0.0.0.0/0");
  EXPECT_EQ(r.routes[0].gw, "10.244.1.1");
  EXPECT_EQ(r.dns.nameservers, std::vector<std::string>{"10.96.0.10"});
  EXPECT_EQ(r.dns.domain, "cluster.local");
  EXPECT_EQ(r.dns.search, std::vector<std::string>{"default.svc.cluster.local"});
  EXPECT_EQ(r.dns.options, std::vector<std::string>{"ndots:5"});
  EXPECT_TRUE(r.json.contains("x-extra")) << "the JSON is kept whole: it is the next plugin's prevResult";
}

TEST(CniResult, AnIpamResultHasNoInterfaces) {
  Result r = parse_result(std::string_view(R"({"cniVersion": "1.0.0", "ips": [{"address": "10.1.0.5/16", "gateway": "10.1.0.1"}]})"));
  EXPECT_TRUE(r.interfaces.empty());
  EXPECT_FALSE(r.ips[0].interface);
  EXPECT_EQ(r.sandbox_ip("/proc/1/ns/net"), "10.1.0.5") << "no interface says: the first IP";
}

TEST(CniResult, TheSandboxIpIsOnTheContainersInterfaceAndNeverLoopback) {
  Result r = parse_result(std::string_view(R"({"cniVersion": "1.0.0",
      "interfaces": [{"name": "lo", "sandbox": "/ns"}, {"name": "cni0"}, {"name": "eth0", "sandbox": "/ns"}],
      "ips": [{"interface": 0, "address": "127.0.0.1/8"}, {"interface": 1, "address": "10.0.0.1/24"},
              {"interface": 2, "address": "fd00::5/64"}, {"interface": 2, "address": "10.0.0.5/24"}]})"));
  EXPECT_EQ(r.sandbox_ip("/ns"), "10.0.0.5");
  EXPECT_EQ(r.sandbox_ip("/ns", "6"), "fd00::5");
  EXPECT_EQ(r.sandbox_ip("/other"), "10.0.0.1") << "no interface in that sandbox: the first IPv4 that is not loopback";
  EXPECT_EQ(parse_result(std::string_view(R"({"cniVersion": "1.0.0"})")).sandbox_ip("/ns"), "");
}

TEST(CniResult, MalformedResultsNameThePlugin) {
  struct Case {
    const char* text;
    const char* says;
  } cases[] = {
      {"oops", "not JSON"},
      {"[]", "not a JSON object"},
      {R"({"ips": {"address": "10.0.0.1/24"}})", "'ips' is not a list"},
      {R"({"ips": ["10.0.0.1/24"]})", "an item of 'ips' is not an object"},
      {R"({"ips": [{"address": "10.0.0.1"}]})", "not in CIDR form"},
      {R"({"interfaces": [{"name": "eth0"}], "ips": [{"address": "10.0.0.1/24", "interface": 1}]})", "names interface 1 of 1"},
  };
  for (const auto& c : cases) {
    std::string error = error_of([&] { parse_result(std::string_view(c.text), "bridge"); });
    EXPECT_EQ(error.rfind("500 CNI plugin bridge returned a malformed result: ", 0), 0u) << c.text << " → " << error;
    EXPECT_NE(error.find(c.says), std::string::npos) << c.text << " → " << error;
  }
}

const PluginRun kRun{"host-local", Command::Add, "pods"};

TEST(CniPluginError, TheErrorResultOnStdoutIsTheMessage) {
  Status s = plugin_failure(kRun, "exit code 1",
                            R"({"cniVersion": "1.0.0", "code": 7, "msg": "Invalid Configuration", "details": "Network 192.168.0.0/31 too small"})",
                            "some log line\n");
  EXPECT_EQ(s.code, 500);
  EXPECT_EQ(s.message,
            "CNI plugin host-local (ADD on network pods) failed: Invalid Configuration: Network 192.168.0.0/31 too small "
            "(CNI error code 7)");
}

TEST(CniPluginError, AnErrorResultOnStderrCountsToo) {
  Status s = plugin_failure({"bridge", Command::Del, "pods"}, "exit code 1", "", R"({"code": 999, "msg": "invalid CIDR address: bogus"})");
  EXPECT_EQ(s.message, "CNI plugin bridge (DEL on network pods) failed: invalid CIDR address: bogus (CNI error code 999)");
}

TEST(CniPluginError, TryAgainLaterAndNotAvailableAre503) {
  for (int code : {11, 50, 51}) {
    Status s = plugin_failure(kRun, "exit code 1", R"({"code": )" + std::to_string(code) + R"(, "msg": "busy"})", "");
    EXPECT_EQ(s.code, 503) << code;
    EXPECT_EQ(s.reason, "ServiceUnavailable");
  }
}

TEST(CniPluginError, WithoutAnErrorResultItSaysHowThePluginEndedAndWhatItPrinted) {
  Status s = plugin_failure(kRun, "signal 11 (Segmentation fault)", "", "  panic: runtime error\n");
  EXPECT_EQ(s.code, 500);
  EXPECT_EQ(s.message, "CNI plugin host-local (ADD on network pods) failed with signal 11 (Segmentation fault): panic: runtime error");
  EXPECT_EQ(plugin_failure(kRun, "exit code 2", "", "").message,
            "CNI plugin host-local (ADD on network pods) failed with exit code 2");
  std::string flood(10000, 'x');
  EXPECT_LT(plugin_failure(kRun, "exit code 1", "", flood).message.size(), 2200u) << "long output is cut to its end";
}

TEST(CniPluginError, TimeoutsAndMissingPluginsSayWhatToDo) {
  Status late = plugin_timeout({"bridge", Command::Check, "pods"}, 1500ms, "waiting for lock\n");
  EXPECT_EQ(late.code, 504);
  EXPECT_EQ(late.message, "CNI plugin bridge (CHECK on network pods) did not finish within 1.5s and was killed; it wrote: waiting for lock");
  Status missing = plugin_missing({"flannel", Command::Add, "pods"}, {"/usr/lib/cni", "/opt/cni/bin"});
  EXPECT_EQ(missing.code, 500);
  EXPECT_NE(missing.message.find("no executable 'flannel' in /usr/lib/cni, /opt/cni/bin; install it there"), std::string::npos)
      << missing.message;
}

}  // namespace
