// JSON gateway calls: keys and values are base64, as the gateway maps gRPC bytes.
#include "etcd_client.hpp"

#include <google/protobuf/stubs/strutil.h>

#include <boost/asio/connect.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <stdexcept>

#include <sys/socket.h>

namespace skiff::bench {
namespace http = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {
std::string b64(const std::string& text) {
  std::string out;
  google::protobuf::Base64Escape(text, &out);
  return out;
}
}  // namespace

EtcdClient::EtcdClient(int port) : socket_(io_), port_(port) {
  socket_.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)));
  socket_.set_option(tcp::no_delay(true));
}

std::string EtcdClient::post(const std::string& target, const std::string& body) {
  http::request<http::string_body> request{http::verb::post, target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::content_type, "application/json");
  request.keep_alive(true);
  request.body() = body;
  request.prepare_payload();
  http::write(socket_, request);
  http::response<http::string_body> response;
  http::read(socket_, buffer_, response);
  if (response.result() != http::status::ok) throw std::runtime_error("etcd: " + response.body());
  return response.body();
}

void EtcdClient::put(const std::string& key, const std::string& value) {
  post("/v3/kv/put", "{\"key\":\"" + b64(key) + "\",\"value\":\"" + b64(value) + "\"}");
}

std::string EtcdClient::get(const std::string& key) {
  auto reply = boost::json::parse(post("/v3/kv/range", "{\"key\":\"" + b64(key) + "\"}"));
  const auto* kvs = reply.as_object().if_contains("kvs");
  if (!kvs || kvs->as_array().empty()) return "";
  std::string value;
  google::protobuf::Base64Unescape(std::string(kvs->as_array()[0].at("value").as_string()), &value);
  return value;
}

void EtcdClient::interrupt() { ::shutdown(socket_.native_handle(), SHUT_RDWR); }

void EtcdClient::watch(const std::string& prefix, const std::function<void(int)>& on_events,
                       const std::atomic<bool>& stop) {
  std::string end = prefix;
  end.back()++;
  http::request<http::string_body> request{http::verb::post, "/v3/watch", 11};
  request.set(http::field::host, "127.0.0.1");
  request.body() = "{\"create_request\":{\"key\":\"" + b64(prefix) + "\",\"range_end\":\"" + b64(end) + "\"}}";
  request.prepare_payload();
  http::write(socket_, request);
  http::response_parser<http::empty_body> parser;
  parser.body_limit(boost::none);
  http::read_header(socket_, buffer_, parser);
  std::string pending;
  // The gateway streams one JSON object per message; count the events in each.
  auto on_chunk = [&](std::uint64_t, boost::beast::string_view body, boost::beast::error_code&) -> std::size_t {
    pending.append(body.data(), body.size());
    std::size_t newline;
    while ((newline = pending.find('\n')) != std::string::npos) {
      std::string line = pending.substr(0, newline);
      pending.erase(0, newline + 1);
      if (line.empty()) continue;
      boost::system::error_code ec;
      auto message = boost::json::parse(line, ec);
      if (ec) continue;
      const auto* result = message.as_object().if_contains("result");
      const auto* events = result ? result->as_object().if_contains("events") : nullptr;
      if (events) on_events(static_cast<int>(events->as_array().size()));
    }
    return body.size();
  };
  parser.on_chunk_body(on_chunk);
  while (!stop && !parser.is_done()) {
    boost::beast::error_code ec;
    http::read_some(socket_, buffer_, parser, ec);
    if (ec) break;
  }
}

}  // namespace skiff::bench
