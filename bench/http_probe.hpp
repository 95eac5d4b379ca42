// One GET on a fresh connection to 127.0.0.1: what a new client sees from a proxy right now.
#pragma once

#include <string>

namespace skiff::bench {

struct ProbeResult {
  unsigned status = 0;  // 0: no response (see error)
  std::string error;
};

ProbeResult probe_get(int port, const std::string& host, const std::string& target = "/");

}  // namespace skiff::bench
