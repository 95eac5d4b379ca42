// The versioned capabilities of Skiff's plugin kinds (`skiff.<kind>.v<N>`), as containerd
// names its plugin types. A kind's contract changes only by addition within a version; a
// change that breaks callers is a new version, and a plugin may provide several.
// Unversioned names written before versions existed ("runtime", "store", …) still work:
// skiffd reads `X` as `skiff.X.v1`.
#pragma once

namespace skiff::sdk::capability {

inline constexpr const char* kStore = "skiff.store.v1";
inline constexpr const char* kApiServer = "skiff.apiserver.v1";
inline constexpr const char* kScheduler = "skiff.scheduler.v1";
inline constexpr const char* kControllerManager = "skiff.controller-manager.v1";
inline constexpr const char* kKubelet = "skiff.kubelet.v1";
inline constexpr const char* kRuntime = "skiff.runtime.v1";
inline constexpr const char* kNetwork = "skiff.network.v1";
inline constexpr const char* kProxy = "skiff.proxy.v1";
inline constexpr const char* kCloudProvider = "skiff.cloudprovider.v1";
inline constexpr const char* kCloudControllerManager = "skiff.cloud-controller-manager.v1";

}  // namespace skiff::sdk::capability
