// Cluster logging: what one node's kubelet ships to JetStream and how fast the logging addon
// answers, against raw JetStream publishing on the same nats-server (the limit). The worker is
// a skiffd of its own (kubelet + runtime-docker), so its CPU is the shipper's; dockerd's CPU
// (its logs API) is not counted. Measured:
//   burst   — a container writing 200,000 lines of 100 bytes at once: lines/s shipped;
//   steady  — a container writing ~10,000 lines/s for 20 s: p50/p99 delay from the runtime's
//             timestamp to the line stored in the stream (queryable), worker CPU per 10k lines/s;
//   peer    — the same LogLine messages published by libnats (async, acknowledged) into the
//             same stream: messages/s and this process's CPU per 10k messages/s;
//   query   — N lines (default 10 M) over 100 namespaces × 100 pods in the stream, then the
//             addon asked for one pod's lines containing a word: latency (median of 5).
// Usage: logging_bench [query lines] [steady pause µs per 100 lines]
#include <nats/nats.h>
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "bench_support.hpp"
#include "command.hpp"
#include "plugin_node.hpp"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/logging/v1/logging.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/jetstream.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono;
using Clock = steady_clock;
namespace core = api::core::v1;
namespace logv1 = logging::v1;

const char* kMaster =
    "  - name: store-lmdb\n    config: {map_size: 2Gi}\n"
    "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
    "  - name: scheduler-default\n    config: {leader_elect: false}\n"
    "  - name: controller-manager\n    config: {leader_elect: false}\n"
    "  - name: logging\n    config: {max_bytes: 24Gi, query_timeout: 300s, max_limit: 10000000}\n";
const char* kWorkerPlugins =
    "  - name: runtime-docker\n    config: {network: docker-bridge}\n"
    "  - name: kubelet\n    config: {server_address: \"127.0.0.1:0\"}\n";
const std::string kWorker = "logs-bench";
const std::string kPayload(100, 'x');

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return -1;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5))];
}

double own_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

core::Pod writer_pod(const std::string& name, const std::string& script) {
  core::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  (*pod.mutable_metadata()->mutable_labels())["bench"] = "logging";
  pod.mutable_spec()->set_node_name(kWorker);
  pod.mutable_spec()->set_termination_grace_period_seconds(0);
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image("skiff/busybox:1");
  c->set_image_pull_policy("IfNotPresent");
  c->add_command("sh");
  c->add_command("-c");
  c->add_command(script);
  return pod;
}

struct Shipped {
  std::vector<double> delays_ms;  // runtime time → stored in the stream
  std::int64_t first_line = 0, last_stored = 0;
  std::size_t lines = 0;
};

// Every line of the pod's container in the stream, with its delay.
Shipped shipped_lines(sdk::JetStream& js, const sdk::Subjects& subjects, const std::string& uid) {
  Shipped out;
  std::uint64_t next = 1;
  std::string filter = subjects.log_lines("default", "*", uid, "main");
  for (;;) {
    auto batch = js.read(subjects.log_stream(), filter, sdk::ReadFrom::at_sequence(next), 50000, seconds(30));
    if (batch.empty()) break;
    for (const auto& m : batch) {
      logv1::LogLine line;
      if (!line.ParseFromString(m.data)) continue;
      if (out.lines++ == 0) out.first_line = line.time_unix_nano();
      out.first_line = std::min(out.first_line, line.time_unix_nano());
      out.last_stored = std::max(out.last_stored, m.time_unix_nano);
      out.delays_ms.push_back(static_cast<double>(m.time_unix_nano - line.time_unix_nano()) / 1e6);
    }
    next = batch.back().sequence + 1;
  }
  return out;
}

std::string run_writer(sdk::ApiClient& api, const std::string& name, const std::string& script) {
  api.create(writer_pod(name, script));
  test::wait_until([&] { return api.get<core::Pod>("default", name).status().phase() == "Running"; }, seconds(60),
                   milliseconds(20));
  return api.get<core::Pod>("default", name).metadata().uid();
}

void burst(sdk::ApiClient& api, sdk::JetStream& js, const sdk::Subjects& subjects) {
  const std::size_t lines = 200000;
  std::string uid = run_writer(api, "burst", "yes " + kPayload + " | head -n " + std::to_string(lines) + "; exec sleep 100000");
  Shipped shipped;
  test::wait_until([&] { return (shipped = shipped_lines(js, subjects, uid)).lines >= lines; }, seconds(300), seconds(1));
  double seconds_taken = static_cast<double>(shipped.last_stored - shipped.first_line) / 1e9;
  std::printf("  burst: %zu lines of 100 B shipped in %.2f s: %.0f lines/s (first written -> last stored)\n", shipped.lines,
              seconds_taken, static_cast<double>(shipped.lines) / seconds_taken);
}

void steady(sdk::ApiClient& api, sdk::JetStream& js, const sdk::Subjects& subjects, pid_t worker, int pause_us) {
  // 100 lines, then a pause (10 ms: about 10,000 lines/s from busybox's shell), 200,000 lines
  // at most, for about 20 s.
  const int rounds = std::min(2000, 20 * 1000000 / (pause_us + 100));
  bench::wait_idle(worker);
  double cpu_before = bench::cpu_seconds(worker);
  auto started = Clock::now();
  std::string uid = run_writer(api, "steady",
                               "i=0; while [ $i -lt " + std::to_string(rounds) + " ]; do yes " + kPayload +
                                   " | head -n 100; usleep " + std::to_string(pause_us) + "; i=$((i+1)); done; exec sleep 100000");
  Shipped shipped;
  test::wait_until([&] { return (shipped = shipped_lines(js, subjects, uid)).lines >= rounds * 100u; }, seconds(300),
                   seconds(1));
  double cpu = bench::cpu_seconds(worker) - cpu_before;
  double wall = duration<double>(Clock::now() - started).count();
  double written_for = static_cast<double>(shipped.last_stored - shipped.first_line) / 1e9;
  double rate = static_cast<double>(shipped.lines) / written_for;
  std::printf("  steady: %zu lines at %.0f lines/s; delay runtime -> stored p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
              shipped.lines, rate, percentile(shipped.delays_ms, 0.5), percentile(shipped.delays_ms, 0.99),
              percentile(shipped.delays_ms, 1.0));
  std::printf("  worker skiffd CPU: %.2f s over %.1f s (pod start included) = %.1f m per 10k lines/s\n", cpu, wall,
              cpu / written_for * 1000 / (rate / 10000));
}

// libnats, async acknowledged publishes of ready LogLine bytes: the stream's own limit.
double raw_publish(const test::NatsServer& nats, const sdk::Subjects& subjects, int count, double& cpu_per_10k) {
  logv1::LogLine line;
  line.set_namespace_("raw");
  line.set_pod("raw-pod");
  line.set_pod_uid("raw-uid");
  line.set_container("main");
  line.set_node(kWorker);
  line.set_stream("stdout");
  line.set_line(kPayload);
  (*line.mutable_pod_labels())["bench"] = "logging";
  std::string subject = subjects.log_lines("raw", "raw-pod", "raw-uid", "main");
  natsOptions* options = nullptr;
  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  natsOptions_Create(&options);
  natsOptions_SetURL(options, nats.url().c_str());
  natsOptions_SetToken(options, nats.token().c_str());
  if (natsConnection_Connect(&connection, options) != NATS_OK) return -1;
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.PublishAsync.MaxPending = 4096;
  natsConnection_JetStream(&js, connection, &js_options);
  double cpu_before = own_cpu_seconds();
  auto start = Clock::now();
  for (int i = 0; i < count; ++i) {
    line.set_time_unix_nano(duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count());
    std::string data = line.SerializeAsString();
    js_PublishAsync(js, subject.c_str(), data.data(), static_cast<int>(data.size()), nullptr);
  }
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = 120000;
  js_PublishAsyncComplete(js, &wait);
  double taken = duration<double>(Clock::now() - start).count();
  double rate = count / taken;
  cpu_per_10k = (own_cpu_seconds() - cpu_before) / taken * 1000 / (rate / 10000);
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  natsOptions_Destroy(options);
  return rate;
}

// `lines` LogLines over 100 namespaces × 100 pods; one line in 100 of each pod has "needle".
void fill_for_queries(const test::NatsServer& nats, const sdk::Subjects& subjects, long lines) {
  natsOptions* options = nullptr;
  natsConnection* connection = nullptr;
  jsCtx* js = nullptr;
  natsOptions_Create(&options);
  natsOptions_SetURL(options, nats.url().c_str());
  natsOptions_SetToken(options, nats.token().c_str());
  natsConnection_Connect(&connection, options);
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.PublishAsync.MaxPending = 8192;
  natsConnection_JetStream(&js, connection, &js_options);
  auto start = Clock::now();
  logv1::LogLine line;
  line.set_container("main");
  line.set_stream("stdout");
  for (long i = 0; i < lines; ++i) {
    int ns = static_cast<int>(i % 100), pod = static_cast<int>((i / 100) % 100);
    line.set_namespace_("q-" + std::to_string(ns));
    line.set_pod("pod-" + std::to_string(pod));
    line.set_pod_uid("uid-" + std::to_string(ns) + "-" + std::to_string(pod));
    line.set_node("node-" + std::to_string(pod % 10));
    line.set_time_unix_nano(duration_cast<nanoseconds>(system_clock::now().time_since_epoch()).count());
    line.set_line((i / 10000) % 100 == 7 ? "GET /api needle " + std::to_string(i) : "GET /api ok " + std::to_string(i));
    std::string data = line.SerializeAsString();
    std::string subject = subjects.log_lines(line.namespace_(), line.pod(), line.pod_uid(), "main");
    js_PublishAsync(js, subject.c_str(), data.data(), static_cast<int>(data.size()), nullptr);
  }
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = 600000;
  js_PublishAsyncComplete(js, &wait);
  std::printf("  query data: %ld lines stored in %.1f s\n", lines, duration<double>(Clock::now() - start).count());
  jsCtx_Destroy(js);
  natsConnection_Destroy(connection);
  natsOptions_Destroy(options);
}

void query_latency(test::PluginNode& master, const std::string& what, const logv1::LogQuery& query) {
  std::vector<double> ms;
  int found = 0;
  for (int i = 0; i < 5; ++i) {
    auto start = Clock::now();
    auto reply = master.bus().request(master.subjects().logging("query"), query.SerializeAsString(), seconds(300));
    ms.push_back(duration<double, std::milli>(Clock::now() - start).count());
    logv1::LogQueryResponse answer;
    if (!reply.ok() || !answer.ParseFromString(reply.data) || !answer.error().empty()) {
      std::printf("  query %s failed: %s %s\n", what.c_str(), reply.status.message.c_str(), answer.error().c_str());
      return;
    }
    found = answer.entries_size();
  }
  std::printf("  query %s: %d lines, median %.0f ms (min %.0f, max %.0f)\n", what.c_str(), found, percentile(ms, 0.5),
              percentile(ms, 0), percentile(ms, 1));
}

}  // namespace

int main(int argc, char** argv) {
  long query_lines = argc > 1 ? std::atol(argv[1]) : 10'000'000;
  int pause_us = argc > 2 ? std::atoi(argv[2]) : 10000;
  auto images = test::run_command({std::string(SKIFF_SOURCE_DIR) + "/scripts/images.sh"});
  if (images.exit_code != 0) {
    std::fprintf(stderr, "scripts/images.sh: %s\n", images.both().c_str());
    return 1;
  }
  std::printf("Cluster logging: one node's kubelet shipping Docker containers' lines to JetStream, the logging addon\n");
  test::NatsServerSettings settings;
  settings.jetstream = true;
  settings.jetstream_max_file_store = "30GB";
  test::NatsServer nats(settings);
  test::PluginNode master(nats, kMaster, "logs-master");
  master.start();
  test::PluginNode worker(nats, kWorkerPlugins, kWorker);
  worker.start();
  sdk::ApiClient api(master.bus(), master.subjects());
  auto stream_reader = master.bus().jetstream();
  auto& js = *stream_reader;
  if (!test::wait_until([&] { return js.stream_state(master.subjects().log_stream()).has_value(); }, seconds(30))) {
    std::fprintf(stderr, "the logging addon made no stream %s:\n%s\n", master.subjects().log_stream().c_str(),
                 master.output().c_str());
    return 1;
  }

  burst(api, js, master.subjects());
  steady(api, js, master.subjects(), worker.pid(), pause_us);
  double peer_cpu = 0;
  double peer = raw_publish(nats, master.subjects(), 200000, peer_cpu);
  std::printf("  peer: libnats async publish of the same LogLines: %.0f msgs/s, %.1f m CPU per 10k msgs/s\n", peer,
              peer_cpu);
  api.erase<core::Pod>("default", "burst");
  api.erase<core::Pod>("default", "steady");
  test::wait_until([&] { return api.list<core::Pod>("default").empty(); }, seconds(60));  // the worker removes its containers

  fill_for_queries(nats, master.subjects(), query_lines);
  logv1::LogQuery by_pod;
  by_pod.set_namespace_("q-7");
  by_pod.set_pod("pod-42");
  by_pod.set_contains("needle");
  by_pod.set_limit(10000);
  query_latency(master, "namespace + pod name + text", by_pod);
  logv1::LogQuery by_uid = by_pod;
  by_uid.set_pod_uid("uid-7-42");
  query_latency(master, "namespace + pod uid + text", by_uid);
  logv1::LogQuery newest;
  newest.set_namespace_("q-7");
  newest.set_reverse(true);
  newest.set_limit(100);
  query_latency(master, "newest 100 of a namespace", newest);
  return 0;
}
