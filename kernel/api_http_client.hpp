// A small HTTP(S) client for the API server (Boost.Beast): one connection per request, the
// kubeconfig's CA and credentials, and line-by-line reading of a streamed (chunked) answer.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "kubeconfig_reader.hpp"

namespace skiff::kernel {

struct HttpAnswer {
  int status = 0;
  std::string body;  // the whole body; for a stream, only when the status is not 200
};

class ApiHttpClient {
 public:
  // Throws std::runtime_error when the server is not an http(s)://host[:port] URL.
  explicit ApiHttpClient(ApiEndpoint endpoint);

  // Throws std::runtime_error naming the server when it cannot be reached or TLS fails.
  HttpAnswer get(const std::string& target);
  // Calls on_line for each line of a 200 answer as it arrives; on_line returns false to stop.
  HttpAnswer get_lines(const std::string& target, const std::function<bool(std::string_view line)>& on_line);

 private:
  template <class Stream>
  HttpAnswer exchange(Stream& stream, const std::string& target, const std::function<bool(std::string_view)>* on_line);

  ApiEndpoint endpoint_;
  bool tls_ = true;
  std::string host_;
  std::string port_;
  std::string base_path_;
};

// Percent-encodes a query parameter's value.
std::string url_encode(std::string_view text);

}  // namespace skiff::kernel
