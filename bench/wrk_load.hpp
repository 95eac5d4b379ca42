// wrk as a child process: started against a port with a Lua script, stopped at its duration or
// early (SIGINT, after which wrk still prints its report), and its report read back.
#pragma once

#include <memory>
#include <string>

#include "skiff/testing/process.hpp"

namespace skiff::bench {

struct WrkRun {
  int port = 0;
  std::string script;     // path of the Lua script
  bool close_each = false;  // the script's "close" argument: a new connection per request
  int connections = 50;
  int seconds = 10;
  std::string output_path;
};

struct WrkFigures {
  double requests_per_second = 0;
  long requests = 0;
  double p50_ms = 0, p99_ms = 0;
  long non_2xx = 0;        // "Non-2xx or 3xx responses"
  long socket_errors = 0;  // connect + read + write + timeout
  std::string socket_error_text;  // wrk's line, "" when it printed none
};

class WrkLoad {
 public:
  explicit WrkLoad(WrkRun run);  // starts wrk -t1 -c<connections> -d<seconds>s --latency
  // Waits for wrk's own end (or sends SIGINT first when `early`), then reads its report; throws
  // with wrk's output when it failed or printed no figures.
  WrkFigures finish(bool early = false);

 private:
  WrkRun run_;
  std::unique_ptr<test::ChildProcess> process_;
};

inline WrkFigures run_wrk(const WrkRun& run) { return WrkLoad(run).finish(); }

}  // namespace skiff::bench
