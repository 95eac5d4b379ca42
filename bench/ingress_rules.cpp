// The bench's hosts and paths, Skiff's Ingress values for them, and wrk's request mix.
#include "ingress_rules.hpp"

namespace skiff::bench {

RuleSet bench_rules(int host_count) {
  RuleSet rules;
  for (int i = 0; i < host_count; ++i) rules.hosts.push_back("app-" + std::to_string(i) + ".bench.example");
  rules.paths = {"/", "/api", "/api/v2", "/static"};
  return rules;
}

std::string added_host(int k) { return "new-" + std::to_string(k) + ".bench.example"; }

std::vector<ingress::IngressValues> skiff_ingresses(const RuleSet& rules, const std::vector<ingress::Endpoint>& backends) {
  std::vector<ingress::IngressValues> ingresses;
  for (const auto& host : rules.hosts) {
    ingress::IngressValues ingress;
    ingress.namespace_name = "default";
    ingress.name = host.substr(0, host.find('.'));
    ingress::IngressRule rule{host, {}};
    for (const auto& path : rules.paths) {
      std::string service = path == "/" ? "web" : "svc" + path;
      for (auto& c : service)
        if (c == '/') c = '-';
      ingress::Backend backend{{ingress.namespace_name, ingress.name, service, "80"}, backends};
      rule.paths.push_back({path, ingress::PathType::Prefix, std::move(backend)});
    }
    ingress.rules.push_back(std::move(rule));
    ingress.options.ssl_redirect = false;
    ingresses.push_back(std::move(ingress));
  }
  return ingresses;
}

std::string wrk_script(int host_count) {
  return "local host_count = " + std::to_string(host_count) + R"(
local targets = {"/", "/index.html", "/api/users/42", "/api/orders?page=2", "/api/v2/items/7", "/static/app.js"}
local requests = {}
local position = 0

function init(args)
  local close_each = args[1] == "close"
  math.randomseed(7)
  for i = 1, 1000 do
    local headers = {Host = "app-" .. (math.random(host_count) - 1) .. ".bench.example"}
    if close_each then headers["Connection"] = "close" end
    requests[i] = wrk.format("GET", targets[math.random(#targets)], headers)
  end
end

function request()
  position = position % #requests + 1
  return requests[position]
end
)";
}

}  // namespace skiff::bench
