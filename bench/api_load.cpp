#include "api_load.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <regex>
#include <stdexcept>
#include <vector>

#include "command.hpp"

namespace skiff::bench {

namespace {

double to_ms(const std::string& number, const std::string& unit) {
  double v = std::stod(number);
  if (unit == "us") return v / 1000;
  if (unit == "s") return v * 1000;
  return v;
}

}  // namespace

Load parse_wrk(const std::string& out) {
  Load load;
  std::smatch m;
  if (std::regex_search(out, m, std::regex(R"(Requests/sec:\s+([0-9.]+))"))) load.rps = std::stod(m[1]);
  if (std::regex_search(out, m, std::regex(R"(50%\s+([0-9.]+)(us|ms|s))"))) load.p50_ms = to_ms(m[1], m[2]);
  if (std::regex_search(out, m, std::regex(R"(99%\s+([0-9.]+)(us|ms|s))"))) load.p99_ms = to_ms(m[1], m[2]);
  if (std::regex_search(out, m, std::regex(R"(Non-2xx or 3xx responses:\s+([0-9]+))"))) load.errors = std::stol(m[1]);
  return load;
}

Load wrk(const std::string& url, int connections, const std::string& script, const std::string& duration) {
  std::vector<std::string> argv = {"wrk", "-t", std::to_string(std::min(connections, 2)), "-c", std::to_string(connections),
                                   "-d", duration, "--latency", "-s", script, url};
  auto r = test::run_command(argv, {}, std::chrono::seconds(120));
  if (r.exit_code != 0) std::fprintf(stderr, "wrk failed: %s\n", r.both().c_str());
  return parse_wrk(r.out);
}

std::string write_script(const test::TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.file(name);
  std::ofstream(path) << text;
  return path;
}

std::string bearer_lines(const std::string& token) {
  return "wrk.headers[\"Authorization\"] = \"Bearer " + token + "\"\n";
}

ApiEndpoint read_kubeconfig(const std::string& path) {
  std::ifstream file(path);
  std::string text((std::istreambuf_iterator<char>(file)), {});
  std::smatch m;
  ApiEndpoint api;
  if (!std::regex_search(text, m, std::regex(R"(server: http://127\.0\.0\.1:([0-9]+))")))
    throw std::runtime_error("kubeconfig " + path + " names no http://127.0.0.1 server: run the apiserver with "
                             "{address: 127.0.0.1:0, tls: false} for the benchmarks");
  api.port = std::stoi(m[1]);
  if (!std::regex_search(text, m, std::regex(R"(token: ([A-Za-z0-9]+))")))
    throw std::runtime_error("kubeconfig " + path + " has no bearer token");
  api.token = m[1];
  api.base = "http://127.0.0.1:" + std::to_string(api.port);
  return api;
}

}  // namespace skiff::bench
