// Responses built with libknot; one io thread serves UDP and TCP (one query per connection
// read at a time, which is all the forwarder sends).
#include "fake_upstream.hpp"

#include "knot.hpp"

#include <boost/asio.hpp>
#include <thread>

#include "dns_message.hpp"
#include "rdata.hpp"

namespace skiff::dns::test {

namespace asio = boost::asio;

namespace {

struct Built {
  PacketPtr packet;
  std::vector<std::uint8_t> wire() const { return {packet->wire, packet->wire + packet->size}; }
};

Built start_response(const UpstreamQuestion& question, std::uint16_t id, std::uint16_t rcode) {
  Built built{PacketPtr(knot_pkt_new(nullptr, KNOT_WIRE_MAX_PKTSIZE, nullptr))};
  knot_wire_set_id(built.packet->wire, id);
  knot_wire_set_qr(built.packet->wire);
  knot_wire_set_rd(built.packet->wire);
  knot_wire_set_ra(built.packet->wire);
  knot_wire_set_rcode(built.packet->wire, rcode);
  knot_pkt_put_question(built.packet.get(), reinterpret_cast<const knot_dname_t*>(question.name.data()), question.qclass,
                        question.qtype);
  return built;
}

void put(knot_pkt_t* packet, const WireName& owner, std::uint16_t type, std::uint32_t ttl, const std::string& rdata) {
  knot_rrset_t rrset;
  knot_rrset_init(&rrset, reinterpret_cast<knot_dname_t*>(const_cast<char*>(owner.data())), type, KNOT_CLASS_IN, ttl);
  knot_rrset_add_rdata(&rrset, reinterpret_cast<const std::uint8_t*>(rdata.data()), static_cast<std::uint16_t>(rdata.size()), nullptr);
  knot_pkt_put(packet, KNOT_COMPR_HINT_NONE, &rrset, 0);  // written into the wire now; only the wire is used
  knot_rdataset_clear(&rrset.rrs, nullptr);
}

}  // namespace

std::vector<std::uint8_t> upstream_answer(const UpstreamQuestion& question, const std::vector<FakeRecord>& records,
                                          std::uint16_t id) {
  auto built = start_response(question, id, KNOT_RCODE_NOERROR);
  for (const auto& record : records) {
    auto address = asio::ip::make_address(record.address);
    put(built.packet.get(), *wire_name(record.name), address_type(address), record.ttl, address_rdata(address));
  }
  return built.wire();
}

std::vector<std::uint8_t> upstream_negative(const UpstreamQuestion& question, std::uint16_t rcode, std::uint32_t soa_ttl,
                                            std::uint32_t soa_minimum, bool with_soa, std::uint16_t id) {
  auto built = start_response(question, id, rcode);
  if (with_soa) {
    knot_pkt_begin(built.packet.get(), KNOT_AUTHORITY);
    SoaFields soa{*wire_name("ns.example"), *wire_name("hostmaster.example"), 1, 7200, 1800, 86400, soa_minimum};
    put(built.packet.get(), *wire_name("example"), KNOT_RRTYPE_SOA, soa_ttl, soa_rdata(soa));
  }
  return built.wire();
}

struct FakeUpstream::Impl {
  explicit Impl(FakeUpstream& o) : owner(o), udp_socket(io), acceptor(io) {}

  void receive() {
    udp_socket.async_receive_from(asio::buffer(buffer), sender, [this](boost::system::error_code error, std::size_t size) {
      if (error) return;
      std::vector<std::uint8_t> query(buffer.begin(), buffer.begin() + size);
      auto reply = owner.respond(query, true);
      if (!reply.empty()) udp_socket.send_to(asio::buffer(reply), sender, 0, error);
      receive();
    });
  }

  void accept() {
    acceptor.async_accept([this](boost::system::error_code error, asio::ip::tcp::socket socket) {
      if (error) return;
      auto connection = std::make_shared<asio::ip::tcp::socket>(std::move(socket));
      read(connection);
      accept();
    });
  }

  void read(std::shared_ptr<asio::ip::tcp::socket> connection) {
    auto length = std::make_shared<std::array<std::uint8_t, 2>>();
    asio::async_read(*connection, asio::buffer(*length), [this, connection, length](boost::system::error_code error, std::size_t) {
      if (error) return;
      auto query = std::make_shared<std::vector<std::uint8_t>>(std::size_t((*length)[0]) << 8 | (*length)[1]);
      asio::async_read(*connection, asio::buffer(*query), [this, connection, query](boost::system::error_code error, std::size_t) {
        if (error) return;
        auto reply = owner.respond(*query, false);
        if (reply.empty()) return;
        auto framed = std::make_shared<std::vector<std::uint8_t>>(reply.size() + 2);
        (*framed)[0] = static_cast<std::uint8_t>(reply.size() >> 8);
        (*framed)[1] = static_cast<std::uint8_t>(reply.size() & 0xff);
        std::copy(reply.begin(), reply.end(), framed->begin() + 2);
        asio::async_write(*connection, asio::buffer(*framed), [this, connection, framed](boost::system::error_code error, std::size_t) {
          if (!error) read(connection);
        });
      });
    });
  }

  FakeUpstream& owner;
  asio::io_context io;
  asio::ip::udp::socket udp_socket;
  asio::ip::tcp::acceptor acceptor;
  std::array<std::uint8_t, 65535> buffer{};
  asio::ip::udp::endpoint sender;
  std::thread thread;
};

FakeUpstream::FakeUpstream() : FakeUpstream("127.0.0.1", 0) {}

FakeUpstream::FakeUpstream(const std::string& address, std::uint16_t port) : impl_(std::make_unique<Impl>(*this)) {
  auto loopback = asio::ip::make_address(address);
  // A free UDP port whose TCP twin is free too: a few tries, as the kernel picks for UDP alone.
  for (int attempt = 0;; ++attempt) {
    impl_->udp_socket.open(asio::ip::udp::v4());
    impl_->udp_socket.bind({loopback, port});
    port_ = impl_->udp_socket.local_endpoint().port();
    impl_->acceptor.open(asio::ip::tcp::v4());
    impl_->acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true));
    boost::system::error_code error;
    impl_->acceptor.bind({loopback, port_}, error);
    if (!error) break;
    if (attempt == 20) throw boost::system::system_error(error, "fake upstream: no port free for both UDP and TCP");
    impl_->acceptor.close();
    impl_->udp_socket.close();
  }
  impl_->acceptor.listen();
  impl_->receive();
  impl_->accept();
  impl_->thread = std::thread([impl = impl_.get()] { impl->io.run(); });
}

FakeUpstream::~FakeUpstream() {
  impl_->io.stop();
  impl_->thread.join();
}

void FakeUpstream::set(const std::string& name, Behaviour behaviour, std::vector<FakeRecord> records) {
  std::lock_guard lock(mutex_);
  table_[text_name(*wire_name(name))] = {behaviour, std::move(records)};
}

std::vector<std::uint8_t> FakeUpstream::respond(const std::vector<std::uint8_t>& query, bool over_udp) {
  (over_udp ? udp_queries_ : tcp_queries_)++;
  auto parsed = parse_query(query);
  auto* asked = std::get_if<Query>(&parsed);
  if (!asked) return {};
  UpstreamQuestion question{asked->qname, asked->qtype, asked->qclass};
  auto id = knot_wire_get_id(query.data());
  std::lock_guard lock(mutex_);
  auto entry = table_.find(text_name(asked->qname));
  if (entry == table_.end()) return upstream_negative(question, KNOT_RCODE_NXDOMAIN, 60, 30, true, id);
  auto& [behaviour, records] = entry->second;
  switch (behaviour) {
    case Behaviour::Silent: return {};
    case Behaviour::Servfail: return upstream_negative(question, KNOT_RCODE_SERVFAIL, 0, 0, false, id);
    case Behaviour::Nxdomain: return upstream_negative(question, KNOT_RCODE_NXDOMAIN, 60, 30, true, id);
    case Behaviour::TruncateOverUdp:
      if (over_udp) {
        auto empty = upstream_answer(question, {}, id);
        knot_wire_set_tc(empty.data());
        return empty;
      }
      break;
    case Behaviour::Answer: break;
  }
  std::vector<FakeRecord> matching;
  for (const auto& record : records) {
    if (address_type(asio::ip::make_address(record.address)) == asked->qtype) matching.push_back(record);
  }
  if (matching.empty()) return upstream_negative(question, KNOT_RCODE_NOERROR, 60, 30, true, id);
  return upstream_answer(question, matching, id);
}

}  // namespace skiff::dns::test
