// The port-forward stream every runtime serves the same way: a TCP connection to
// localhost:port made from inside the pod's network namespace (setns on a thread of its own,
// so the plugin's threads stay where they are), then bytes piped both ways.
#pragma once

#include <string>

#include "skiff/sdk/runtime/runtime_service.hpp"

namespace skiff::runtime_common {

// A connected socket to 127.0.0.1:port (or [::1]:port) in the network namespace at
// `netns_path` ("" for the host's, as host-network pods have). Throws Error (500) with
// Kubernetes' wording when nothing listens there.
int connect_in_netns(const std::string& netns_path, int port);

// The body of a port_forward stream: connects (as above) once the stream starts, then pipes
// the caller's stdin to the socket (its end shuts the writing side) and the socket's bytes to
// fd 1, until the pod closes the connection or the caller stops the stream.
sdk::StreamBody forward_port(std::string netns_path, int port);

}  // namespace skiff::runtime_common
