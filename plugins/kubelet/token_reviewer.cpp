// The cache is bounded: a flood of made-up tokens evicts the expired entries, then everything,
// rather than growing without end.
#include "token_reviewer.hpp"

#include "skiff/apiserver/v1/token_review.pb.h"

namespace skiff::kubelet {
namespace {

constexpr std::size_t kMaxCached = 4096;

}  // namespace

std::string bearer_token(const std::string& header) {
  const std::string prefix = "Bearer ";
  if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) return "";
  std::string token = header.substr(prefix.size());
  while (!token.empty() && (token.back() == ' ' || token.back() == '\r')) token.pop_back();
  return token;
}

TokenReviewer::TokenReviewer(sdk::Bus& bus, const sdk::Subjects& subjects, TokenReviewTimes times)
    : bus_(bus), subject_(subjects.token_review()), times_(times) {}

TokenReview TokenReviewer::review(const std::string& token) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(token);
    if (it != cache_.end() && it->second.expires > now) return {true, it->second.caller, ""};
  }
  TokenReview answer = ask(token);
  if (answer.answered) remember(token, answer, now);
  return answer;
}

TokenReview TokenReviewer::ask(const std::string& token) {
  apiserver::v1::TokenReviewRequest request;
  request.set_token(token);
  sdk::Reply reply = bus_.request(subject_, request.SerializeAsString(), times_.timeout);
  if (!reply.ok()) return {false, std::nullopt, "the API server did not review the token on " + subject_ + ": " + reply.status.message};
  apiserver::v1::TokenReviewResponse response;
  if (!response.ParseFromString(reply.data)) return {false, std::nullopt, "the API server's token review is not a TokenReviewResponse"};
  if (!response.authenticated()) return {true, std::nullopt, ""};
  return {true, Caller{response.user(), response.uid(), {response.groups().begin(), response.groups().end()}}, ""};
}

void TokenReviewer::remember(const std::string& token, const TokenReview& review,
                             std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(mutex_);
  if (cache_.size() >= kMaxCached) std::erase_if(cache_, [&](const auto& entry) { return entry.second.expires <= now; });
  if (cache_.size() >= kMaxCached) cache_.clear();
  cache_[token] = Entry{review.caller, now + (review.caller ? times_.known_ttl : times_.unknown_ttl)};
}

}  // namespace skiff::kubelet
