// A plain HTTP/1.1 client for API tests that kubectl cannot express (401, 413, 410, streams).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>

namespace skiff::test {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;
  std::string body;
};

class HttpClient {
 public:
  // TLS with `ca_file` trusted; an empty token sends no Authorization header.
  HttpClient(int port, std::string ca_file, std::string token);
  HttpResponse request(const std::string& method, const std::string& target, const std::string& body = "",
                       const std::string& content_type = "application/json", const std::string& accept = "application/json");
  // A GET with these headers (and the token, unless they carry an Authorization of their own).
  HttpResponse get(const std::string& target, const std::map<std::string, std::string>& headers);
  // Streams a chunked response; on_chunk returns false to stop. Gives up after `timeout`.
  int stream(const std::string& target, const std::function<bool(const std::string&)>& on_chunk,
             std::chrono::milliseconds timeout);

 private:
  int port_;
  std::string ca_file_;
  std::string token_;
};

}  // namespace skiff::test
