// The ingress addon on a real cluster (ctest label "cluster"): every node of `make cluster` serves
// Ingresses on its address, ports 8080/8443; this test is the client from the lab's bridge (the
// host end, 10.213.10.1) and the backends are http-echo pods — nothing leaves the machine.
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <regex>
#include <thread>

#include "cluster_fixture.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;

const std::string kData = SKIFF_TEST_CLUSTER_DIR;
const std::string kLan = "10.213.10";
const std::string kCluster = "ski";
const std::string kWorker1 = kCluster + "-worker-1", kWorker2 = kCluster + "-worker-2";
const std::string kHttpPort = "8080", kHttpsPort = "8443";  // scripts/cluster.sh's INGRESS_*_PORT

struct Answer {
  int code = 0;
  std::string body;
  std::string location;
};

// A backend container: http-echo on 8080 answering with `name`, ready once it answers.
std::string echo_container(const std::string& name) {
  return "  - name: echo\n    image: skiff/busybox:1\n    imagePullPolicy: IfNotPresent\n"
         "    volumeMounts: [{name: tools, mountPath: /tools}]\n"
         "    command: [sh, -c, 'exec /tools/http-echo 8080 " + name + "']\n"
         "    readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 1}\n";
}

std::string backend(const std::string& service, const std::string& port) {
  bool named = !port.empty() && !std::isdigit(static_cast<unsigned char>(port[0]));
  return "{service: {name: " + service + ", port: {" + (named ? "name: " : "number: ") + port + "}}}";
}

std::string path(const std::string& value, const std::string& type, const std::string& to) {
  return "      - {path: " + value + ", pathType: " + type + ", backend: " + to + "}\n";
}

std::string rule(const std::string& host, const std::string& paths) {
  return "  - host: \"" + host + "\"\n    http:\n      paths:\n" + paths;
}

std::string ingress(const std::string& name, const std::string& spec) {
  return "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: " + name + "}\nspec:\n" + spec;
}

class Ingress : public test::ClusterFixture {
 protected:
  static void SetUpTestSuite() {
    start_lab({kData, kLan, "skiff-lan-i", kCluster});
    if (!lab) return;
    std::filesystem::copy_file(SKIFF_TEST_HTTP_ECHO, data + "/tools/http-echo",
                               std::filesystem::copy_options::overwrite_existing);
    create_pod("echo-a", kWorker1, echo_container("a"), "app: a");
    create_pod("echo-b", kWorker2, echo_container("b"), "app: b");
    service("a", "  selector: {app: a}\n  ports: [{name: http, port: 80, targetPort: 8080}]\n");
    service("b", "  selector: {app: b}\n  ports: [{name: web, port: 8000, targetPort: 8080}]\n");
    running("echo-a");
    running("echo-b");
  }
  static void TearDownTestSuite() { stop_lab(); }

  static void service(const std::string& name, const std::string& spec) {
    ok({"apply", "-f", "-"}, "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + "}\nspec:\n" + spec);
  }

  // curl from the host end of the lab's bridge; `extra` adds curl options (-H, --resolve …).
  static Answer get(const std::string& url, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> argv{"curl", "-sS", "-m", "5", "-w", "\n%{http_code} %{redirect_url}"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back(url);
    auto result = test::run_command(argv, {}, 10s);
    Answer answer;
    auto last = result.out.rfind('\n');
    if (last == std::string::npos) return {0, result.both(), ""};
    std::istringstream status(result.out.substr(last + 1));
    status >> answer.code >> answer.location;
    answer.body = result.out.substr(0, last);
    if (answer.code == 0) answer.body += result.err;
    return answer;
  }

  // GET http://<node>:8080<target> with that Host header.
  static Answer at(int node, const std::string& host, const std::string& target) {
    return get("http://" + lab->node_ip(node) + ":" + kHttpPort + target, {"-H", "Host: " + host});
  }

  static std::string served_by(int node, const std::string& host, const std::string& target) {
    Answer answer = at(node, host, target);
    std::smatch name;
    if (answer.code != 200 || !std::regex_search(answer.body, name, std::regex("name=(\\S+)")))
      return std::to_string(answer.code) + ": " + answer.body;
    return name[1];
  }

  // Waits until `host` + `target` is answered by `name` on `node` (routes arrive asynchronously).
  static bool until_served(int node, const std::string& host, const std::string& target, const std::string& name) {
    return test::wait_until([&] { return served_by(node, host, target) == name; }, 30s, 100ms);
  }

  // wrk with keep-alive from the bridge against `host` on worker-1, for `seconds`, in a thread.
  static std::thread load(const std::string& host, int seconds, test::CommandResult& result) {
    return std::thread([&result, host, seconds] {
      result = test::run_command({"wrk", "-t1", "-c8", "-d" + std::to_string(seconds) + "s", "-H", "Host: " + host,
                                  "http://" + lab->node_ip(1) + ":" + kHttpPort + "/"},
                                 {}, std::chrono::seconds(seconds + 30));
    });
  }

  // No request failed: wrk printed neither socket errors nor non-2xx answers, and did some.
  static void expect_no_failure(const test::CommandResult& load) {
    EXPECT_EQ(load.exit_code, 0) << load.both();
    EXPECT_EQ(load.out.find("Socket errors"), std::string::npos) << load.out;
    EXPECT_EQ(load.out.find("Non-2xx"), std::string::npos) << load.out;
    std::smatch total;
    ASSERT_TRUE(std::regex_search(load.out, total, std::regex("(\\d+) requests in"))) << load.out;
    EXPECT_GT(std::stol(total[1]), 100) << load.out;
    std::cout << "wrk: " << total[0] << " with neither socket errors nor non-2xx answers\n";
  }

  static std::size_t ready_endpoints(const std::string& service) {
    std::string ready = kubectl({"get", "endpointslices", "-l", "kubernetes.io/service-name=" + service, "-o",
                                 "jsonpath={range .items[*].endpoints[*]}{.conditions.ready} {end}"})
                            .out;
    std::size_t count = 0;
    for (auto at = ready.find("true"); at != std::string::npos; at = ready.find("true", at + 1)) ++count;
    return count;
  }
};

TEST_F(Ingress, RoutesByHostAndPathWithEveryPathTypeOnEveryNode) {
  ok({"apply", "-f", "-"},
     ingress("routes", "  defaultBackend: " + backend("a", "80") + "\n  rules:\n" +
                           rule("shop.test", path("/exact", "Exact", backend("b", "web")) +
                                                 path("/api", "Prefix", backend("b", "8000")) +
                                                 path("/api/v2", "Prefix", backend("a", "http")) +
                                                 path("/impl", "ImplementationSpecific", backend("b", "web"))) +
                           rule("*.wild.test", path("/", "Prefix", backend("b", "web")))));
  for (int node = 0; node <= 2; ++node) {
    SCOPED_TRACE(lab->node(node));
    ASSERT_TRUE(until_served(node, "shop.test", "/exact", "b")) << served_by(node, "shop.test", "/exact");
    EXPECT_EQ(served_by(node, "shop.test", "/exact/"), "a") << "Exact is the whole path; else the default backend";
    EXPECT_EQ(served_by(node, "shop.test", "/api"), "b");
    EXPECT_EQ(served_by(node, "shop.test", "/api/"), "b");
    EXPECT_EQ(served_by(node, "shop.test", "/api/v1/items?x=1"), "b");
    EXPECT_EQ(served_by(node, "shop.test", "/apix"), "a") << "Prefix matches whole path elements";
    EXPECT_EQ(served_by(node, "shop.test", "/api/v2/items"), "a") << "the longest prefix wins";
    EXPECT_EQ(served_by(node, "shop.test", "/impl/x"), "b");
    EXPECT_EQ(served_by(node, "SHOP.test:8080", "/api"), "b") << "hosts match without case and port";
    EXPECT_EQ(served_by(node, "x.wild.test", "/any"), "b");
    EXPECT_EQ(served_by(node, "x.y.wild.test", "/any"), "a") << "a wildcard covers one label only";
    EXPECT_EQ(served_by(node, "wild.test", "/"), "a");
    EXPECT_EQ(served_by(node, "other.test", "/"), "a");
  }
  Answer answer = at(1, "shop.test", "/api/v1/items?x=1");
  EXPECT_NE(answer.body.find("path=/api/v1/items?x=1 host=shop.test xff=" + kLan + ".1 proto=http fhost=shop.test id="),
            std::string::npos) << answer.body;
  EXPECT_TRUE(std::regex_search(answer.body, std::regex(" id=[0-9a-f]{16,}"))) << "a request id is made: " << answer.body;
  // From inside the cluster too: worker-2's namespace to worker-1's ingress.
  std::string inside = in_netns(kWorker2, {"curl", "-sS", "-m", "5", "-H", "Host: shop.test",
                                           "http://" + lab->node_ip(1) + ":" + kHttpPort + "/api"});
  EXPECT_NE(inside.find("name=b path=/api host=shop.test xff=" + lab->node_ip(2) + " "), std::string::npos) << inside;

  std::string addresses;
  EXPECT_TRUE(test::wait_until([&] {
    addresses = jsonpath("ingress/routes", "{.status.loadBalancer.ingress[*].ip}");
    return std::count(addresses.begin(), addresses.end(), ' ') == 2;
  }, 30s, 200ms)) << addresses;
  for (int node = 0; node <= 2; ++node) EXPECT_NE(addresses.find(lab->node_ip(node)), std::string::npos) << addresses;
  EXPECT_NE(ok({"get", "ingress", "routes"}).find("skiff"), std::string::npos) << "the default class is ours";

  // Its default backend caught every host; gone with it (the other tests expect 404s).
  ok({"delete", "ingress", "routes"});
  EXPECT_TRUE(test::wait_until([] { return at(1, "other.test", "/").code == 404; }, 30s, 100ms))
      << served_by(1, "other.test", "/");
}

TEST_F(Ingress, TerminatesTlsByServerNameAndRedirectsPlainHttp) {
  for (const std::string name : {"a", "b"}) {
    std::string host = name + ".tls.test", file = data + "/tls-" + name;
    auto made = test::run_command({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
                                   "/CN=" + host, "-addext", "subjectAltName=DNS:" + host, "-keyout", file + ".key",
                                   "-out", file + ".crt"});
    ASSERT_EQ(made.exit_code, 0) << made.both();
    ok({"create", "secret", "tls", "tls-" + name, "--cert", file + ".crt", "--key", file + ".key"});
  }
  ok({"apply", "-f", "-"},
     ingress("tls", "  tls:\n  - {hosts: [a.tls.test], secretName: tls-a}\n  - {hosts: [b.tls.test], secretName: tls-b}\n"
                    "  rules:\n" + rule("a.tls.test", path("/", "Prefix", backend("a", "80"))) +
                    rule("b.tls.test", path("/", "Prefix", backend("b", "web")))));
  std::string ip = lab->node_ip(2);
  auto https = [&](const std::string& name) {
    std::string host = name + ".tls.test";
    return get("https://" + host + ":" + kHttpsPort + "/secure",
               {"--cacert", data + "/tls-" + name + ".crt", "--resolve", host + ":" + kHttpsPort + ":" + ip});
  };
  Answer a;
  ASSERT_TRUE(test::wait_until([&] { return (a = https("a")).code == 200; }, 30s, 200ms)) << a.code << " " << a.body;
  EXPECT_NE(a.body.find("name=a path=/secure host=a.tls.test:8443"), std::string::npos) << a.body;
  EXPECT_NE(a.body.find("proto=https"), std::string::npos) << a.body;
  Answer b = https("b");
  EXPECT_EQ(b.code, 200) << "b's certificate is chosen by SNI: " << b.body;
  EXPECT_NE(b.body.find("name=b"), std::string::npos) << b.body;

  Answer plain = get("http://a.tls.test:" + kHttpPort + "/x?y=1", {"--resolve", "a.tls.test:" + kHttpPort + ":" + ip});
  EXPECT_EQ(plain.code, 308) << plain.body;
  EXPECT_EQ(plain.location, "https://a.tls.test:" + kHttpsPort + "/x?y=1");
}

TEST_F(Ingress, WebSocketsAreTunnelled) {
  ok({"apply", "-f", "-"}, ingress("ws", "  rules:\n" + rule("ws.test", path("/", "Prefix", backend("b", "web")))));
  ASSERT_TRUE(until_served(1, "ws.test", "/", "b")) << served_by(1, "ws.test", "/");
  namespace beast = boost::beast;
  boost::asio::io_context context;
  beast::websocket::stream<boost::asio::ip::tcp::socket> socket(context);
  boost::asio::ip::tcp::resolver resolver(context);
  boost::asio::connect(socket.next_layer(), resolver.resolve(lab->node_ip(1), kHttpPort));
  socket.handshake("ws.test", "/chat");
  for (const std::string& message : std::vector<std::string>{"hello", std::string(100000, 'x'), "bye"}) {
    socket.write(boost::asio::buffer(message));
    beast::flat_buffer buffer;
    socket.read(buffer);
    EXPECT_EQ(beast::buffers_to_string(buffer.data()), message);
  }
  socket.close(beast::websocket::close_code::normal);
}

TEST_F(Ingress, EndpointChurnLosesNoRequest) {
  ok({"apply", "-f", "-"},
     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: churn}\nspec:\n  replicas: 3\n"
     "  selector: {matchLabels: {app: churn}}\n  template:\n    metadata: {labels: {app: churn}}\n    spec:\n"
     "      terminationGracePeriodSeconds: 5\n"  // serving on after SIGTERM: the proxy must stop first

     "      volumes: [{name: tools, hostPath: {path: " + data + "/tools}}]\n      containers:\n"
     "      - name: echo\n        image: skiff/busybox:1\n        imagePullPolicy: IfNotPresent\n"
     "        volumeMounts: [{name: tools, mountPath: /tools}]\n"
     "        command: [sh, -c, 'exec /tools/http-echo 8080 churn']\n"
     "        readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 1}\n");
  service("churn", "  selector: {app: churn}\n  ports: [{port: 80, targetPort: 8080}]\n");
  ok({"apply", "-f", "-"}, ingress("churn", "  rules:\n" + rule("churn.test", path("/", "Prefix", backend("churn", "80")))));
  ASSERT_TRUE(test::wait_until([] { return ready_endpoints("churn") == 3; }, 90s, 200ms)) << ready_endpoints("churn");
  ASSERT_TRUE(until_served(1, "churn.test", "/", "churn"));

  test::CommandResult result;
  std::thread wrk = load("churn.test", 40, result);
  ok({"scale", "deployment", "churn", "--replicas=1"});
  std::string pods;
  EXPECT_TRUE(test::wait_until([&] {
    pods = kubectl({"get", "pods", "-l", "app=churn", "-o", "name"}).out;
    return std::count(pods.begin(), pods.end(), '\n') == 1;
  }, 60s, 200ms)) << "scaled down to one pod: " << pods;
  ok({"scale", "deployment", "churn", "--replicas=3"});
  EXPECT_TRUE(test::wait_until([] { return ready_endpoints("churn") == 3; }, 60s, 200ms)) << ready_endpoints("churn");
  wrk.join();
  expect_no_failure(result);
}

TEST_F(Ingress, EditsUnderLoadLoseNoRequest) {
  std::string base = rule("edit.test", path("/", "Prefix", backend("a", "80")));
  ok({"apply", "-f", "-"}, ingress("edit", "  rules:\n" + base));
  ASSERT_TRUE(until_served(1, "edit.test", "/", "a"));
  test::CommandResult result;
  std::thread wrk = load("edit.test", 30, result);
  for (int change = 0; change < 10; ++change) {
    std::string host = "extra-" + std::to_string(change) + ".test";
    ok({"apply", "-f", "-"}, ingress("edit", "  rules:\n" + base + rule(host, path("/", "Prefix", backend("b", "web")))));
    EXPECT_TRUE(until_served(1, host, "/", "b")) << host << ": " << served_by(1, host, "/");
  }
  EXPECT_EQ(at(1, "extra-0.test", "/").code, 404) << "a host the edits took out again has no rule";
  wrk.join();
  expect_no_failure(result);
}

TEST_F(Ingress, BackendsWithoutEndpointsAnswer503AndMissingServicesAreReported) {
  service("empty", "  selector: {app: nobody}\n  ports: [{port: 80, targetPort: 8080}]\n");
  ok({"apply", "-f", "-"},
     ingress("gaps", "  rules:\n" + rule("empty.test", path("/", "Prefix", backend("empty", "80"))) +
                         rule("missing.test", path("/", "Prefix", backend("missing", "80")))));
  Answer empty;
  EXPECT_TRUE(test::wait_until([&] { return (empty = at(1, "empty.test", "/")).code == 503; }, 30s, 200ms))
      << empty.code << " " << empty.body;
  EXPECT_EQ(at(1, "missing.test", "/").code, 503);
  EXPECT_EQ(at(1, "nobody.test", "/").code, 404) << "no rule, no default backend";
  std::string events;
  EXPECT_TRUE(test::wait_until([&] {
    events = kubectl({"get", "events", "--field-selector", "involvedObject.name=gaps", "-o",
                      "jsonpath={range .items[*]}{.type} {.reason}: {.message}{\"\\n\"}{end}"}).out;
    return events.find("Warning ServiceNotFound") != std::string::npos;
  }, 30s, 200ms)) << events;
  EXPECT_NE(events.find("missing"), std::string::npos) << events;
}

TEST_F(Ingress, AnInvalidIngressIsRefusedNamingTheField) {
  auto refused = kubectl({"apply", "-f", "-"},
                         ingress("bad", "  rules:\n" + rule("bad.test", path("/", "Sideways", backend("a", "80")))));
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("spec.rules[0].http.paths[0].pathType"), std::string::npos) << refused.both();
  EXPECT_NE(kubectl({"get", "ingress", "bad"}).exit_code, 0) << "nothing was stored";
}

TEST_F(Ingress, RequestsAreCountedInTheMetrics) {
  ok({"apply", "-f", "-"}, ingress("counted", "  rules:\n" + rule("counted.test", path("/", "Prefix", backend("a", "80")))));
  ASSERT_TRUE(until_served(2, "counted.test", "/", "a"));
  for (int i = 0; i < 5; ++i) EXPECT_EQ(served_by(2, "counted.test", "/"), "a");
  std::string text = plugin_metrics(kWorker2, "ingress");
  long counted = -1;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);)
    if (line.starts_with("skiff_ingress_requests_total{") && line.find("ingress=\"counted\"") != std::string::npos &&
        line.find("status=\"200\"") != std::string::npos)
      counted = std::stol(line.substr(line.rfind(' ') + 1));
  EXPECT_GE(counted, 6) << text;
  EXPECT_NE(text.find("skiff_ingress_upstream_latency_seconds_bucket"), std::string::npos) << text;
}

}  // namespace
