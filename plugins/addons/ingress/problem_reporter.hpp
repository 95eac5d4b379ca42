// What is wrong with served Ingresses, told once per distinct problem: a Warning Event on the
// Ingress and a log line. A problem that goes away and comes back is told again.
#pragma once

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "ingress_adapter.hpp"
#include "skiff/sdk/event_recorder.hpp"

namespace spdlog {
class logger;
}

namespace skiff::ingress {

class ProblemReporter {
 public:
  ProblemReporter(sdk::EventRecorder& events, spdlog::logger& log) : events_(events), log_(log) {}

  // Every served Ingress with its problems of this pass; Ingresses left out are forgotten.
  void report(const std::vector<std::pair<IngressPtr, std::vector<IngressProblem>>>& ingresses);
  // Problems standing now, over all Ingresses.
  std::size_t standing() const;

 private:
  sdk::EventRecorder& events_;
  spdlog::logger& log_;
  std::map<std::string, std::set<IngressProblem>> told_;  // by Ingress uid
};

}  // namespace skiff::ingress
