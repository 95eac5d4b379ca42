// What high availability costs and buys (issue 24). Throughput: ConfigMap CREATE and GET
// through the HTTP API under wrk (api_bench's client) with store-etcd on a 3-member etcd
// cluster vs store-lmdb (sync: full), and the peer: etcd's own puts and gets over gRPC at the
// same concurrency. Failover: three masters, the one publishing watch events killed together
// with its etcd member (made the Raft leader first: the worst case) while a client writes
// through a surviving master; time to the first acknowledged write and to the watch's next event.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "api_connection.hpp"
#include "api_load.hpp"
#include "bench_support.hpp"
#include "etcd_cluster.hpp"
#include "etcd_grpc_load.hpp"
#include "failover_round.hpp"
#include "ha_masters.hpp"
#include "plugin_node.hpp"
#include "skiff/api/core/v1/core.pb.h"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono;
using bench::Load;

// etcd's own Raft timing (100 ms heartbeat, 1 s election timeout), not the tests' fast one.
constexpr test::EtcdTiming kEtcdDefaults{100, 1000};

// ~0.5 kB of configuration, the size of a typical small ConfigMap.
std::string settings_text() {
  std::string text;
  for (int i = 0; text.size() < 480; ++i) text += "option_" + std::to_string(i) + ": value-" + std::to_string(i * 7) + "\\n";
  return text;
}

std::string configmap_json(const std::string& name_field) {
  return R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{)" + name_field +
         R"(,"labels":{"app":"bench"}},"data":{"settings.yaml":")" + settings_text() + R"("}})";
}

// The bytes store-etcd keeps for such a ConfigMap (give or take uid and timestamps): the raw peer's value.
std::string configmap_bytes() {
  api::core::v1::ConfigMap cm;
  cm.mutable_metadata()->set_name("bench-cm-00000");
  cm.mutable_metadata()->set_namespace_("default");
  cm.mutable_metadata()->set_uid("00000000-0000-0000-0000-000000000000");
  (*cm.mutable_metadata()->mutable_labels())["app"] = "bench";
  std::string text = settings_text();
  for (std::size_t at; (at = text.find("\\n")) != std::string::npos;) text.replace(at, 2, "\n");
  (*cm.mutable_data())["settings.yaml"] = text;
  return cm.SerializeAsString();
}

std::string plugins_yaml(const std::string& store_entry) {
  return store_entry + "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n";
}

void print_cell(const char* who, const Load& load) {
  std::printf(" | %s %7.0f/s p50 %5.2f p99 %6.2f ms", who, load.rps, load.p50_ms, load.p99_ms);
  if (load.errors) std::printf(" (%ld errors)", load.errors);
}

void row(const char* what, int clients, const Load& on_etcd, const Load& on_lmdb, const Load& raw) {
  std::printf("  %-6s %2d clients", what, clients);
  print_cell("store-etcd", on_etcd);
  print_cell("store-lmdb", on_lmdb);
  print_cell("raw etcd", raw);
  std::printf(" | etcd/raw %4.2fx, etcd/lmdb %4.2fx\n", on_etcd.rps / std::max(raw.rps, 1.0),
              on_etcd.rps / std::max(on_lmdb.rps, 1.0));
  std::fflush(stdout);
}

// Waits until the skiffds and etcd members have finished the previous phase's work.
void settle(const std::vector<pid_t>& pids) {
  for (pid_t pid : pids) bench::wait_idle(pid);
}

void throughput(int seconds_per_figure) {
  test::EtcdCluster etcd(3, false, kEtcdDefaults);
  test::NatsServer bus_etcd, bus_lmdb;  // two clusters named "test": each its own bus
  // SKIFF_BENCH_STORE_ETCD adds store-etcd settings ("read_workers: 16") to see what bounds it.
  const char* extra = std::getenv("SKIFF_BENCH_STORE_ETCD");
  std::string etcd_config = "endpoints: " + etcd.endpoints_yaml() + (extra && *extra ? std::string(", ") + extra : "");
  test::PluginNode on_etcd(bus_etcd, plugins_yaml("  - name: store-etcd\n    config: {" + etcd_config + "}\n"), "bench");
  test::PluginNode on_lmdb(bus_lmdb, plugins_yaml("  - name: store-lmdb\n    config: {map_size: 8Gi, sync: full}\n"),
                           "bench");
  on_etcd.start();
  on_lmdb.start();
  // store-etcd talks to the first endpoint (pick_first); the raw peer to the same member.
  const std::string member = etcd.endpoint(0);
  std::vector<pid_t> pids = {on_etcd.pid(), on_lmdb.pid()};
  for (int m = 0; m < etcd.size(); ++m)
    for (pid_t pid : test::processes_matching("--listen-client-urls http://" + etcd.endpoint(m) + " ")) pids.push_back(pid);

  bench::ApiEndpoint api_etcd = bench::read_kubeconfig(on_etcd.dir().file("data/kubeconfig"));
  bench::ApiEndpoint api_lmdb = bench::read_kubeconfig(on_lmdb.dir().file("data/kubeconfig"));
  for (const auto& api : {api_etcd, api_lmdb}) {
    int status = bench::ApiConnection(api.port, api.token)
                     .post("/api/v1/namespaces/default/configmaps", configmap_json(R"("name":"bench-cm")"));
    if (status != 201) throw std::runtime_error("seeding ConfigMap bench-cm answered " + std::to_string(status));
  }
  const std::string raw_value = configmap_bytes();
  bench::etcd_put(member, "/bench/raw/bench-cm", raw_value);
  // That member a follower, as the local member is for two masters of three: writes go through it to the leader.
  bench::move_etcd_leader(etcd, 1);

  test::TempDir dir;
  std::string duration = std::to_string(seconds_per_figure) + "s";
  auto scripts = [&](const bench::ApiEndpoint& api, const std::string& name) {
    std::string auth = bench::bearer_lines(api.token);
    return std::pair{bench::write_script(dir, name + "-get.lua", auth),
                     bench::write_script(dir, name + "-create.lua",
                                         auth + "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = "
                                                "\"application/json\"\nwrk.body = '" +
                                             configmap_json(R"("generateName":"bench-")") + "'\n")};
  };
  auto [get_etcd, create_etcd] = scripts(api_etcd, "etcd");
  auto [get_lmdb, create_lmdb] = scripts(api_lmdb, "lmdb");
  std::printf("Throughput: ConfigMaps (%zu bytes stored) through the HTTP API, wrk %d s per figure; store-etcd {%s} and "
              "the raw peer on etcd member %s (a follower; 3 members, fsync on); store-lmdb sync: full\n",
              raw_value.size(), seconds_per_figure, etcd_config.c_str(), member.c_str());
  const std::string configmaps = "/api/v1/namespaces/default/configmaps";
  int generation = 0;
  for (int clients : {1, 16, 64}) {
    settle(pids);
    Load a = bench::wrk(api_etcd.base + configmaps, clients, create_etcd, duration);
    settle(pids);
    Load b = bench::wrk(api_lmdb.base + configmaps, clients, create_lmdb, duration);
    settle(pids);
    Load r = bench::etcd_puts({member, clients, seconds(seconds_per_figure)},
                              "/bench/raw/c" + std::to_string(++generation) + "-", raw_value);
    row("CREATE", clients, a, b, r);
  }
  for (int clients : {1, 16, 64}) {
    settle(pids);
    Load a = bench::wrk(api_etcd.base + configmaps + "/bench-cm", clients, get_etcd, duration);
    settle(pids);
    Load b = bench::wrk(api_lmdb.base + configmaps + "/bench-cm", clients, get_lmdb, duration);
    settle(pids);
    Load r = bench::etcd_gets({member, clients, seconds(seconds_per_figure)}, "/bench/raw/bench-cm");
    row("GET", clients, a, b, r);
  }
}

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return -1;
  std::sort(values.begin(), values.end());
  // Nearest rank: with 10 samples p99 is the largest.
  std::size_t rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

void summary(const char* what, const std::vector<double>& seconds_list) {
  std::printf("  %-38s p50 %5.2f s  p99 %5.2f s  (min %5.2f, max %5.2f)\n", what, percentile(seconds_list, 0.5),
              percentile(seconds_list, 0.99), *std::min_element(seconds_list.begin(), seconds_list.end()),
              *std::max_element(seconds_list.begin(), seconds_list.end()));
}

void failover(int kills, const std::string& lease_ttl) {
  test::EtcdCluster etcd(3, false, kEtcdDefaults);
  test::NatsServer bus;
  const std::string prefix = "/skiff/failover";
  bench::HaMasters masters(bus, etcd, prefix, lease_ttl);
  for (int m = 0; m < bench::HaMasters::kSize; ++m) masters.start(m);
  {
    bench::ApiEndpoint api = masters.api(0);
    int status = bench::ApiConnection(api.port, api.token).post("/api/v1/namespaces", R"({"metadata":{"name":"failover"}})");
    if (status != 201) throw std::runtime_error("creating namespace failover answered " + std::to_string(status));
  }
  std::printf("\nFailover: 3 masters (skiffd with store-etcd lease_ttl %s + apiserver, each beside its etcd member; etcd "
              "heartbeat 100 ms, election timeout 1 s); the publishing master is made etcd leader, then SIGKILLed with its "
              "member while a client creates ConfigMaps through another master\n",
              lease_ttl.c_str());
  std::vector<double> elections, takeovers, retrying, patient, watches, lags;
  long acknowledged = 0, unseen = 0;
  for (int round = 1; round <= kills; ++round) {
    int victim = -1;
    test::wait_until([&] { return (victim = masters.publisher()) >= 0; }, seconds(15));
    if (victim < 0) throw std::runtime_error("no store-etcd holds " + masters.publisher_key() + " after 15 s");
    bench::move_etcd_leader(etcd, victim);
    int survivor = (victim + 1) % bench::HaMasters::kSize;
    bench::FailoverTimes t = bench::FailoverRound(masters, etcd, victim, survivor, round).measure();
    std::printf("  kill %2d: %s | etcd leader %4.2f s | publisher %4.2f s | write, 250 ms timeout + retry: %5.2f s (%s) | "
                "write, no timeout: %5.2f s (in flight at the kill: %s) | watch event %5.2f s (%d re-watches), %ld "
                "acknowledged writes, longest from acknowledgement to watch event %4.2f s, never delivered %ld (to a "
                "new watch %ld)\n",
                round, masters.node_name(victim).c_str(), t.election, t.takeover, t.retrying_write,
                t.retrying_failures.c_str(), t.patient_write, t.patient_in_flight.c_str(), t.first_event, t.rewatches,
                t.acknowledged, t.longest_lag, t.unseen, t.rewatch_unseen);
    std::fflush(stdout);
    elections.push_back(t.election);
    takeovers.push_back(t.takeover);
    retrying.push_back(t.retrying_write);
    patient.push_back(t.patient_write);
    watches.push_back(t.first_event);
    acknowledged += t.acknowledged;
    lags.push_back(t.longest_lag);
    unseen += t.unseen;
    masters.start(victim);
  }
  std::printf("Over %d kills, seconds after the SIGKILL:\n", kills);
  summary("etcd has a new leader", elections);
  summary("another store-etcd publishes", takeovers);
  summary("first write, 250 ms timeout + retry", retrying);
  summary("first write, client without timeout", patient);
  summary("watch receives events again", watches);
  summary("longest write-to-watch-event delay", lags);
  std::printf("  acknowledged writes never delivered to the watch: %ld of %ld\n", unseen, acknowledged);
}

}  // namespace

int main(int argc, char** argv) {
  // ha_bench [SECONDS per throughput figure] [KILLS] [LEASE_TTL]
  int seconds_per_figure = argc > 1 ? std::atoi(argv[1]) : 3;
  int kills = argc > 2 ? std::atoi(argv[2]) : 10;
  std::string lease_ttl = argc > 3 ? argv[3] : "3s";
  try {
    if (seconds_per_figure > 0) throughput(seconds_per_figure);
    if (kills > 0) failover(kills, lease_ttl);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ha_bench: %s\n", e.what());
    return 1;
  }
  return 0;
}
