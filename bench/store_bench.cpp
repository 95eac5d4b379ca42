// store-lmdb through the bus vs etcd (Debian etcd-server, its JSON gateway) in the same run:
// durable ~1 KB writes and reads at 1/16/64 clients, watch fan-out to 10 watchers, and the
// store's RSS holding 100,000 pods.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <random>
#include <thread>

#include "embedded_bus.hpp"
#include "skiff/sdk/free_port.hpp"
#include "etcd_client.hpp"
#include "bench_support.hpp"
#include "plugin_node.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/store_client.hpp"
#include "subprocess.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono;
using bench::rss_kb;
using bench::status_kb;
using Clock = steady_clock;

// A pod as a Deployment would create it: about 1 KB serialized.
std::string pod_bytes(const std::string& name) {
  api::core::v1::Pod pod;
  auto* meta = pod.mutable_metadata();
  meta->set_name(name);
  meta->set_namespace_("default");
  (*meta->mutable_labels())["app"] = "web";
  (*meta->mutable_labels())["pod-template-hash"] = "5d8f7c6b9";
  (*meta->mutable_annotations())["kubernetes.io/created-by"] = std::string(300, 'a');
  auto* owner = meta->add_owner_references();
  owner->set_api_version("apps/v1");
  owner->set_kind("ReplicaSet");
  owner->set_name("web-5d8f7c6b9");
  owner->set_uid("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("web");
  c->set_image("registry.local/web:1.2.3");
  c->add_command("/bin/server");
  c->add_args("--port=8080");
  auto* port = c->add_ports();
  port->set_container_port(8080);
  port->set_protocol("TCP");
  (*c->mutable_resources()->mutable_requests())["cpu"] = "100m";
  (*c->mutable_resources()->mutable_requests())["memory"] = "128Mi";
  for (int i = 0; i < 4; ++i) {
    auto* env = c->add_env();
    env->set_name("SETTING_" + std::to_string(i));
    env->set_value(std::string(40, 'v'));
  }
  pod.mutable_spec()->set_restart_policy("Always");
  pod.mutable_spec()->set_scheduler_name("default-scheduler");
  pod.mutable_status()->set_phase("Pending");
  return pod.SerializeAsString();
}

struct Figures {
  double ops_per_second, p50_ms, p99_ms;
};

// `clients` threads share `total` operations; op(client, index) does one.
template <class Op>
Figures run(int clients, int total, Op op) {
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<int> next{0};
  auto start = Clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      for (int i; (i = next++) < total;) {
        auto begin = Clock::now();
        op(c, i);
        latencies[c].push_back(duration<double, std::milli>(Clock::now() - begin).count());
      }
    });
  for (auto& t : threads) t.join();
  double seconds = duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  return {total / seconds, all[all.size() / 2], all[static_cast<std::size_t>(all.size() * 0.99)]};
}

class Etcd {
 public:
  explicit Etcd(const std::string& dir) : port_(sdk::find_free_port("127.0.0.1")) {
    int peer = sdk::find_free_port("127.0.0.1");
    std::string client = "http://127.0.0.1:" + std::to_string(port_);
    std::string peer_url = "http://127.0.0.1:" + std::to_string(peer);
    kernel::SpawnOptions spawn;
    spawn.argv = {"etcd", "--data-dir", dir, "--listen-client-urls", client, "--advertise-client-urls", client,
                  "--listen-peer-urls", peer_url, "--initial-advertise-peer-urls", peer_url,
                  "--initial-cluster", "default=" + peer_url, "--log-level", "error", "--quota-backend-bytes",
                  std::to_string(8LL << 30)};
    spawn.stderr_fd = open((dir + ".log").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    pid_ = kernel::spawn_process(spawn);
    bool up = test::wait_until([&] {
      try {
        bench::EtcdClient probe(port_);
        probe.get("probe");
        return true;
      } catch (const std::exception&) {
        return false;
      }
    }, seconds(20));
    if (!up) throw std::runtime_error("etcd did not start; see " + dir + ".log");
  }
  ~Etcd() {
    kill(pid_, SIGTERM);
    kernel::wait_for_exit(pid_, seconds(10));
  }
  int port() const { return port_; }
  pid_t pid() const { return pid_; }

 private:
  int port_;
  pid_t pid_;
};

void line(const char* what, int clients, const Figures& skiff, const Figures& etcd) {
  std::printf("  %-7s %2d clients  skiff %8.0f/s p50 %6.2f ms p99 %6.2f ms | etcd %7.0f/s p50 %6.2f ms p99 %6.2f ms"
              " | %5.1fx\n",
              what, clients, skiff.ops_per_second, skiff.p50_ms, skiff.p99_ms, etcd.ops_per_second, etcd.p50_ms,
              etcd.p99_ms, skiff.ops_per_second / etcd.ops_per_second);
}

}  // namespace

int main(int argc, char** argv) {
  int per_round = argc > 1 ? std::atoi(argv[1]) : 4000;
  int big = argc > 2 ? std::atoi(argv[2]) : 100000;
  test::NatsServer nats;
  // SKIFF_BENCH_GROUP_WAIT_US overrides the plugin's group_commit_wait_us (to choose its default);
  // SKIFF_BENCH_STORE_CONFIG adds keys to its config ("checkpoint_interval: 2s", say).
  const char* group_wait = std::getenv("SKIFF_BENCH_GROUP_WAIT_US");
  const char* extra = std::getenv("SKIFF_BENCH_STORE_CONFIG");
  test::PluginNode node(nats,
                        "  - name: store-lmdb\n    config: {map_size: 8Gi, sync: ${SKIFF_BENCH_SYNC:-full}" +
                            (group_wait ? ", group_commit_wait_us: " + std::string(group_wait) : std::string()) +
                            (extra ? ", " + std::string(extra) : std::string()) + "}\n",
                        "bench");
  node.start();
  test::TempDir etcd_dir;
  Etcd etcd(etcd_dir.file("etcd"));
  const std::string payload = pod_bytes("pod-template");
  std::printf("Store: store-lmdb over the bus vs etcd 3.4 (JSON gateway), both fsync every commit; %zu-byte pods\n",
              payload.size());

  const auto& pods = *sdk::find_resource("pods");
  int generation = 0;
  for (int clients : {1, 16, 64}) {
    int total = clients == 1 ? per_round / 4 : per_round;
    ++generation;
    std::vector<sdk::BusPtr> buses;
    std::vector<std::unique_ptr<sdk::StoreClient>> stores;
    std::vector<std::unique_ptr<bench::EtcdClient>> etcds;
    for (int c = 0; c < clients; ++c) {
      buses.push_back(sdk::connect_bus(nats.options()));
      stores.push_back(std::make_unique<sdk::StoreClient>(*buses.back(), node.subjects()));
      etcds.push_back(std::make_unique<bench::EtcdClient>(etcd.port()));
    }
    auto name = [&](int i) { return "g" + std::to_string(generation) + "-" + std::to_string(i); };
    // As the API server writes: its handler threads share one store client, which coalesces.
    sdk::StoreClient shared(*buses[0], node.subjects());
    Figures skiff_create = run(clients, total, [&](int, int i) {
      shared.create(sdk::object_key(pods, "default", name(i)), pod_bytes(name(i)));
    });
    // Each client on its own connection with its own store client: one round trip per write.
    Figures skiff_alone = run(clients, total, [&](int c, int i) {
      stores[c]->create(sdk::object_key(pods, "default", "solo-" + name(i)), pod_bytes(name(i)));
    });
    Figures etcd_put = run(clients, total, [&](int c, int i) {
      etcds[c]->put("/registry/pods/default/" + name(i), pod_bytes(name(i)));
    });
    line("create", clients, skiff_create, etcd_put);
    if (std::getenv("SKIFF_BENCH_METRICS"))
      std::printf("%s", node.bus().request(node.subjects().plugin_metrics("store-lmdb"), "", seconds(2)).data.c_str());
    line(" (own)", clients, skiff_alone, etcd_put);
    std::mt19937 rng(42);
    std::vector<int> order(total);
    for (int i = 0; i < total; ++i) order[i] = static_cast<int>(rng() % total);
    Figures skiff_get = run(clients, total, [&](int c, int i) {
      stores[c]->get(sdk::object_key(pods, "default", name(order[i])));
    });
    Figures etcd_get = run(clients, total, [&](int c, int i) { etcds[c]->get("/registry/pods/default/" + name(order[i])); });
    line("get", clients, skiff_get, etcd_get);
  }

  // Watch fan-out: 10 watchers each receive every event of 16 writers.
  {
    constexpr int kWatchers = 10, kWrites = 4000;
    std::atomic<long> skiff_seen{0}, etcd_seen{0};
    std::vector<sdk::BusPtr> watch_buses;
    std::vector<sdk::Subscription> subs;
    for (int w = 0; w < kWatchers; ++w) {
      watch_buses.push_back(sdk::connect_bus(nats.options()));
      subs.push_back(watch_buses.back()->subscribe(node.subjects().watch("", "Pod"), [&](const sdk::Message& m) {
        store::v1::WatchBatch batch;
        batch.ParseFromString(m.data);
        skiff_seen += batch.events_size();
      }));
    }
    std::atomic<bool> stop{false};
    std::vector<std::unique_ptr<bench::EtcdClient>> etcd_watchers;
    std::vector<std::thread> etcd_threads;
    for (int w = 0; w < kWatchers; ++w) {
      etcd_watchers.push_back(std::make_unique<bench::EtcdClient>(etcd.port()));
      etcd_threads.emplace_back([&, w] { etcd_watchers[w]->watch("/registry/fanout/", [&](int n) { etcd_seen += n; }, stop); });
    }
    std::this_thread::sleep_for(milliseconds(500));  // let etcd's gateway open its watch streams
    std::vector<sdk::BusPtr> buses;
    std::vector<std::unique_ptr<sdk::StoreClient>> stores;
    std::vector<std::unique_ptr<bench::EtcdClient>> etcds;
    for (int c = 0; c < 16; ++c) {
      buses.push_back(sdk::connect_bus(nats.options()));
      stores.push_back(std::make_unique<sdk::StoreClient>(*buses.back(), node.subjects()));
      etcds.push_back(std::make_unique<bench::EtcdClient>(etcd.port()));
    }
    auto start = Clock::now();
    run(16, kWrites, [&](int c, int i) {
      stores[c]->create(sdk::object_key(pods, "default", "fan-" + std::to_string(i)), payload);
    });
    test::wait_until([&] { return skiff_seen >= kWatchers * kWrites; }, seconds(60), milliseconds(1));
    double skiff_rate = skiff_seen / duration<double>(Clock::now() - start).count();
    start = Clock::now();
    run(16, kWrites, [&](int c, int i) { etcds[c]->put("/registry/fanout/" + std::to_string(i), payload); });
    test::wait_until([&] { return etcd_seen >= kWatchers * kWrites; }, seconds(60), milliseconds(1));
    double etcd_rate = etcd_seen / duration<double>(Clock::now() - start).count();
    stop = true;
    for (auto& w : etcd_watchers) w->interrupt();
    for (auto& t : etcd_threads) t.join();
    std::printf("  watch fan-out, 10 watchers, 16 writers: skiff %.0f events/s delivered (%ld) | etcd %.0f/s (%ld) | "
                "%.1fx\n",
                skiff_rate, skiff_seen.load(), etcd_rate, etcd_seen.load(), skiff_rate / etcd_rate);
  }

  // Memory holding 100,000 pods.
  {
    std::vector<sdk::BusPtr> buses;
    std::vector<std::unique_ptr<sdk::StoreClient>> stores;
    std::vector<std::unique_ptr<bench::EtcdClient>> etcds;
    for (int c = 0; c < 32; ++c) {
      buses.push_back(sdk::connect_bus(nats.options()));
      stores.push_back(std::make_unique<sdk::StoreClient>(*buses.back(), node.subjects()));
      etcds.push_back(std::make_unique<bench::EtcdClient>(etcd.port()));
    }
    sdk::StoreClient store(node.bus(), node.subjects());
    long before = store.info().objects();
    Figures fill = run(32, big, [&](int c, int i) {
      stores[c]->create(sdk::object_key(pods, "bulk", "pod-" + std::to_string(i)), pod_bytes("pod-" + std::to_string(i)));
    });
    Figures etcd_fill = run(32, big, [&](int c, int i) {
      etcds[c]->put("/registry/pods/bulk/pod-" + std::to_string(i), pod_bytes("pod-" + std::to_string(i)));
    });
    auto info = store.info();
    std::printf("  %d more pods (%ld stored): skiff RSS %.0f MB = heap %.0f MB + mapped database pages %.0f MB "
                "(database %.0f MB) | etcd RSS %.0f MB (heap %.0f MB) | %.2fx\n",
                big, info.objects(), rss_kb(node.pid()) / 1024.0, status_kb(node.pid(), "RssAnon") / 1024.0,
                status_kb(node.pid(), "RssFile") / 1024.0, info.used_bytes() / 1048576.0, rss_kb(etcd.pid()) / 1024.0,
                status_kb(etcd.pid(), "RssAnon") / 1024.0, static_cast<double>(rss_kb(node.pid())) / rss_kb(etcd.pid()));
    std::printf("  (filling them: skiff %.0f creates/s at 32 clients, etcd %.0f/s; %ld were there before)\n",
                fill.ops_per_second, etcd_fill.ops_per_second, before);
  }
  return 0;
}
