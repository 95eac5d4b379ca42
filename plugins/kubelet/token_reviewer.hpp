// The kubelet's webhook token authentication: asks the API server who a bearer token belongs
// to (skiff.<c>.api.tokenreview) and remembers the answer — a known token for 2 minutes, an
// unknown one for 10 seconds — as the kubelet's --authentication-token-webhook-cache-ttl does.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::kubelet {

struct Caller {
  std::string user;
  std::string uid;
  std::vector<std::string> groups;
};

struct TokenReview {
  bool answered = false;  // false: the API server could not be asked (nothing is cached)
  std::optional<Caller> caller;  // unset: the token is unknown
  std::string error;      // why it was not answered
};

struct TokenReviewTimes {
  std::chrono::milliseconds known_ttl{120000};
  std::chrono::milliseconds unknown_ttl{10000};
  std::chrono::milliseconds timeout{5000};
};

class TokenReviewer {
 public:
  TokenReviewer(sdk::Bus& bus, const sdk::Subjects& subjects, TokenReviewTimes times = {});
  TokenReview review(const std::string& token);

 private:
  TokenReview ask(const std::string& token);
  void remember(const std::string& token, const TokenReview& review, std::chrono::steady_clock::time_point now);

  struct Entry {
    std::optional<Caller> caller;
    std::chrono::steady_clock::time_point expires;
  };
  sdk::Bus& bus_;
  std::string subject_;
  TokenReviewTimes times_;
  std::mutex mutex_;
  std::map<std::string, Entry> cache_;
};

// The token of an "Authorization: Bearer <token>" header; "" when there is none.
std::string bearer_token(const std::string& authorization_header);

}  // namespace skiff::kubelet
