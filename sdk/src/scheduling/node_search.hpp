// The filter and score passes of one scheduling cycle, spread over the worker pool with the
// same result as one thread walking the nodes in order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "skiff/sdk/scheduling/framework.hpp"
#include "worker_pool.hpp"

namespace skiff::sdk::scheduling {

// Whether the pod may go on the node; fills `reasons` when not.
using FitCheck = std::function<bool(const NodeInfo& node, std::vector<std::string>& reasons)>;

struct FeasibleNodes {
  std::vector<const NodeInfo*> nodes;  // in walk order
  std::size_t visited = 0;             // nodes a sequential walk would have looked at
};

// Walks `all` round robin from `start` until `wanted` nodes fit (or every node was seen), as
// kube-scheduler does; chunks of nodes go to the pool when `pool` is given, and the feasible
// nodes and `visited` are exactly those of the sequential walk.
FeasibleNodes find_feasible(const std::vector<const NodeInfo*>& all, std::size_t start, std::size_t wanted,
                            const FitCheck& fits, WorkerPool* pool);

// Weighted sum of the scorers' normalized scores per feasible node. Scorers' prepare() and
// normalize() run on the caller; score() on the pool for those that are parallel_safe().
std::vector<std::int64_t> total_scores(const PodInfo& pod, const std::vector<const NodeInfo*>& feasible,
                                       const std::vector<std::pair<std::unique_ptr<Scorer>, int>>& scorers,
                                       WorkerPool* pool);

}  // namespace skiff::sdk::scheduling
