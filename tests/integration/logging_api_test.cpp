// logging.skiff.io/v1 podlogs through the apiserver's HTTPS port with the logging addon on a
// bus with JetStream: discovery, every path and query parameter, binary lines, Status errors
// (400, 401, 404, 503 without the addon), a followed stream, and `skiffd logs`.
#include <gtest/gtest.h>

#include <sstream>

#include <boost/json.hpp>

#include "api_node.hpp"
#include "command.hpp"
#include "http_client.hpp"
#include "logging_lines.hpp"
#include "plugin_node.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace json = boost::json;

constexpr std::int64_t kSecond = 1'000'000'000;
const test::PodOfLines kWeb1{"shop", "web-1", "uid-web-1", "node-a", {{"app", "web"}}};
const test::PodOfLines kWeb2{"shop", "web-2", "uid-web-2", "node-b", {{"app", "web"}}};
const test::PodOfLines kJob{"batch", "job-1", "uid-job-1", "node-a", {{"app", "job"}}};
constexpr const char* kGroup = "/apis/logging.skiff.io/v1";

using Lines = std::vector<std::string>;

class LoggingApi : public ::testing::Test {
 protected:
  void SetUp() override {
    js = node.node().bus().jetstream();
    base = test::unix_nano_now() - 3600 * kSecond;
    for (int i : {1, 3}) ship(kWeb1, "nginx", "web-1 line " + std::to_string(i), i);
    ship(kWeb1, "sidecar", "sidecar ERROR disk full", 5);
    ship(kWeb2, "nginx", "web-2 line 2", 2);
    ship(kJob, "main", "job line 0", 0);
  }
  void ship(const test::PodOfLines& pod, const std::string& container, const std::string& text, int second) {
    test::ship(*js, node.node().subjects(), pod, container, text, base + second * kSecond);
  }

  json::value get(const std::string& target, int expected = 200) {
    auto r = http.request("GET", target);
    EXPECT_EQ(r.status, expected) << target << ": " << r.body;
    boost::system::error_code ec;
    json::value v = json::parse(r.body, ec);
    return ec ? json::value() : v;
  }
  Lines lines(const std::string& target) {
    Lines out;
    json::value list = get(target);
    if (!list.is_object() || !list.as_object().contains("items")) return out;
    for (const auto& item : list.at("items").as_array()) out.push_back(std::string(item.at("line").as_string()));
    return out;
  }
  test::CommandResult skiffd_logs(std::vector<std::string> args) {
    std::vector<std::string> argv = {test::skiffd_binary(), "logs", "--kubeconfig", node.kubeconfig()};
    argv.insert(argv.end(), args.begin(), args.end());
    return test::run_command(argv, {}, 30s);
  }

  test::ApiNode node{"", "  - name: logging\n", "test-node", /*jetstream=*/true};
  test::HttpClient http{node.port(), node.ca_file(), node.token()};
  std::unique_ptr<sdk::JetStream> js;
  std::int64_t base = 0;
};

TEST_F(LoggingApi, TheGroupIsDiscoverable) {
  EXPECT_TRUE(test::wait_until(
      [&] {
        auto groups = get("/apis");
        for (const auto& g : groups.at("groups").as_array())
          if (g.at("name") == "logging.skiff.io") return true;
        return false;
      },
      10s));
  auto resources = get(kGroup);
  EXPECT_EQ(resources.at("groupVersion"), "logging.skiff.io/v1");
  const auto& podlogs = resources.at("resources").at(0);
  EXPECT_EQ(podlogs.at("name"), "podlogs");
  EXPECT_EQ(podlogs.at("namespaced"), true);
  EXPECT_EQ(podlogs.at("verbs"), (json::array{"get", "list"}));
  auto kubectl = node.kubectl("/usr/bin/kubectl", {"api-resources", "--api-group=logging.skiff.io"});
  EXPECT_EQ(kubectl.exit_code, 0) << kubectl.both();
  EXPECT_NE(kubectl.out.find("podlogs"), std::string::npos) << kubectl.both();
}

TEST_F(LoggingApi, EveryPathAndParameterSelectsItsLines) {
  EXPECT_EQ(lines(std::string(kGroup) + "/podlogs").size(), 5u);
  EXPECT_EQ(lines(std::string(kGroup) + "/namespaces/batch/podlogs"), (Lines{"job line 0"}));
  EXPECT_EQ(lines(std::string(kGroup) + "/namespaces/shop/podlogs/web-1?container=nginx"),
            (Lines{"web-1 line 1", "web-1 line 3"}));
  EXPECT_EQ(lines(std::string(kGroup) + "/namespaces/shop/podlogs?labelSelector=app%3Dweb&container=nginx"),
            (Lines{"web-1 line 1", "web-2 line 2", "web-1 line 3"}));
  EXPECT_EQ(lines(std::string(kGroup) + "/podlogs?node=node-b"), (Lines{"web-2 line 2"}));
  EXPECT_EQ(lines(std::string(kGroup) + "/podlogs?grep=ERR%28OR%29%3F"), (Lines{"sidecar ERROR disk full"}));
  EXPECT_EQ(lines(std::string(kGroup) + "/podlogs?contains=line%203"), (Lines{"web-1 line 3"}));
  EXPECT_EQ(lines(std::string(kGroup) + "/podlogs?limit=2&reverse=true"), (Lines{"sidecar ERROR disk full", "web-1 line 3"}));
  EXPECT_TRUE(lines(std::string(kGroup) + "/podlogs?sinceSeconds=60").empty()) << "every line is an hour old";
  auto list = get(std::string(kGroup) + "/namespaces/shop/podlogs?limit=1");
  EXPECT_EQ(list.at("kind"), "PodLogList");
  EXPECT_EQ(list.at("truncated"), true);
  const auto& item = list.at("items").at(0);
  EXPECT_EQ(item.at("namespace"), "shop");
  EXPECT_EQ(item.at("pod"), "web-1");
  EXPECT_EQ(item.at("podUID"), "uid-web-1");
  EXPECT_EQ(item.at("container"), "nginx");
  EXPECT_EQ(item.at("node"), "node-a");
  EXPECT_EQ(item.at("stream"), "stdout");
  EXPECT_EQ(item.at("labels").at("app"), "web");
  EXPECT_EQ(std::string(item.at("time").as_string()).back(), 'Z');
}

TEST_F(LoggingApi, KubectlGetPodlogsPrintsATable) {
  auto got = node.kubectl("/usr/bin/kubectl", {"get", "podlogs", "-n", "shop", "-l", "app=web"});
  EXPECT_EQ(got.exit_code, 0) << got.both();
  std::istringstream out(got.out);
  Lines printed;
  for (std::string line; std::getline(out, line);) printed.push_back(line);
  ASSERT_EQ(printed.size(), 5u) << got.out;  // the header and 4 lines
  EXPECT_EQ(printed[0].rfind("TIME", 0), 0u) << printed[0];
  for (const char* column : {"POD", "CONTAINER", "LINE"}) EXPECT_NE(printed[0].find(column), std::string::npos);
  EXPECT_NE(printed[4].find("web-1"), std::string::npos) << printed[4];
  EXPECT_NE(printed[4].find("sidecar ERROR disk full"), std::string::npos) << printed[4];
  auto wide = node.kubectl("/usr/bin/kubectl", {"get", "podlogs", "-A", "-o", "wide"});
  EXPECT_EQ(wide.exit_code, 0) << wide.both();
  EXPECT_NE(wide.out.find("NAMESPACE"), std::string::npos) << wide.out;
  EXPECT_NE(wide.out.find("node-b"), std::string::npos) << wide.out;
  EXPECT_NE(wide.out.find("batch"), std::string::npos) << wide.out;
}

TEST_F(LoggingApi, BinaryLinesAreEscapedAndGivenExactly) {
  ship(kJob, "main", std::string("\x01\xff\xfe" "end", 6), 9);
  auto list = get(std::string(kGroup) + "/namespaces/batch/podlogs?contains=end");
  const auto& item = list.at("items").at(0);
  EXPECT_EQ(item.at("line"), "\x01\\xFF\\xFEend");
  EXPECT_EQ(item.at("lineBase64"), "Af/+ZW5k");
}

TEST_F(LoggingApi, ErrorsAreStatusObjectsWithTheirCodes) {
  auto bad_regex = get(std::string(kGroup) + "/podlogs?grep=%28unclosed", 400);
  EXPECT_EQ(bad_regex.at("kind"), "Status");
  EXPECT_NE(std::string(bad_regex.at("message").as_string()).find("grep"), std::string::npos);
  auto bad_selector = get(std::string(kGroup) + "/podlogs?labelSelector=app%20in%20web", 400);
  EXPECT_NE(std::string(bad_selector.at("message").as_string()).find("labelSelector"), std::string::npos);
  get(std::string(kGroup) + "/podlogs?limit=lots", 400);
  get(std::string(kGroup) + "/podlogs?sinceTime=yesterday", 400);
  get(std::string(kGroup) + "/nodelogs", 404);
  test::HttpClient anonymous{node.port(), node.ca_file(), ""};
  EXPECT_EQ(anonymous.request("GET", std::string(kGroup) + "/podlogs").status, 401);
  EXPECT_EQ(http.request("DELETE", std::string(kGroup) + "/namespaces/shop/podlogs/web-1").status, 405);
}

TEST_F(LoggingApi, FollowStreamsJsonLinesAsTheyAreShipped) {
  Lines seen;
  std::string pending;
  bool shipped = false;
  int status = http.stream(
      std::string(kGroup) + "/namespaces/shop/podlogs/web-2?follow=true",
      [&](const std::string& chunk) {
        pending += chunk;
        for (std::size_t end; (end = pending.find('\n')) != std::string::npos; pending.erase(0, end + 1)) {
          json::value v = json::parse(pending.substr(0, end));
          seen.push_back(std::string(v.at("line").as_string()));
        }
        if (seen.size() == 1 && !shipped) {
          shipped = true;
          ship(kWeb1, "nginx", "other pod", 10);
          ship(kWeb2, "nginx", "web-2 live", 11);
        }
        return seen.size() < 2;
      },
      20s);
  EXPECT_EQ(status, 200);
  EXPECT_EQ(seen, (Lines{"web-2 line 2", "web-2 live"}));
}

TEST_F(LoggingApi, SkiffdLogsReadsThroughTheApiServer) {
  auto one = skiffd_logs({"-n", "shop", "web-1", "-c", "nginx"});
  EXPECT_EQ(one.exit_code, 0) << one.both();
  EXPECT_EQ(one.out, "web-1 line 1\nweb-1 line 3\n");
  auto several = skiffd_logs({"-n", "shop", "-l", "app=web", "-c", "nginx"});
  EXPECT_EQ(several.out, "[web-1/nginx] web-1 line 1\n[web-2/nginx] web-2 line 2\n[web-1/nginx] web-1 line 3\n")
      << several.both();
  auto grep = skiffd_logs({"-A", "--grep", "ERR(OR)?", "--since", "2h"});
  EXPECT_EQ(grep.out, "sidecar ERROR disk full\n") << grep.both();
  auto newest = skiffd_logs({"-A", "--limit", "1", "--reverse"});
  EXPECT_EQ(newest.out, "sidecar ERROR disk full\n");
  EXPECT_NE(newest.err.find("more lines matched than the limit"), std::string::npos) << newest.err;
  auto bad = skiffd_logs({"-A", "--grep", "(unclosed"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("not a valid ECMAScript regular expression"), std::string::npos) << bad.err;
}

TEST_F(LoggingApi, SkiffdLogsFollowPrintsNewLines) {
  test::TempDir dir;
  test::SkiffdProcess tail({"logs", "--kubeconfig", node.kubeconfig(), "-n", "shop", "web-2", "-f"}, dir.file("out"));
  EXPECT_TRUE(test::wait_until([&] { return tail.output_contains("web-2 line 2\n"); }, 15s)) << tail.output();
  ship(kWeb2, "nginx", "web-2 followed", 12);
  EXPECT_TRUE(test::wait_until([&] { return tail.output_contains("web-2 followed\n"); }, 15s)) << tail.output();
  tail.terminate();
}

TEST(LoggingApiWithoutAddon, PodLogsAreUnavailable) {
  test::ApiNode node;
  test::HttpClient http{node.port(), node.ca_file(), node.token()};
  auto r = http.request("GET", std::string(kGroup) + "/podlogs");
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_NE(r.body.find("add `- {name: logging}`"), std::string::npos) << r.body;
  EXPECT_EQ(http.request("GET", "/apis").body.find("logging.skiff.io"), std::string::npos);
}

}  // namespace
