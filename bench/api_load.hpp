// The API benchmarks' load: wrk against the HTTP API with a bearer token (the client api_bench
// and ha_bench share), and where an apiserver's kubeconfig says it listens.
#pragma once

#include <string>

#include "skiff/testing/temp_dir.hpp"

namespace skiff::bench {

struct Load {
  double rps = 0, p50_ms = 0, p99_ms = 0;
  long errors = 0;  // non-2xx answers (and, for the gRPC peer, failed calls)
};

// Parses `wrk --latency` output.
Load parse_wrk(const std::string& out);

// wrk with `connections` keep-alive connections (on up to 2 threads) for `duration` against
// `url`, running the Lua `script`.
Load wrk(const std::string& url, int connections, const std::string& script, const std::string& duration = "5s");

// Writes `text` to `name` in `dir`; returns its path.
std::string write_script(const test::TempDir& dir, const std::string& name, const std::string& text);

// The Lua lines that send the bearer token on every request.
std::string bearer_lines(const std::string& token);

// An apiserver as its kubeconfig names it: plain-HTTP URL, port and admin token.
struct ApiEndpoint {
  int port = 0;
  std::string token;
  std::string base;  // http://127.0.0.1:PORT
};
// Throws naming the file when it has no http://127.0.0.1 server or no token (TLS on?).
ApiEndpoint read_kubeconfig(const std::string& path);

}  // namespace skiff::bench
