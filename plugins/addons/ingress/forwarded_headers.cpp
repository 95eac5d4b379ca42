// Hop-by-hop removal and the forwarding headers.
#include "forwarded_headers.hpp"

#include <boost/algorithm/string.hpp>
#include <random>
#include <vector>

namespace skiff::ingress {

namespace http = boost::beast::http;

namespace {

// The comma-separated tokens of every Connection field, lower case.
std::vector<std::string> connection_tokens(const http::fields& fields) {
  std::vector<std::string> tokens;
  for (auto range = fields.equal_range(http::field::connection); range.first != range.second; ++range.first) {
    std::vector<std::string> parts;
    std::string value(range.first->value());
    boost::split(parts, value, boost::is_any_of(","));
    for (auto& part : parts) {
      boost::trim(part);
      boost::to_lower(part);
      if (!part.empty()) tokens.push_back(part);
    }
  }
  return tokens;
}

}  // namespace

bool asks_for_upgrade(const http::fields& fields) {
  if (fields.find(http::field::upgrade) == fields.end()) return false;
  for (const auto& token : connection_tokens(fields)) {
    if (token == "upgrade") return true;
  }
  return false;
}

void remove_hop_by_hop(http::fields& fields, bool keep_upgrade) {
  keep_upgrade = keep_upgrade && fields.find(http::field::upgrade) != fields.end();
  for (const auto& token : connection_tokens(fields)) {
    if (token != "upgrade" && token != "transfer-encoding") fields.erase(token);
  }
  for (auto field : {http::field::connection, http::field::keep_alive, http::field::proxy_connection, http::field::te,
                     http::field::trailer, http::field::proxy_authenticate, http::field::proxy_authorization}) {
    fields.erase(field);
  }
  if (keep_upgrade) fields.set(http::field::connection, "upgrade");
  else fields.erase(http::field::upgrade);
}

std::string add_forwarded_fields(http::fields& fields, const ClientFacts& client) {
  auto forwarded_for = fields.find("X-Forwarded-For");
  std::string chain = forwarded_for == fields.end() ? client.address
                                                    : std::string(forwarded_for->value()) + ", " + client.address;
  fields.set("X-Forwarded-For", chain);
  fields.set("X-Forwarded-Proto", client.tls ? "https" : "http");
  fields.set("X-Forwarded-Host", std::string(fields[http::field::host]));
  if (client.port != 0) fields.set("X-Forwarded-Port", std::to_string(client.port));
  auto id = fields.find("X-Request-Id");
  if (id != fields.end() && !id->value().empty()) return std::string(id->value());
  std::string request_id = new_request_id();
  fields.set("X-Request-Id", request_id);
  return request_id;
}

std::string new_request_id() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string id(32, '0');
  for (std::size_t i = 0; i < id.size(); i += 16) {
    std::uint64_t bits = random();
    for (std::size_t j = 0; j < 16; ++j, bits >>= 4) id[i + j] = digits[bits & 0xf];
  }
  return id;
}

}  // namespace skiff::ingress
