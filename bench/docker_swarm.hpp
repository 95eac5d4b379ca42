// Docker Swarm as the peer of "N replicas from 0 to all Running": a single-node swarm on this
// machine's dockerd, made for the measurement and left again (only if this run made it).
#pragma once

#include <optional>
#include <string>

namespace skiff::bench {

// Seconds from `docker service create --replicas N` (command `sleep 3600`) until N tasks run, or
// nullopt (with the reason on stderr) when no swarm could be had. `image` is a local image: the
// service names it by its ID, for which Swarm's executor skips the pull it otherwise always
// tries; the swarm listens on 127.0.0.1 only. Nothing leaves the machine.
std::optional<double> swarm_replicas_running(const std::string& image, int replicas);

}  // namespace skiff::bench
