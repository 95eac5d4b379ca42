// Whether a service proxy runs on this kubelet's machine: the node reports a kube-proxy
// version only then, as a Kubernetes node without kube-proxy leaves it empty.
#pragma once

#include <functional>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::kubelet {

// Asks this machine's kernel for its plugins: true when one of kind "proxy" is running.
// An unanswered or failed ask counts as "no proxy" (the next status update asks again).
std::function<bool()> proxy_presence(sdk::Bus& bus, const sdk::Subjects& subjects);

}  // namespace skiff::kubelet
