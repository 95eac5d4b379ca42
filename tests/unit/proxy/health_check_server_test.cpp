// The health-check NodePort answers as kube-proxy's: 200 with local endpoints, 503 without,
// and stops listening when its Service goes.
#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include "health_check_server.hpp"
#include "skiff/testing/process.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

// The answer to GET /healthz on 127.0.0.1:port; status 0 when nothing listens.
http::response<http::string_body> ask(std::uint16_t port) {
  boost::asio::io_context io;
  tcp::socket socket(io);
  beast::error_code error;
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port}, error);
  http::response<http::string_body> response;
  if (error) {
    response.result(0);  // a default response says 200
    return response;
  }
  http::request<http::empty_body> request{http::verb::get, "/healthz", 11};
  request.set(http::field::host, "127.0.0.1");
  http::write(socket, request);
  beast::flat_buffer buffer;
  http::read(socket, buffer, response);
  return response;
}

TEST(HealthCheckServer, AnswersByLocalEndpointsAndStopsWithItsService) {
  auto log = std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>());
  skiff::proxy::HealthCheckServer server(*log);
  auto port = static_cast<std::uint16_t>(skiff::test::free_port());
  server.update({{port, {"shop", "web", 2}}});
  EXPECT_EQ(server.listening(), 1u);
  auto healthy = ask(port);
  EXPECT_EQ(healthy.result_int(), 200);
  auto body = boost::json::parse(healthy.body()).as_object();
  EXPECT_EQ(body.at("localEndpoints").as_int64(), 2);
  EXPECT_EQ(body.at("service").at("namespace").as_string(), "shop");
  EXPECT_EQ(healthy["X-Load-Balancing-Endpoint-Weight"], "2");

  server.update({{port, {"shop", "web", 0}}});
  EXPECT_EQ(ask(port).result_int(), 503);

  server.update({});
  EXPECT_EQ(server.listening(), 0u);
  EXPECT_EQ(ask(port).result_int(), 0) << "nothing listens once the Service is gone";
}

}  // namespace
