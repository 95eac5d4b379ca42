// CRI failures as the runtime contract's statuses: codes the kubelet branches on, messages
// that name what failed and the fix.
#include <gtest/gtest.h>
#include <grpcpp/support/status_code_enum.h>

#include "cri_errors.hpp"

namespace {

using namespace skiff::containerd;

const std::string kSocket = "/run/skiff/containerd/containerd.sock";

int code(grpc::StatusCode c) { return static_cast<int>(c); }

TEST(CriErrors, GrpcCodesMapToContractCodes) {
  EXPECT_EQ(status_from_cri(code(grpc::StatusCode::NOT_FOUND), "x", "container 1", kSocket).code, 404);
  EXPECT_EQ(status_from_cri(code(grpc::StatusCode::NOT_FOUND), "x", "container 1", kSocket).reason, "NotFound");
  EXPECT_EQ(status_from_cri(code(grpc::StatusCode::ALREADY_EXISTS), "x", "w", kSocket).code, 409);
  EXPECT_EQ(status_from_cri(code(grpc::StatusCode::FAILED_PRECONDITION), "x", "w", kSocket).code, 409);
  EXPECT_EQ(status_from_cri(code(grpc::StatusCode::INVALID_ARGUMENT), "x", "w", kSocket).code, 400);
  EXPECT_EQ(status_from_cri(code(grpc::StatusCode::DEADLINE_EXCEEDED), "x", "w", kSocket).code, 504);
  EXPECT_EQ(status_from_cri(code(grpc::StatusCode::INTERNAL), "boom", "w", kSocket).code, 500);
  EXPECT_EQ(status_from_cri(code(grpc::StatusCode::INTERNAL), "boom", "w", kSocket).reason, "RuntimeError");
}

TEST(CriErrors, UnknownThatSaysNotFoundIsNotFound) {
  auto s = status_from_cri(code(grpc::StatusCode::UNKNOWN),
                           "an error occurred when try to find container \"abc\": not found", "starting container abc", kSocket);
  EXPECT_EQ(s.code, 404);
  EXPECT_EQ(s.message, "starting container abc: an error occurred when try to find container \"abc\": not found");
}

TEST(CriErrors, UnavailableNamesTheSocketAndTheScript) {
  auto s = status_from_cri(code(grpc::StatusCode::UNAVAILABLE), "connect: no such file", "CRI version", kSocket);
  EXPECT_EQ(s.code, 503);
  EXPECT_NE(s.message.find(kSocket), std::string::npos) << s.message;
  EXPECT_NE(s.message.find("scripts/containerd.sh"), std::string::npos) << s.message;
}

TEST(CriErrors, ImageFailuresCarryTheKubeletsReasons) {
  auto pull = pull_failure("127.0.0.1:1/x:1", "connection refused");
  EXPECT_EQ(pull.reason, "ErrImagePull");
  EXPECT_EQ(pull.message, "Failed to pull image \"127.0.0.1:1/x:1\": connection refused");
  auto never = never_pull_failure("x:1");
  EXPECT_EQ(never.reason, "ErrImageNeverPull");
  EXPECT_EQ(never.code, 404);
}

}  // namespace
