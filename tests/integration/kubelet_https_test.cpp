// The kubelet's HTTPS endpoint on a real node (store, apiserver, runtime-sim, kubelet): the port
// it got in the Node's daemonEndpoints, callers authenticated by the apiserver's TokenReview,
// /metrics one valid exposition of the node's kernel and plugins, /stats/summary as JSON.
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <map>
#include <set>
#include <sstream>

#include "api_node.hpp"
#include "http_client.hpp"
#include "kubelet_server.hpp"
#include "skiff/api/stats/v1alpha1/stats.pb.h"
#include "skiff/sdk/status.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace json = boost::json;

class KubeletHttps : public ::testing::Test {
 protected:
  test::ApiNode node{"", "  - name: runtime-sim\n  - name: kubelet\n"
                         "    config: {relist_period: 100ms, server_address: \"127.0.0.1:0\"}\n"};
  test::HttpClient api{node.port(), node.ca_file(), node.token()};

  std::string kubelet_ca() { return node.node().dir().file("data/plugins/kubelet/pki/ca.crt"); }
  int kubelet_port() {
    auto reply = api.request("GET", "/api/v1/nodes/test-node");
    EXPECT_EQ(reply.status, 200) << reply.body;
    return static_cast<int>(json::parse(reply.body).at_pointer("/status/daemonEndpoints/kubeletEndpoint/Port").to_number<int>());
  }
  test::HttpResponse kubelet_get(const std::string& target, const std::string& token) {
    return test::HttpClient(kubelet_port(), kubelet_ca(), token).request("GET", target, "", "", "*/*");
  }
};

TEST_F(KubeletHttps, TheNodeNamesThePortItServesOn) {
  int port = kubelet_port();
  EXPECT_GT(port, 0);
  EXPECT_NE(port, 10250) << "server_address 127.0.0.1:0 picks a free port, and that one is reported";
  auto health = kubelet_get("/healthz", node.token());
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok");
}

TEST_F(KubeletHttps, CallersWithoutAKnownTokenAreUnauthorized) {
  EXPECT_EQ(kubelet_get("/healthz", "").status, 401) << "the kubelet's /healthz on 10250 needs a token too";
  EXPECT_EQ(kubelet_get("/metrics", "").status, 401);
  EXPECT_EQ(kubelet_get("/metrics", "not-a-token-anyone-has").status, 401);
  EXPECT_EQ(kubelet_get("/stats/summary", "not-a-token-anyone-has").status, 401) << "the cached answer holds";
  EXPECT_EQ(kubelet_get("/metrics", node.token()).status, 200);
}

TEST_F(KubeletHttps, UnknownPathsAreNotFound) {
  auto reply = kubelet_get("/pods/../etc", node.token());
  EXPECT_EQ(reply.status, 404) << reply.body;
  EXPECT_EQ(kubelet_get("/metricsx", node.token()).status, 404);
  EXPECT_EQ(kubelet_get("/", node.token()).status, 404);
}

// What a Prometheus parser insists on: a family described once, its samples together.
void expect_valid_exposition(const std::string& text) {
  std::map<std::string, int> help, type;
  std::set<std::string> closed;
  std::string current;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string hash, keyword, name;
    if (line.rfind("# ", 0) == 0) {
      words >> hash >> keyword >> name;
      (keyword == "HELP" ? help : type)[name]++;
      if (name != current) {
        EXPECT_FALSE(closed.contains(name)) << name << " is described again after other families";
        if (!current.empty()) closed.insert(current);
        current = name;
      }
      continue;
    }
    std::string sample = line.substr(0, line.find_first_of("{ "));
    bool in_current = sample == current || sample == current + "_bucket" || sample == current + "_sum" ||
                      sample == current + "_count" || sample == current + "_total";
    if (!in_current) {
      EXPECT_FALSE(closed.contains(sample)) << sample << "'s samples are split";
      if (!current.empty()) closed.insert(current);
      current = sample;
    }
  }
  for (const auto& [name, n] : help) EXPECT_EQ(n, 1) << "# HELP " << name;
  for (const auto& [name, n] : type) EXPECT_EQ(n, 1) << "# TYPE " << name;
}

TEST_F(KubeletHttps, MetricsAreTheNodesKernelAndPluginsInOneValidExposition) {
  api.request("GET", "/api/v1/pods");  // so the apiserver has counted a LIST
  auto reply = kubelet_get("/metrics", node.token());
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.headers["Content-Type"].rfind("text/plain; version=0.0.4", 0), 0u) << reply.headers["Content-Type"];
  expect_valid_exposition(reply.body);
  EXPECT_NE(reply.body.find("skiff_plugin_up{plugin=\"kubelet\""), std::string::npos) << "the kernel's\n" << reply.body;
  EXPECT_NE(reply.body.find("apiserver_request_total{plugin=\"apiserver\",verb=\"LIST\""), std::string::npos)
      << "the apiserver's, labelled with the plugin\n" << reply.body;
}

TEST_F(KubeletHttps, StatsSummaryIsTheKubeletsSummaryAsKubernetesJson) {
  std::string subject = node.node().subjects().kubelet_on("test-node", "stats_summary");
  api::stats::v1alpha1::SummaryRequest probe;
  bool real_kubelet_answers = node.node().bus().request(subject, probe.SerializeAsString(), 2s).ok();
  // Until the stats branch is merged the kubelet serves no summary: a stand-in answers instead.
  std::atomic<int> asked_only_cpu{-1};
  sdk::Subscription stand_in;
  if (!real_kubelet_answers)
    stand_in = node.node().bus().serve(subject, "", [&](sdk::Request request) {
      api::stats::v1alpha1::SummaryRequest asked;
      asked.ParseFromString(std::string(request.data()));
      asked_only_cpu = asked.only_cpu_and_memory() ? 1 : 0;
      api::stats::v1alpha1::Summary summary;
      summary.mutable_node()->set_node_name("test-node");
      summary.mutable_node()->mutable_cpu()->set_usage_nano_cores(1234);
      request.reply(summary.SerializeAsString());
    });
  auto reply = kubelet_get("/stats/summary?only_cpu_and_memory=true", node.token());
  ASSERT_EQ(reply.status, 200) << reply.body;
  json::value summary = json::parse(reply.body);
  EXPECT_EQ(summary.at_pointer("/node/nodeName").as_string(), "test-node") << reply.body;
  if (!real_kubelet_answers) {
    EXPECT_EQ(asked_only_cpu.load(), 1) << "?only_cpu_and_memory=true is passed on";
    EXPECT_EQ(summary.at_pointer("/node/cpu/usageNanoCores").to_number<int>(), 1234) << reply.body;
  }
}

TEST_F(KubeletHttps, AnAuthenticatedCallerTheAuthorizerRefusesIsForbidden) {
  kubelet::ServerSettings settings{"127.0.0.1:0", "", "", node.node().dir().file("forbidding-pki"), "test-node", "127.0.0.1"};
  std::vector<kubelet::NodeRequestAttributes> asked;
  auto log = spdlog::default_logger();
  kubelet::KubeletServer server(node.node().bus(), node.node().subjects(), settings, *log,
                                [&](const kubelet::Caller& caller, const kubelet::NodeRequestAttributes& attributes) {
                                  EXPECT_EQ(caller.user, "admin");
                                  asked.push_back(attributes);
                                  return false;
                                });
  server.start();
  test::HttpClient admin(server.port(), server.ca_file(), node.token());
  auto reply = admin.request("GET", "/stats/summary", "", "", "*/*");
  EXPECT_EQ(reply.status, 403);
  EXPECT_EQ(reply.body, "Forbidden (user=admin, verb=get, resource=nodes, subresource(s)=[stats])\n");
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].name, "test-node");
  EXPECT_EQ(test::HttpClient(server.port(), server.ca_file(), "").request("GET", "/stats/summary").status, 401);
}

TEST_F(KubeletHttps, ATakenPortNamesTheAddressAndTheConfigKey) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::acceptor taken(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  std::string address = "127.0.0.1:" + std::to_string(taken.local_endpoint().port());
  kubelet::ServerSettings settings{address, "", "", node.node().dir().file("taken-pki"), "test-node", "127.0.0.1"};
  kubelet::KubeletServer server(node.node().bus(), node.node().subjects(), settings, *spdlog::default_logger());
  try {
    server.start();
    FAIL() << "started on a taken port";
  } catch (const sdk::Error& e) {
    std::string message = e.what();
    EXPECT_NE(message.find(address), std::string::npos) << message;
    EXPECT_NE(message.find("server_address"), std::string::npos) << message;
  }
}

}  // namespace

namespace {

using namespace skiff;
using namespace std::chrono_literals;

// Without server_address the kubelet listens where Kubernetes' does: the node's InternalIP
// (here node_ip 127.0.0.1, so nothing leaves loopback), port 10250 — hence the suite's
// RESOURCE_LOCK.
TEST(KubeletHttpsDefaults, ItServesOnTheNodesInternalIpAndPort10250) {
  test::ApiNode node{"", "  - name: runtime-sim\n  - name: kubelet\n    config: {node_ip: 127.0.0.1}\n"};
  test::HttpClient api{node.port(), node.ca_file(), node.token()};
  auto reply = api.request("GET", "/api/v1/nodes/test-node");
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(boost::json::parse(reply.body).at_pointer("/status/daemonEndpoints/kubeletEndpoint/Port").to_number<int>(),
            10250);
  test::HttpClient kubelet{10250, node.node().dir().file("data/plugins/kubelet/pki/ca.crt"), node.token()};
  auto health = kubelet.request("GET", "/healthz", "", "", "*/*");
  EXPECT_EQ(health.status, 200);
  EXPECT_EQ(health.body, "ok");
}

}  // namespace
