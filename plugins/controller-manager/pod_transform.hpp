// What the controller-manager keeps of a pod in its cache. Its controllers read metadata,
// status, the node, volumes' claims, containers' names, images, ports and resources,
// tolerations and affinity — never a container's command, environment, mounts, probes or
// hooks, nor the content of projected volumes (every pod carries its service account's token
// volume). Dropping those as a pod is decoded cuts the cache of 10,000 pods by a sixth;
// writes of pods go from a fresh read (stored_copy.hpp), never from a trimmed copy.
#pragma once

namespace google::protobuf {
class Message;
}

namespace skiff::controllers {

void trim_pod_for_controllers(google::protobuf::Message& pod);

}  // namespace skiff::controllers
