// One HTTP(S) GET with Boost.Beast, as a registry client needs it: the URL, extra headers, a
// deadline, the body kept in memory or written to a file, and redirects followed (a registry
// may send blobs to storage elsewhere). TLS verifies the peer against the system's CAs.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>

namespace skiff::runc {

struct Url {
  bool tls = true;
  std::string host;
  std::string port;
  std::string target;  // path and query

  // Throws sdk::Error(400) when `text` is not an http:// or https:// URL.
  static Url parse(const std::string& text);
  std::string text() const;
};

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lowercase
  std::string body;                            // "" when written to a file

  std::string header(const std::string& lowercase_name) const {
    auto it = headers.find(lowercase_name);
    return it == headers.end() ? "" : it->second;
  }
};

struct HttpRequest {
  Url url;
  std::map<std::string, std::string> headers;
  std::optional<std::string> body_file;  // write a 2xx body here instead of into the result
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};
};

// Throws sdk::Error(502) naming the URL when the server cannot be reached or the exchange fails.
HttpResult http_get(const HttpRequest& request);

}  // namespace skiff::runc
