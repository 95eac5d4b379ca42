// The API server under a standard load tool (wrk, and hey for a fixed rate): GET a pod, LIST
// 1,000 pods, CREATE pods at 1/16/64 keep-alive clients; watch fan-out to 100 watchers; its RSS
// with 100,000 pods stored. Peer in the same run: etcd's own HTTP gateway (what Kubernetes'
// API server sits on) for the same GET and write.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <google/protobuf/stubs/strutil.h>

#include "api_load.hpp"
#include "bench_support.hpp"
#include "skiff/sdk/free_port.hpp"
#include "command.hpp"
#include "embedded_bus.hpp"
#include "etcd_client.hpp"
#include "http_client.hpp"
#include "plugin_node.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "subprocess.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono;
using bench::Load;
using bench::rss_kb;
using bench::wrk;
using bench::write_script;
using bench::wait_idle;

std::string pod_json(const std::string& name_field) {
  return R"({"apiVersion":"v1","kind":"Pod","metadata":{)" + name_field +
         R"(,"labels":{"app":"bench"}},"spec":{"containers":[{"name":"web","image":"registry.local/web:1.2.3",)"
         R"("resources":{"requests":{"cpu":"100m","memory":"128Mi"}}}]}})";
}

void row(const char* what, int clients, const Load& skiff, const Load* peer) {
  std::printf("  %-22s %2d clients  skiff %8.0f req/s  p50 %6.2f ms  p99 %6.2f ms  errors %ld", what, clients, skiff.rps,
              skiff.p50_ms, skiff.p99_ms, skiff.errors);
  if (peer) std::printf(" | etcd %7.0f req/s p99 %6.2f ms | %4.2fx", peer->rps, peer->p99_ms, skiff.rps / peer->rps);
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  // api_bench [PODS] [--memory-only]
  int bulk = 100000;
  bool memory_only = false;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--memory-only") memory_only = true;
    else bulk = std::atoi(argv[i]);
  }
  test::NatsServer nats;
  // The API server runs in a child skiffd of its own so that its memory can be read alone.
  test::PluginNode node(nats,
                        "  - name: store-lmdb\n    config: {map_size: 8Gi}\n"
                        "  - name: apiserver\n    isolation: process\n"
                        "    config: {address: 127.0.0.1:0, tls: false}\n",
                        "bench");
  node.start();
  bench::ApiEndpoint endpoint = bench::read_kubeconfig(node.dir().file("data/kubeconfig"));
  std::string token = endpoint.token;
  std::string base = endpoint.base;
  test::TempDir dir;
  test::TempDir etcd_dir;
  int etcd_port = sdk::find_free_port("127.0.0.1"), etcd_peer = sdk::find_free_port("127.0.0.1");
  kernel::SpawnOptions etcd_spawn;
  std::string etcd_url = "http://127.0.0.1:" + std::to_string(etcd_port);
  etcd_spawn.argv = {"etcd", "--data-dir", etcd_dir.file("d"), "--listen-client-urls", etcd_url,
                     "--advertise-client-urls", etcd_url, "--listen-peer-urls",
                     "http://127.0.0.1:" + std::to_string(etcd_peer), "--initial-advertise-peer-urls",
                     "http://127.0.0.1:" + std::to_string(etcd_peer), "--initial-cluster",
                     "default=http://127.0.0.1:" + std::to_string(etcd_peer), "--log-level", "error"};
  etcd_spawn.stderr_fd = open("/dev/null", O_WRONLY);
  pid_t etcd = kernel::spawn_process(etcd_spawn);
  test::wait_until([&] {
    try {
      bench::EtcdClient probe(etcd_port);
      probe.put("/registry/pods/default/bench-pod", pod_json("\"name\":\"bench-pod\""));
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }, seconds(20));

  sdk::ApiClient api(node.bus(), node.subjects());
  std::string auth = bench::bearer_lines(token);
  // Seed: one pod to GET, 1,000 to LIST.
  test::run_command({"curl", "-s", "-o", "/dev/null", "-X", "POST", "-H", "Authorization: Bearer " + token, "-H",
                     "Content-Type: application/json", "--data", R"({"metadata":{"name":"bench-list"}})",
                     base + "/api/v1/namespaces"});
  api::core::v1::Pod pod;
  pod.mutable_metadata()->set_name("bench-pod");
  pod.mutable_metadata()->set_namespace_("default");
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("web");
  c->set_image("registry.local/web:1.2.3");
  api.create(pod);
  {
    std::vector<std::thread> seeders;
    for (int t = 0; t < 8; ++t)
      seeders.emplace_back([&, t] {
        sdk::ApiClient client(node.bus(), node.subjects());
        for (int i = t; i < 1000; i += 8) {
          api::core::v1::Pod p = pod;
          p.mutable_metadata()->set_name("list-" + std::to_string(i));
          p.mutable_metadata()->set_namespace_("bench-list");
          client.create(p);
        }
      });
    for (auto& s : seeders) s.join();
  }

  auto settle = [&] {
    wait_idle(node.pid());
    for (pid_t child : test::processes_matching("--only apiserver")) wait_idle(child);
  };
  if (!memory_only) {
    std::string get_script = write_script(dir, "get.lua", auth);
    std::string create_script = write_script(
        dir, "create.lua", auth + "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\nwrk.body = '" +
                               pod_json("\"generateName\":\"bench-\"") + "'\n");
    std::string etcd_get = write_script(dir, "etcd_get.lua",
                                        "wrk.method = \"POST\"\nwrk.body = '{\"key\":\"L3JlZ2lzdHJ5L3BvZHMvZGVmYXVsdC9iZW5jaC1wb2Q=\"}'\n");
    // etcd writes the same key each time: every put is still a durable write at a new revision.
    std::string key64, value64;
    google::protobuf::Base64Escape("/registry/pods/bench/bench-pod", &key64);
    google::protobuf::Base64Escape(pod_json("\"name\":\"bench-pod\""), &value64);
    std::string etcd_put = write_script(dir, "etcd_put.lua", "wrk.method = \"POST\"\nwrk.body = '{\"key\":\"" + key64 +
                                                                 "\",\"value\":\"" + value64 + "\"}'\n");

    std::printf("API server over plain HTTP (TLS off for the load tool), store-lmdb behind it; wrk 5 s per figure\n");
    for (int clients : {1, 16, 64}) {
      settle();
      Load get = wrk(base + "/api/v1/namespaces/default/pods/bench-pod", clients, get_script);
      Load peer = wrk(etcd_url + "/v3/kv/range", clients, etcd_get);
      row("GET pod", clients, get, &peer);
    }
    for (int clients : {1, 16, 64}) {
      settle();
      row("LIST 1,000 pods", clients, wrk(base + "/api/v1/namespaces/bench-list/pods", clients, get_script), nullptr);
    }
    for (int clients : {1, 16, 64}) {
      settle();
      Load create = wrk(base + "/api/v1/namespaces/default/pods", clients, create_script);
      Load peer = wrk(etcd_url + "/v3/kv/put", clients, etcd_put);
      row("CREATE pod", clients, create, &peer);
    }
    // A fixed 1,000 creates/s (hey: 20 clients at 50/s each), the latency target's condition.
    if (!test::run_command({"which", "hey"}).out.empty()) {
      settle();
      auto r = test::run_command({"hey", "-z", "10s", "-c", "20", "-q", "50", "-m", "POST", "-T", "application/json", "-H",
                                  "Authorization: Bearer " + token, "-d", pod_json("\"generateName\":\"rate-\""),
                                  base + "/api/v1/namespaces/default/pods"},
                                 {}, seconds(60));
      std::smatch h;
      std::string out = r.out;
      double rps = std::regex_search(out, h, std::regex(R"(Requests/sec:\s+([0-9.]+))")) ? std::stod(h[1]) : 0;
      double p99 = std::regex_search(out, h, std::regex(R"(99% in ([0-9.]+) secs)")) ? std::stod(h[1]) * 1000 : 0;
      double p50 = std::regex_search(out, h, std::regex(R"(50% in ([0-9.]+) secs)")) ? std::stod(h[1]) * 1000 : 0;
      std::printf("  CREATE pod at a fixed rate (hey, 20 clients x 50/s): %.0f req/s, p50 %.2f ms, p99 %.2f ms\n", rps, p50, p99);
    }

    // Watch fan-out: 100 watchers of pods in one namespace, one writer creating 1,000 pods.
    {
      std::atomic<long> delivered{0};
      std::atomic<bool> stop{false};
      std::vector<std::thread> watchers;
      test::run_command({"curl", "-s", "-o", "/dev/null", "-X", "POST", "-H", "Authorization: Bearer " + token, "-H",
                         "Content-Type: application/json", "--data", R"({"metadata":{"name":"fanout"}})",
                         base + "/api/v1/namespaces"});
      std::atomic<int> open{0};
      for (int w = 0; w < 100; ++w)
        watchers.emplace_back([&] {
          // A raw keep-alive socket: curl per watcher would cost a process each.
          auto r = test::run_command({"curl", "-sN", "-H", "Authorization: Bearer " + token,
                                      base + "/api/v1/namespaces/fanout/pods?watch=true&timeoutSeconds=30"},
                                     {}, seconds(40));
          delivered += std::count(r.out.begin(), r.out.end(), '\n');
        });
      test::wait_until([&] { return bench::plugin_metric(node, "apiserver", "skiff_apiserver_watches") >= 100; }, seconds(30));
      auto start = steady_clock::now();
      std::vector<std::thread> writers;
      for (int t = 0; t < 4; ++t)
        writers.emplace_back([&, t] {
          sdk::ApiClient client(node.bus(), node.subjects());
          for (int i = t; i < 1000; i += 4) {
            api::core::v1::Pod p = pod;
            p.mutable_metadata()->set_name("fan-" + std::to_string(i));
            p.mutable_metadata()->set_namespace_("fanout");
            client.create(p);
          }
        });
      for (auto& w : writers) w.join();
      double write_seconds = duration<double>(steady_clock::now() - start).count();
      for (auto& w : watchers) w.join();
      std::printf("  watch fan-out: 1,000 pod creations (%.2f s) delivered to 100 watchers: %ld events (%.0f events/s while "
                  "writing)\n",
                  write_seconds, delivered.load(), delivered / std::max(write_seconds, 0.001));
    }
  }

  // Memory: fill the store to `bulk` pods, list them all once, read the API server's RSS.
  {
    std::vector<std::thread> fillers;
    std::atomic<int> next{0};
    for (int t = 0; t < 16; ++t)
      fillers.emplace_back([&] {
        sdk::ApiClient client(node.bus(), node.subjects());
        for (int i; (i = next++) < bulk;) {
          api::core::v1::Pod p = pod;
          p.mutable_metadata()->set_name("bulk-" + std::to_string(i));
          p.mutable_metadata()->set_namespace_("bench-list");
          client.create(p);
        }
      });
    for (auto& f : fillers) f.join();
    auto children = test::processes_matching("--only apiserver");
    long rss_stored = children.empty() ? -1 : rss_kb(children[0]);
    auto listed = test::run_command({"curl", "-s", "-o", "/dev/null", "-w", "%{size_download} %{time_total}", "-H",
                                     "Authorization: Bearer " + token, base + "/api/v1/pods"},
                                    {}, seconds(120));
    long rss = children.empty() ? -1 : rss_kb(children[0]);
    std::printf("  %d pods stored: API server RSS %.0f MB (target <= 200 MB); after a LIST of all (%s bytes, seconds): %.0f MB\n",
                bulk + 1001, rss_stored / 1024.0, listed.out.c_str(), rss / 1024.0);
  }
  kill(etcd, SIGTERM);
  kernel::wait_for_exit(etcd, seconds(10));
  return 0;
}
