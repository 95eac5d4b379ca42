// One queue group, so replicas of the API server share the reviews.
#include "token_review_service.hpp"

#include "skiff/apiserver/v1/token_review.pb.h"
#include "skiff/sdk/bus_proto.hpp"

namespace skiff::apiserver {

using apiserver::v1::TokenReviewRequest;
using apiserver::v1::TokenReviewResponse;

TokenReviewService::TokenReviewService(sdk::Bus& bus, const sdk::Subjects& subjects, const BearerAuthenticator& tokens)
    : subscription_(sdk::serve_proto<TokenReviewRequest>(
          bus, subjects.token_review(), "apiserver", [&tokens](const TokenReviewRequest& request, const sdk::Request&) {
            TokenReviewResponse response;
            auto user = tokens.authenticate("Bearer " + request.token());
            if (!user) return response;
            response.set_authenticated(true);
            response.set_user(user->name);
            response.set_uid(user->uid);
            for (const auto& group : user->groups) response.add_groups(group);
            return response;
          })) {}

}  // namespace skiff::apiserver
