// Serves skiff.<c>.api.tokenreview: the tokens the HTTP API accepts, checked for other
// components (the kubelet authenticates its HTTPS callers through it).
#pragma once

#include "auth.hpp"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::apiserver {

class TokenReviewService {
 public:
  TokenReviewService(sdk::Bus& bus, const sdk::Subjects& subjects, const BearerAuthenticator& tokens);

 private:
  sdk::Subscription subscription_;
};

}  // namespace skiff::apiserver
