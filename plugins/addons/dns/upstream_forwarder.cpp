// Cache first (on the caller's thread), then the I/O thread: one flight per distinct question,
// servers tried in order, every waiter told the same outcome.
#include "upstream_forwarder.hpp"

#include <boost/asio.hpp>
#include <map>
#include <random>
#include <thread>

#include "answer_cache.hpp"
#include "dns_message.hpp"
#include "upstream_exchange.hpp"

namespace skiff::dns {

namespace asio = boost::asio;

namespace {

// A recursive query (RD) for the question, with EDNS so large answers come over UDP.
std::vector<std::uint8_t> upstream_query(const UpstreamQuestion& question, std::uint16_t id, std::uint16_t payload) {
  PacketPtr packet(knot_pkt_new(nullptr, KNOT_WIRE_MIN_PKTSIZE, nullptr));
  if (!packet) throw std::bad_alloc();
  knot_wire_set_id(packet->wire, id);
  knot_wire_set_rd(packet->wire);
  auto* name = reinterpret_cast<const knot_dname_t*>(question.name.data());
  knot_pkt_put_question(packet.get(), name, question.qclass, question.qtype);
  knot_pkt_begin(packet.get(), KNOT_ADDITIONAL);
  knot_rrset_t opt;
  if (knot_edns_init(&opt, payload, 0, 0, nullptr) == KNOT_EOK) {
    if (question.dnssec_ok) knot_edns_set_do(&opt);
    knot_pkt_put(packet.get(), KNOT_COMPR_HINT_NONE, &opt, 0);
    knot_rrset_clear(&opt, nullptr);
  }
  return {packet->wire, packet->wire + packet->size};
}

bool worth_another_server(const ExchangeResult& result) {
  if (!result.answered) return true;
  auto rcode = knot_wire_get_rcode(result.message.data());
  return rcode == KNOT_RCODE_SERVFAIL || rcode == KNOT_RCODE_REFUSED;
}

}  // namespace

struct UpstreamForwarder::Impl {
  struct Flight {
    std::vector<std::function<void(UpstreamReply)>> waiters;
    std::chrono::steady_clock::time_point started;
  };

  Impl(ForwarderConfig c, DnsMetrics& m)
      : config(std::move(c)), metrics(m), cache(config.cache_capacity, config.max_cache_ttl), guard(asio::make_work_guard(io)),
        random(std::random_device{}()), thread([this] { io.run(); }) {}

  ~Impl() {
    io.stop();
    thread.join();
  }

  // On the I/O thread: join a flight for this question or start one.
  void enqueue(const UpstreamQuestion& question, std::function<void(UpstreamReply)> done) {
    auto [flight, first] = flights.try_emplace(key_of(question));
    flight->second.waiters.push_back(std::move(done));
    if (!first) return;
    flight->second.started = std::chrono::steady_clock::now();
    ask(question, 0, ExchangeResult{false, {}, false, "no upstream servers configured"});
  }

  void ask(const UpstreamQuestion& question, std::size_t server, ExchangeResult last) {
    if (server >= config.upstreams.size()) return land(question, std::move(last));
    auto id = static_cast<std::uint16_t>(random());
    exchange(io, config.upstreams[server], upstream_query(question, id, config.udp_payload), config.timeout,
             [this, question, server](ExchangeResult result) {
               if (worth_another_server(result) && server + 1 < config.upstreams.size()) {
                 return ask(question, server + 1, std::move(result));
               }
               land(question, std::move(result));
             });
  }

  void land(const UpstreamQuestion& question, ExchangeResult result) {
    auto flight = flights.find(key_of(question));
    if (flight == flights.end()) return;
    metrics.forwarded(std::chrono::steady_clock::now() - flight->second.started, result.answered);
    UpstreamReply reply;
    if (result.answered) {
      cache.store(question, result.message, std::chrono::steady_clock::now());
      reply.status = UpstreamReply::Status::Answered;
      reply.message = std::move(result.message);
    }
    auto waiters = std::move(flight->second.waiters);
    flights.erase(flight);
    for (auto& waiter : waiters) waiter(reply);
  }

  static std::string key_of(const UpstreamQuestion& question) {
    return question.name + std::to_string(question.qtype) + "/" + std::to_string(question.qclass) + (question.dnssec_ok ? "+do" : "");
  }

  ForwarderConfig config;
  DnsMetrics& metrics;
  AnswerCache cache;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard;
  std::map<std::string, Flight> flights;  // touched on the I/O thread only
  std::mt19937 random;                    // I/O thread only
  std::thread thread;
};

UpstreamForwarder::UpstreamForwarder(ForwarderConfig config, DnsMetrics& metrics)
    : impl_(std::make_unique<Impl>(std::move(config), metrics)) {}

UpstreamForwarder::~UpstreamForwarder() = default;

void UpstreamForwarder::resolve(const UpstreamQuestion& question, std::function<void(UpstreamReply)> done) {
  auto cached = impl_->cache.find(question, std::chrono::steady_clock::now());
  impl_->metrics.cache_lookup(cached.has_value());
  if (cached) return done(std::move(*cached));
  asio::post(impl_->io, [impl = impl_.get(), question, done = std::move(done)]() mutable { impl->enqueue(question, std::move(done)); });
}

std::size_t UpstreamForwarder::cached() const { return impl_->cache.size(); }

}  // namespace skiff::dns
