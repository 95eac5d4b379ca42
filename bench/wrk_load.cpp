// wrk's command line and its text report ("Latency Distribution", "Requests/sec", error lines).
#include "wrk_load.hpp"

#include <signal.h>

#include <cstdio>
#include <regex>
#include <stdexcept>

namespace skiff::bench {

namespace {

double milliseconds(const std::string& number, const std::string& unit) {
  double value = std::stod(number);
  if (unit == "us") return value / 1000;
  if (unit == "s") return value * 1000;
  return value;
}

double percentile_ms(const std::string& text, const std::string& percent) {
  std::smatch m;
  if (!std::regex_search(text, m, std::regex("\\n\\s+" + percent + "%\\s+([0-9.]+)(us|ms|s)\\b")))
    throw std::runtime_error("ingress_bench: no " + percent + "% latency in wrk's report:\n" + text);
  return milliseconds(m[1], m[2]);
}

long count_after(const std::string& text, const std::string& label) {
  std::smatch m;
  return std::regex_search(text, m, std::regex(label + ":?\\s+([0-9]+)")) ? std::stol(m[1]) : 0;
}

WrkFigures parse_report(const std::string& text) {
  WrkFigures figures;
  std::smatch m;
  if (!std::regex_search(text, m, std::regex(R"(Requests/sec:\s+([0-9.]+))")))
    throw std::runtime_error("ingress_bench: no Requests/sec in wrk's report:\n" + text);
  figures.requests_per_second = std::stod(m[1]);
  if (std::regex_search(text, m, std::regex(R"(([0-9]+) requests in)"))) figures.requests = std::stol(m[1]);
  figures.p50_ms = percentile_ms(text, "50");
  figures.p99_ms = percentile_ms(text, "99");
  figures.non_2xx = count_after(text, "Non-2xx or 3xx responses");
  if (std::regex_search(text, m, std::regex(R"(Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+))"))) {
    figures.socket_errors = std::stol(m[1]) + std::stol(m[2]) + std::stol(m[3]) + std::stol(m[4]);
    figures.socket_error_text = m[0];
  }
  return figures;
}

}  // namespace

WrkLoad::WrkLoad(WrkRun run) : run_(std::move(run)) {
  std::remove(run_.output_path.c_str());
  test::SpawnSpec spec;
  spec.argv = {"wrk", "-t1", "-c" + std::to_string(run_.connections), "-d" + std::to_string(run_.seconds) + "s", "--latency",
               "-s", run_.script, "http://127.0.0.1:" + std::to_string(run_.port) + "/"};
  if (run_.close_each) spec.argv.insert(spec.argv.end(), {"--", "close"});
  spec.output_path = run_.output_path;
  process_ = std::make_unique<test::ChildProcess>(spec);
}

WrkFigures WrkLoad::finish(bool early) {
  if (early) ::kill(process_->pid(), SIGINT);
  auto code = process_->wait(std::chrono::seconds(run_.seconds + 30));
  std::string text = test::read_file(run_.output_path);
  if (code != 0) throw std::runtime_error("ingress_bench: wrk failed (exit " + (code ? std::to_string(*code) : "timeout") + "):\n" + text);
  return parse_report(text);
}

}  // namespace skiff::bench
