// The rule set every proxy in ingress_bench serves: hosts × path prefixes, all to the same three
// backends; as Skiff's route values and as the Lua script that spreads wrk's requests over it.
#pragma once

#include <string>
#include <vector>

#include "ingress_values.hpp"

namespace skiff::bench {

struct RuleSet {
  std::vector<std::string> hosts;  // app-<i>.bench.example, then any hosts added by route changes
  std::vector<std::string> paths;  // Prefix paths of every host, "/" first
};

// `host_count` hosts, each with "/", "/api", "/api/v2" and "/static".
RuleSet bench_rules(int host_count);
// The host a route change adds: new-<k>.bench.example.
std::string added_host(int k);

// One Ingress per host (default/<host's first label>), each path its own Service on `backends`.
std::vector<ingress::IngressValues> skiff_ingresses(const RuleSet& rules, const std::vector<ingress::Endpoint>& backends);

// A wrk script: 1,000 requests spread at random (fixed seed) over the rule set's first
// `host_count` hosts and paths under each prefix; `wrk … -s script -- close` adds
// "Connection: close" to each request.
std::string wrk_script(int host_count);

}  // namespace skiff::bench
