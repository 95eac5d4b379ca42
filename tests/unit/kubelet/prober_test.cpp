// Single probe attempts: httpGet and tcpSocket against listeners of the test's own on
// loopback (exec probes run against runtime-sim in the pod syncer's tests).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <mutex>
#include <thread>

#include "nats_server.hpp"
#include "prober.hpp"
#include "skiff/sdk/bus_options.hpp"

namespace {

using namespace skiff;
namespace core = api::core::v1;
namespace net = boost::asio;
using tcp = net::ip::tcp;

// Answers each HTTP request on loopback: 200 for /healthz, 301 for /moved, 500 otherwise.
class TinyHttpServer {
 public:
  TinyHttpServer() : acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
  }
  ~TinyHttpServer() {
    stopping_ = true;
    boost::system::error_code ec;
    tcp::socket wake(io_);
    wake.connect({net::ip::make_address("127.0.0.1"), port_}, ec);  // unblocks accept()
    thread_.join();
  }
  int port() const { return port_; }
  std::string last_request() const {
    std::lock_guard lock(mutex_);
    return last_request_;
  }

 private:
  void serve() {
    while (true) {
      tcp::socket socket(io_);
      boost::system::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec || stopping_) return;
      net::streambuf buffer;
      net::read_until(socket, buffer, "\r\n\r\n", ec);
      std::string request(net::buffers_begin(buffer.data()), net::buffers_end(buffer.data()));
      if (request.size() < 4) continue;  // a tcpSocket probe: connected, sent nothing
      {
        std::lock_guard lock(mutex_);
        last_request_ = request;
      }
      std::string path = request.substr(4, request.find(' ', 4) - 4);
      std::string status = path == "/healthz" ? "200 OK" : path == "/moved" ? "301 Moved Permanently"
                                                                            : "500 Internal Server Error";
      net::write(socket, net::buffer("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), ec);
    }
  }

  net::io_context io_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::string last_request_;
  std::thread thread_;
};

class KubeletProbes : public ::testing::Test {
 protected:
  KubeletProbes()
      : bus_(sdk::connect_bus(nats_.options())), subjects_("test", "probe-node"), runtime_(*bus_, subjects_, "probe-node") {}

  bool probe(const core::Probe& p, const core::Container& container = {}) {
    return kubelet::run_probe(p, container, "127.0.0.1", "no-container", runtime_);
  }

  test::NatsServer nats_;
  sdk::BusPtr bus_;
  sdk::Subjects subjects_;
  sdk::RuntimeClient runtime_;
};

core::Probe http_probe(const std::string& path, int port) {
  core::Probe p;
  p.mutable_http_get()->set_path(path);
  p.mutable_http_get()->mutable_port()->set_int_val(port);
  return p;
}

TEST_F(KubeletProbes, HttpGetPassesOnSuccessAndRedirectAndSendsItsHeaders) {
  TinyHttpServer server;
  core::Probe healthz = http_probe("/healthz", server.port());
  auto* header = healthz.mutable_http_get()->add_http_headers();
  header->set_name("X-Probe");
  header->set_value("yes");
  EXPECT_TRUE(probe(healthz));
  std::string request = server.last_request();
  EXPECT_EQ(request.rfind("GET /healthz HTTP/1.1\r\n", 0), 0u) << request;
  EXPECT_NE(request.find("X-Probe: yes\r\n"), std::string::npos) << request;
  EXPECT_NE(request.find("kube-probe/"), std::string::npos) << request;
  EXPECT_TRUE(probe(http_probe("/moved", server.port())));
  EXPECT_FALSE(probe(http_probe("/broken", server.port())));
}

TEST_F(KubeletProbes, ANamedPortIsTheContainersPortOfThatName) {
  TinyHttpServer server;
  core::Container container;
  auto* port = container.add_ports();
  port->set_name("http");
  port->set_container_port(server.port());
  core::Probe p = http_probe("/healthz", 0);
  p.mutable_http_get()->mutable_port()->set_type(1);
  p.mutable_http_get()->mutable_port()->set_str_val("http");
  EXPECT_TRUE(probe(p, container));
  p.mutable_http_get()->mutable_port()->set_str_val("metrics");  // no such port
  EXPECT_FALSE(probe(p, container));
}

TEST_F(KubeletProbes, TcpSocketPassesWhileSomethingListens) {
  int closed_port = 0;
  {
    net::io_context io;
    tcp::acceptor gone(io, {net::ip::make_address("127.0.0.1"), 0});
    closed_port = gone.local_endpoint().port();
  }
  TinyHttpServer server;
  core::Probe p;
  p.mutable_tcp_socket()->mutable_port()->set_int_val(server.port());
  EXPECT_TRUE(probe(p));
  p.mutable_tcp_socket()->mutable_port()->set_int_val(closed_port);
  EXPECT_FALSE(probe(p));
}

TEST_F(KubeletProbes, WithoutAnAddressHttpFailsAndAnUnsupportedActionPasses) {
  core::Probe p = http_probe("/healthz", 8080);
  EXPECT_FALSE(kubelet::run_probe(p, {}, "", "no-container", runtime_)) << "no pod IP yet";
  core::Probe grpc;
  grpc.mutable_grpc()->set_port(9000);
  EXPECT_TRUE(probe(grpc)) << "grpc is not supported: it must not kill the container";
}

}  // namespace
