// CRI (gRPC) failures as the runtime contract's statuses: the code the kubelet branches on
// (404 for an unknown id, 409 for a wrong state, 503 when containerd is away) and a message
// that names what failed and, where there is one, the fix.
#pragma once

#include <string>
#include <string_view>

#include "skiff/sdk/status.hpp"

namespace skiff::containerd {

// `grpc_code` is a grpc::StatusCode; `what` says what was being done ("starting container 3f…");
// `socket` is containerd's, named when it does not answer.
sdk::Status status_from_cri(int grpc_code, std::string_view message, const std::string& what, const std::string& socket);

// A failed PullImage: reason ErrImagePull, the image named, containerd's message kept.
sdk::Status pull_failure(const std::string& image, std::string_view message);
// An image that is missing under pull policy Never: reason ErrImageNeverPull.
sdk::Status never_pull_failure(const std::string& image);

}  // namespace skiff::containerd
