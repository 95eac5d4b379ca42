// The SDK's CNI helper running plugins for real: fake plugins (shell scripts) show the order,
// the chaining of results, the environment, failures and the deadline; Debian's plugins
// (loopback, bridge + host-local, portmap) attach a network namespace of the test's own.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/json.hpp>

#include <cstdlib>
#include <fstream>

#include "cni_lab.hpp"
#include "command.hpp"
#include "skiff/sdk/cni/cni_network.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/testing/process.hpp"
#include "temp_dir.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace skiff::sdk::cni;
using namespace std::chrono_literals;
namespace json = boost::json;

// A directory of fake plugins that record each call (stdin, CNI_* environment, order).
class FakePlugins {
 public:
  // `body` runs after the recording; $DIR is the directory, $me the plugin's name.
  void add(const std::string& name, const std::string& body) {
    write(name, "DIR=" + dir_.path() + "\nme=" + name +
                    "\ncat > \"$DIR/$CNI_COMMAND-$me.stdin\"\n"
                    "env | grep '^CNI_' | sort > \"$DIR/$CNI_COMMAND-$me.env\"\n"
                    "echo \"$CNI_COMMAND $me\" >> \"$DIR/calls\"\n" +
                    body);
  }
  // A plugin that runs `script` and records nothing.
  void write(const std::string& name, const std::string& script) {
    std::string path = dir_.file(name);
    std::ofstream(path) << "#!/bin/sh\n" << script << "\n";
    chmod(path.c_str(), 0755);
  }
  // A plugin that prints `result` on ADD.
  void add_result(const std::string& name, const std::string& result) {
    add(name, "[ \"$CNI_COMMAND\" = ADD ] && printf '%s' '" + result + "'\nexit 0");
  }
  std::string dir() const { return dir_.path(); }
  std::string read(const std::string& file) const { return test::read_file(dir_.file(file)); }
  json::object stdin_of(const std::string& command, const std::string& plugin) const {
    return json::parse(read(command + "-" + plugin + ".stdin")).as_object();
  }

 private:
  test::TempDir dir_;
};

NetworkConfigList list_of(std::initializer_list<std::string> types, const std::string& name = "chain") {
  json::array plugins;
  for (const auto& type : types) plugins.push_back(json::object{{"type", type}, {"own", type + "-setting"}});
  return parse_network_config_list(json::serialize(json::object{{"cniVersion", "1.0.0"}, {"name", name}, {"plugins", plugins}}));
}

Attachment attachment(const std::string& netns = "/proc/1/ns/net") {
  Attachment a;
  a.container_id = "c0ffee";
  a.netns = netns;
  a.args = {{"IgnoreUnknown", "1"}, {"K8S_POD_NAME", "web"}};
  return a;
}

constexpr const char* kFirst = R"({"cniVersion":"1.0.0","ips":[{"address":"10.9.0.5/24"}]})";
constexpr const char* kSecond =
    R"({"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/proc/1/ns/net"}],"ips":[{"address":"10.9.0.5/24","interface":0}]})";

TEST(CniChain, AddRunsThePluginsInOrderEachGivenThePreviousResult) {
  FakePlugins plugins;
  plugins.add_result("first", kFirst);
  plugins.add_result("second", kSecond);
  setenv("CNI_LEFTOVER", "from-the-runtime", 1);  // the runtime's own CNI_* must not reach plugins
  CniNetwork network(list_of({"first", "second"}), {{plugins.dir(), "/nowhere"}, 10s});
  Result result = network.add(attachment());
  unsetenv("CNI_LEFTOVER");

  EXPECT_EQ(plugins.read("calls"), "ADD first\nADD second\n");
  EXPECT_EQ(result.json, json::parse(kSecond)) << "the last plugin's result";
  EXPECT_EQ(result.sandbox_ip("/proc/1/ns/net"), "10.9.0.5");
  json::object first = plugins.stdin_of("ADD", "first");
  EXPECT_FALSE(first.contains("prevResult"));
  EXPECT_EQ(first.at("name"), "chain");
  EXPECT_EQ(first.at("cniVersion"), "1.0.0");
  EXPECT_EQ(first.at("own"), "first-setting");
  EXPECT_EQ(plugins.stdin_of("ADD", "second").at("prevResult"), json::parse(kFirst));
  EXPECT_EQ(plugins.read("ADD-first.env"),
            "CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAME=web\nCNI_COMMAND=ADD\nCNI_CONTAINERID=c0ffee\nCNI_IFNAME=eth0\n"
            "CNI_NETNS=/proc/1/ns/net\nCNI_PATH=" + plugins.dir() + ":/nowhere\n");
}

TEST(CniChain, DelRunsInReverseAndCheckInOrderBothWithTheAddResult) {
  FakePlugins plugins;
  plugins.add_result("first", kFirst);
  plugins.add_result("second", kSecond);
  CniNetwork network(list_of({"first", "second"}), {{plugins.dir()}, 10s});
  Result added = network.add(attachment());
  network.check(attachment(), added);
  network.del(attachment(), added);
  EXPECT_EQ(plugins.read("calls"), "ADD first\nADD second\nCHECK first\nCHECK second\nDEL second\nDEL first\n");
  for (const char* command : {"CHECK", "DEL"})
    for (const char* plugin : {"first", "second"})
      EXPECT_EQ(plugins.stdin_of(command, plugin).at("prevResult"), json::parse(kSecond)) << command << " " << plugin;
  EXPECT_NE(plugins.read("DEL-first.env").find("CNI_COMMAND=DEL\n"), std::string::npos);

  Attachment gone = attachment("");
  network.del(gone, std::nullopt);  // the result lost, the namespace gone: DEL still runs
  EXPECT_FALSE(plugins.stdin_of("DEL", "first").contains("prevResult"));
  EXPECT_NE(plugins.read("DEL-first.env").find("CNI_NETNS=\n"), std::string::npos);
}

TEST(CniChain, CheckIsSkippedWhenTheListDisablesIt) {
  FakePlugins plugins;
  plugins.add_result("first", kFirst);
  auto list = list_of({"first"});
  list.disable_check = true;
  CniNetwork network(list, {{plugins.dir()}, 10s});
  network.check(attachment(), network.add(attachment()));
  EXPECT_EQ(plugins.read("calls"), "ADD first\n");
}

TEST(CniChain, AFailingPluginStopsTheChainAndIsNamedWithWhatItSaid) {
  FakePlugins plugins;
  plugins.add_result("first", kFirst);
  plugins.add("second", R"(echo '{"cniVersion":"1.0.0","code":7,"msg":"bad subnet","details":"10.0.0.0/33"}'; exit 1)");
  plugins.add_result("third", kSecond);
  CniNetwork network(list_of({"first", "second", "third"}, "pods"), {{plugins.dir()}, 10s});
  try {
    network.add(attachment());
    ADD_FAILURE() << "a failing plugin's ADD succeeded";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 500);
    EXPECT_EQ(e.status().message, "CNI plugin second (ADD on network pods) failed: bad subnet: 10.0.0.0/33 (CNI error code 7)");
  }
  EXPECT_EQ(plugins.read("calls"), "ADD first\nADD second\n") << "third never ran";

  plugins.add("second", "echo 'panic: nil map' >&2; exit 2");
  try {
    network.add(attachment());
    ADD_FAILURE() << "a crashing plugin's ADD succeeded";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().message, "CNI plugin second (ADD on network pods) failed with exit code 2: panic: nil map");
  }
}

TEST(CniChain, AHungPluginIsKilledAtItsDeadlineWithWhatItStarted) {
  FakePlugins plugins;
  plugins.add("hung", "sleep 300 & echo $! > \"$DIR/sleeper\"; echo 'waiting for a lock' >&2; wait");
  CniNetwork network(list_of({"hung"}), {{plugins.dir()}, 300ms});
  try {
    network.add(attachment());
    ADD_FAILURE() << "a hung plugin's ADD returned";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 504);
    EXPECT_EQ(e.status().message,
              "CNI plugin hung (ADD on network chain) did not finish within 300ms and was killed; it wrote: waiting for a lock");
  }
  pid_t sleeper = std::stoi(plugins.read("sleeper"));
  EXPECT_TRUE(test::wait_until([&] {
    return kill(sleeper, 0) != 0 || test::read_file("/proc/" + std::to_string(sleeper) + "/stat").find(") Z ") != std::string::npos;
  })) << "the plugin's own child was killed with it";
}

TEST(CniChain, APluginThatIgnoresItsInputDoesNotHurtTheRuntime) {
  FakePlugins plugins;
  plugins.write("deaf", "printf '%s' '" + std::string(kFirst) + "'");  // never reads its stdin
  auto list = list_of({"deaf"});
  list.plugins[0]["padding"] = std::string(4 << 20, 'x');  // far more than a pipe holds
  Result result = CniNetwork(list, {{plugins.dir()}, 10s}).add(attachment());  // SIGPIPE would end this test
  EXPECT_EQ(result.sandbox_ip(""), "10.9.0.5");
}

TEST(CniChain, AMissingPluginNamesTheDirsSearched) {
  CniNetwork network(list_of({"no-such-plugin"}), {{"/usr/lib/cni", "/opt/cni/bin"}, 10s});
  try {
    network.add(attachment());
    ADD_FAILURE() << "a missing plugin ran";
  } catch (const sdk::Error& e) {
    EXPECT_NE(e.status().message.find("no executable 'no-such-plugin' in /usr/lib/cni, /opt/cni/bin"), std::string::npos)
        << e.status().message;
  }
}

// Debian's plugins on a namespace of the test's own: a pod's network, end to end.
class CniNetworkTest : public ::testing::Test {
 protected:
  test::CniLab lab;
  std::string netns = lab.add_netns();
  Attachment pod = [this] {
    Attachment a = attachment("/run/netns/" + netns);
    a.container_id = "skiff-cni-test-" + std::to_string(getpid());
    a.args = {{"IgnoreUnknown", "1"}, {"K8S_POD_NAMESPACE", "default"}, {"K8S_POD_NAME", "web"},
              {"K8S_POD_INFRA_CONTAINER_ID", a.container_id}};
    return a;
  }();
};

TEST_F(CniNetworkTest, AddAndDelAttachANamespaceToTheBridge) {
  int host_port = test::free_port();
  pod.capability_args["portMappings"] =
      json::array{json::object{{"hostPort", host_port}, {"containerPort", 8080}, {"protocol", "tcp"}}};
  CniNetwork network(parse_network_config_list(lab.conflist_json()));
  ASSERT_TRUE(lab.nat_rules().empty());

  Result added = network.add(pod);
  std::string ip = added.sandbox_ip(pod.netns);
  ASSERT_EQ(ip.rfind(lab.prefix(), 0), 0u) << "an IP from the lab's subnet: " << json::serialize(added.json);
  EXPECT_EQ(added.ips.at(0).gateway, lab.gateway());
  EXPECT_NE(test::run_in_netns(netns, {"ip", "-4", "addr", "show", "eth0"}).out.find("inet " + ip + "/24"), std::string::npos);
  EXPECT_NE(test::run_in_netns(netns, {"ip", "link", "show", "lo"}).out.find(",UP"), std::string::npos) << "loopback is up";
  EXPECT_EQ(lab.reserved_ips(), std::vector<std::string>{ip});
  std::string rules;
  for (const auto& rule : lab.nat_rules()) rules += rule + "\n";
  EXPECT_NE(rules.find("--to-destination " + ip + ":8080"), std::string::npos) << "portmap's hostPort:\n" << rules;

  // Traffic stays on the lab's bridge: the host to the pod, directly and through the hostPort.
  test::TempDir www;
  std::ofstream(www.file("index.html")) << "hello from the namespace\n";
  test::SpawnSpec httpd;
  httpd.argv = {"ip", "netns", "exec", netns, "busybox", "httpd", "-f", "-p", "8080", "-h", www.path()};
  test::ChildProcess server(httpd);
  const std::string get = "GET / HTTP/1.0\r\n\r\n";
  EXPECT_TRUE(test::wait_until([&] { return test::tcp_exchange(ip, 8080, get).find("hello from the namespace") != std::string::npos; }))
      << "the pod's IP answers";
  EXPECT_NE(test::tcp_exchange(lab.gateway(), host_port, get).find("hello from the namespace"), std::string::npos)
      << "the hostPort on the node's address reaches the pod";
  server.kill();

  network.del(pod, added);
  EXPECT_NE(test::run_in_netns(netns, {"ip", "link", "show", "eth0"}).exit_code, 0) << "eth0 is gone";
  EXPECT_TRUE(lab.reserved_ips().empty()) << "host-local released the IP";
  EXPECT_TRUE(lab.nat_rules().empty()) << "portmap removed its rules";
  network.del(pod, added);  // DEL is idempotent
}

TEST_F(CniNetworkTest, CheckPassesUntilTheAttachmentIsBroken) {
  CniNetwork network(parse_network_config_list(lab.conflist_json(/*with_portmap=*/false)));
  Result added = network.add(pod);
  network.check(pod, added);
  ASSERT_EQ(test::run_in_netns(netns, {"ip", "addr", "flush", "dev", "eth0"}).exit_code, 0);
  try {
    network.check(pod, added);
    ADD_FAILURE() << "CHECK passed with the pod's address gone";
  } catch (const sdk::Error& e) {
    EXPECT_NE(e.status().message.find("CNI plugin bridge (CHECK on network " + lab.network() + ") failed"), std::string::npos)
        << e.status().message;
  }
  network.del(pod, added);
  EXPECT_TRUE(lab.reserved_ips().empty());
}

TEST_F(CniNetworkTest, AFailedAddIsUndoneByDelWithoutAResult) {
  FakePlugins plugins;
  plugins.add("refuse", R"([ "$CNI_COMMAND" = ADD ] && { echo '{"code":11,"msg":"not yet"}'; exit 1; }; exit 0)");
  auto list = parse_network_config_list(lab.conflist_json());
  list.plugins.push_back(json::object{{"type", "refuse"}});
  CniNetwork network(list, {{"/usr/lib/cni", plugins.dir()}, 30s});
  try {
    network.add(pod);
    ADD_FAILURE() << "ADD passed a refusing plugin";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 503) << e.status().message;
  }
  EXPECT_EQ(lab.reserved_ips().size(), 1u) << "bridge and host-local did their part before the refusal";
  network.del(pod, std::nullopt);
  EXPECT_TRUE(lab.reserved_ips().empty()) << "DEL without ADD's result still releases the IP";
  EXPECT_NE(test::run_in_netns(netns, {"ip", "link", "show", "eth0"}).exit_code, 0);
}

}  // namespace
