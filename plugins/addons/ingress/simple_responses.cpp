// Error and redirect responses made by the proxy.
#include "simple_responses.hpp"

namespace skiff::ingress {

namespace http = boost::beast::http;

namespace {

SimpleResponse text_response(http::status status, std::string body, unsigned version, bool keep_alive) {
  SimpleResponse response{status, version};
  response.set(http::field::server, "skiff-ingress");
  response.set(http::field::content_type, "text/plain; charset=utf-8");
  response.body() = std::move(body);
  response.keep_alive(keep_alive);
  response.prepare_payload();
  return response;
}

}  // namespace

SimpleResponse error_response(http::status status, const std::string& detail, unsigned version, bool keep_alive) {
  std::string body = std::to_string(static_cast<unsigned>(status)) + " " + std::string(http::obsolete_reason(status));
  if (!detail.empty()) body += ": " + detail;
  return text_response(status, body + "\n", version, keep_alive);
}

SimpleResponse redirect_response(const std::string& location, unsigned version, bool keep_alive) {
  SimpleResponse response = text_response(http::status::permanent_redirect, "308 Permanent Redirect\n", version, keep_alive);
  response.set(http::field::location, location);
  return response;
}

}  // namespace skiff::ingress
