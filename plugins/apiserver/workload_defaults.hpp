// Defaults of DaemonSets and StatefulSets, as Kubernetes' SetDefaults_DaemonSet/_StatefulSet set them.
#pragma once

namespace google::protobuf {
class Message;
}

namespace skiff::apiserver {

// Fills the defaults of one of these kinds; false for any other kind.
bool apply_workload_defaults(google::protobuf::Message& object);

}  // namespace skiff::apiserver
