// Bus request/reply: the SDK (serve + request, with status and trace headers) against a raw
// libnats C loop, on the same nats-server in the same run.
#include <nats/nats.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "nats_server.hpp"
#include "skiff/sdk/bus.hpp"

namespace {

using namespace std::chrono;
using Clock = steady_clock;

struct Result {
  double p50_us, p99_us, requests_per_second;
};

Result summarize(std::vector<double>& latencies_us, double seconds) {
  std::sort(latencies_us.begin(), latencies_us.end());
  auto at = [&](double q) { return latencies_us[static_cast<std::size_t>(q * (latencies_us.size() - 1))]; };
  return {at(0.50), at(0.99), latencies_us.size() / seconds};
}

// Runs `requests` round trips on each of `threads` clients; `one` performs one round trip.
template <class OneRequest>
Result measure(int threads, int requests, OneRequest one) {
  std::vector<std::vector<double>> per_thread(threads);
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      per_thread[t].reserve(requests);
      for (int i = 0; i < requests; ++i) {
        auto begin = Clock::now();
        one(t);
        per_thread[t].push_back(duration<double, std::micro>(Clock::now() - begin).count());
      }
    });
  for (auto& w : workers) w.join();
  double seconds = duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& v : per_thread) all.insert(all.end(), v.begin(), v.end());
  return summarize(all, seconds);
}

Result median_of(std::vector<Result> rounds) {
  auto pick = [&](auto field) {
    std::vector<double> values;
    for (const auto& r : rounds) values.push_back(r.*field);
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
  };
  return {pick(&Result::p50_us), pick(&Result::p99_us), pick(&Result::requests_per_second)};
}

void raw_echo(natsConnection* nc, natsSubscription*, natsMsg* msg, void*) {
  natsConnection_Publish(nc, natsMsg_GetReply(msg), natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  natsMsg_Destroy(msg);
}

natsConnection* raw_connect(const skiff::test::NatsServer& server) {
  natsOptions* opts = nullptr;
  natsOptions_Create(&opts);
  natsOptions_SetURL(opts, server.url().c_str());
  natsOptions_SetToken(opts, server.token().c_str());
  natsOptions_SetSendAsap(opts, true);  // the same latency setting the SDK uses: compare like with like
  natsConnection* nc = nullptr;
  if (natsConnection_Connect(&nc, opts) != NATS_OK) {
    std::fprintf(stderr, "raw connect failed\n");
    std::exit(1);
  }
  natsOptions_Destroy(opts);
  return nc;
}

void print(const char* name, const Result& r) {
  std::printf("  %-28s p50 %7.1f us   p99 %7.1f us   %9.0f req/s\n", name, r.p50_us, r.p99_us, r.requests_per_second);
}

}  // namespace

int main(int argc, char** argv) {
  int requests = argc > 1 ? std::atoi(argv[1]) : 20000;
  skiff::test::NatsServer server;
  const std::string payload(64, 'x');  // a small Protobuf message is about this size

  // Raw libnats: one connection serves, one requests (per client thread).
  natsConnection* raw_server = raw_connect(server);
  natsSubscription* raw_sub = nullptr;
  natsConnection_QueueSubscribe(&raw_sub, raw_server, "bench.raw", "bench", raw_echo, nullptr);
  natsConnection_Flush(raw_server);

  auto sdk_server = skiff::sdk::connect_bus(server.options());
  auto sdk_sub = sdk_server->serve("bench.sdk", "bench", [](skiff::sdk::Request r) { r.reply(r.data()); });

  std::printf("Bus request/reply, %d requests per client in 5 alternating rounds (medians), %zu-byte payload, "
              "nats-server on loopback\n", requests,
              payload.size());
  for (int threads : {1, 4}) {
    std::vector<natsConnection*> raw_clients;
    std::vector<skiff::sdk::BusPtr> sdk_clients;
    for (int t = 0; t < threads; ++t) {
      raw_clients.push_back(raw_connect(server));
      sdk_clients.push_back(skiff::sdk::connect_bus(server.options()));
    }
    auto raw_one = [&](int t) {
      natsMsg* reply = nullptr;
      if (natsConnection_Request(&reply, raw_clients[t], "bench.raw", payload.data(), payload.size(), 5000) != NATS_OK)
        std::abort();
      natsMsg_Destroy(reply);
    };
    auto sdk_one = [&](int t) {
      if (!sdk_clients[t]->request("bench.sdk", payload, seconds(5)).ok()) std::abort();
    };
    // Warm up both paths, then alternate rounds so drift and noise on this shared 2-core machine
    // hit both alike; each figure is the median over the rounds.
    measure(threads, 2000, raw_one);
    measure(threads, 2000, sdk_one);
    std::vector<Result> raw_rounds, sdk_rounds;
    for (int round = 0; round < 5; ++round) {
      raw_rounds.push_back(measure(threads, requests / 5, raw_one));
      sdk_rounds.push_back(measure(threads, requests / 5, sdk_one));
    }
    Result raw = median_of(raw_rounds);
    Result sdk = median_of(sdk_rounds);
    std::printf("%d client thread%s:\n", threads, threads == 1 ? "" : "s");
    print("raw libnats (C)", raw);
    print("Skiff SDK Bus", sdk);
    std::printf("  SDK/raw: p50 %.2fx, p99 %.2fx, throughput %.2fx (overhead %.1f%%)\n", sdk.p50_us / raw.p50_us,
                sdk.p99_us / raw.p99_us, sdk.requests_per_second / raw.requests_per_second,
                (raw.requests_per_second / sdk.requests_per_second - 1) * 100);
    for (auto* c : raw_clients) natsConnection_Destroy(c);
  }
  natsSubscription_Destroy(raw_sub);
  natsConnection_Destroy(raw_server);
  return 0;
}
