#include "pod_transform.hpp"

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/object_meta.hpp"

namespace skiff::controllers {

namespace {

void trim_container(api::core::v1::Container& c) {
  c.clear_command();
  c.clear_args();
  c.clear_env();
  c.clear_env_from();
  c.clear_volume_mounts();
  c.clear_liveness_probe();
  c.clear_readiness_probe();
  c.clear_startup_probe();
  c.clear_lifecycle();
  c.clear_security_context();
  c.clear_working_dir();
  c.clear_termination_message_path();
  c.clear_termination_message_policy();
}

}  // namespace

void trim_pod_for_controllers(google::protobuf::Message& object) {
  sdk::strip_managed_fields(object);
  auto& spec = *static_cast<api::core::v1::Pod&>(object).mutable_spec();
  for (auto& c : *spec.mutable_containers()) trim_container(c);
  for (auto& c : *spec.mutable_init_containers()) trim_container(c);
  for (auto& volume : *spec.mutable_volumes())
    if (volume.has_projected()) volume.clear_projected();  // the name stays: a volume of that name exists
  spec.clear_ephemeral_containers();
}

}  // namespace skiff::controllers
