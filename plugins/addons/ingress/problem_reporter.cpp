// Keyed by uid: an Ingress deleted and made again under its name is told its problems anew.
#include "problem_reporter.hpp"

#include <spdlog/logger.h>

namespace skiff::ingress {

void ProblemReporter::report(const std::vector<std::pair<IngressPtr, std::vector<IngressProblem>>>& ingresses) {
  std::map<std::string, std::set<IngressProblem>> now;
  for (const auto& [ingress, problems] : ingresses) {
    const auto& meta = ingress->metadata();
    auto& current = now[meta.uid()];
    const auto& before = told_[meta.uid()];
    for (const auto& problem : problems) {
      current.insert(problem);
      if (before.contains(problem)) continue;
      log_.warn("Ingress {}/{}: {}", meta.namespace_(), meta.name(), problem.message);
      events_.record(*ingress, "Warning", problem.reason, problem.message);
    }
  }
  told_ = std::move(now);
}

std::size_t ProblemReporter::standing() const {
  std::size_t count = 0;
  for (const auto& [uid, problems] : told_) count += problems.size();
  return count;
}

}  // namespace skiff::ingress
