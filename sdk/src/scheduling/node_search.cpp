#include "node_search.hpp"

#include <algorithm>
#include <atomic>

namespace skiff::sdk::scheduling {
namespace {

// Small enough that a search stops soon after it has enough nodes, big enough that handing
// out a chunk costs little next to filtering it.
constexpr std::size_t kFilterChunk = 128;
constexpr std::size_t kScoreChunk = 128;

FeasibleNodes walk(const std::vector<const NodeInfo*>& all, std::size_t start, std::size_t wanted, const FitCheck& fits) {
  FeasibleNodes out;
  std::vector<std::string> reasons;
  for (; out.visited < all.size() && out.nodes.size() < wanted; ++out.visited) {
    const NodeInfo* node = all[(start + out.visited) % all.size()];
    reasons.clear();
    if (fits(*node, reasons)) out.nodes.push_back(node);
  }
  return out;
}

}  // namespace

FeasibleNodes find_feasible(const std::vector<const NodeInfo*>& all, std::size_t start, std::size_t wanted,
                            const FitCheck& fits, WorkerPool* pool) {
  std::size_t chunks = (all.size() + kFilterChunk - 1) / kFilterChunk;
  if (!pool || pool->parallelism() < 2 || chunks < 2) return walk(all, start, wanted, fits);
  // Chunks are handed out in order and none starts once enough nodes were found. A chunk can
  // still be skipped out of order (its worker was descheduled between taking it and starting
  // while later chunks filled the count), so the merge filters any chunk it needs that was
  // skipped: merged in order, the chunks give exactly the sequential walk's answer.
  std::vector<std::vector<std::uint32_t>> found(chunks);  // offsets from start that fit
  std::vector<char> done(chunks, 0);
  std::atomic<std::size_t> total{0};
  auto filter_chunk = [&](std::size_t chunk) {
    std::vector<std::string> reasons;
    std::size_t end = std::min(all.size(), (chunk + 1) * kFilterChunk);
    for (std::size_t offset = chunk * kFilterChunk; offset < end; ++offset) {
      reasons.clear();
      if (fits(*all[(start + offset) % all.size()], reasons)) found[chunk].push_back(static_cast<std::uint32_t>(offset));
    }
    done[chunk] = 1;
  };
  pool->run(chunks, [&](std::size_t chunk) {
    if (total.load(std::memory_order_relaxed) >= wanted) return;
    filter_chunk(chunk);
    total.fetch_add(found[chunk].size(), std::memory_order_relaxed);
  });
  FeasibleNodes out;
  for (std::size_t chunk = 0; chunk < chunks; ++chunk) {
    if (!done[chunk]) filter_chunk(chunk);
    out.visited = std::min(all.size(), (chunk + 1) * kFilterChunk);
    for (std::uint32_t offset : found[chunk]) {
      out.nodes.push_back(all[(start + offset) % all.size()]);
      if (out.nodes.size() == wanted) {
        out.visited = offset + 1;
        return out;
      }
    }
  }
  return out;
}

std::vector<std::int64_t> total_scores(const PodInfo& pod, const std::vector<const NodeInfo*>& feasible,
                                       const std::vector<std::pair<std::unique_ptr<Scorer>, int>>& scorers,
                                       WorkerPool* pool) {
  std::size_t n = feasible.size();
  std::vector<std::vector<std::int64_t>> scores(scorers.size(), std::vector<std::int64_t>(n));
  for (auto& [scorer, weight] : scorers) scorer->prepare(pod, feasible);
  auto score_range = [&](std::size_t begin, std::size_t end, bool parallel_pass) {
    for (std::size_t s = 0; s < scorers.size(); ++s) {
      const Scorer& scorer = *scorers[s].first;
      if (scorer.parallel_safe() != parallel_pass) continue;
      for (std::size_t i = begin; i < end; ++i) scores[s][i] = scorer.score(pod, *feasible[i]);
    }
  };
  std::size_t chunks = (n + kScoreChunk - 1) / kScoreChunk;
  if (pool && chunks > 1) {
    pool->run(chunks, [&](std::size_t chunk) { score_range(chunk * kScoreChunk, std::min(n, (chunk + 1) * kScoreChunk), true); });
  } else {
    score_range(0, n, true);
  }
  score_range(0, n, false);
  std::vector<std::int64_t> total(n, 0);
  for (std::size_t s = 0; s < scorers.size(); ++s) {
    scorers[s].first->normalize(scores[s]);
    for (std::size_t i = 0; i < n; ++i) total[i] += scores[s][i] * scorers[s].second;
  }
  return total;
}

}  // namespace skiff::sdk::scheduling
