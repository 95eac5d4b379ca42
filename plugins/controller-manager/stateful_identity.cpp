// Names, labels and claims of StatefulSet pods.
#include "stateful_identity.hpp"

#include <charconv>

#include "controller_history.hpp"
#include "pod_state.hpp"
#include "skiff/sdk/resources.hpp"

namespace skiff::controllers {
namespace {
namespace core = api::core::v1;
namespace apps = api::apps::v1;
}  // namespace

std::optional<int> ordinal_of(const std::string& set, const std::string& pod_name) {
  if (pod_name.size() <= set.size() + 1 || pod_name.compare(0, set.size(), set) != 0 || pod_name[set.size()] != '-')
    return std::nullopt;
  const char* begin = pod_name.data() + set.size() + 1;
  const char* end = pod_name.data() + pod_name.size();
  int ordinal = 0;
  auto [stop, ec] = std::from_chars(begin, end, ordinal);
  if (ec != std::errc() || stop != end || ordinal < 0 || (*begin == '0' && end - begin > 1)) return std::nullopt;
  return ordinal;
}

std::string stateful_pod_name(const std::string& set, int ordinal) { return set + "-" + std::to_string(ordinal); }

std::string stateful_claim_name(const std::string& claim_template, const std::string& set, int ordinal) {
  return claim_template + "-" + stateful_pod_name(set, ordinal);
}

core::Pod stateful_pod(const apps::StatefulSet& set, const core::PodTemplateSpec& pod_template,
                       const std::string& revision_name, int ordinal) {
  core::Pod pod;
  const std::string& set_name = set.metadata().name();
  std::string name = stateful_pod_name(set_name, ordinal);
  auto* meta = pod.mutable_metadata();
  *meta = pod_template.metadata();
  meta->set_name(name);
  meta->clear_generate_name();
  meta->set_namespace_(set.metadata().namespace_());
  auto& labels = *meta->mutable_labels();
  labels[kStatefulPodNameLabel] = name;
  labels[kPodIndexLabel] = std::to_string(ordinal);
  labels[kRevisionHashLabel] = revision_name;
  *meta->add_owner_references() = controller_reference(set.metadata(), sdk::resource_type_of<apps::StatefulSet>());
  *pod.mutable_spec() = pod_template.spec();
  pod.mutable_spec()->set_hostname(name);
  pod.mutable_spec()->set_subdomain(set.spec().service_name());
  for (const auto& claim : set.spec().volume_claim_templates()) {
    core::Volume* volume = nullptr;
    for (auto& existing : *pod.mutable_spec()->mutable_volumes())
      if (existing.name() == claim.metadata().name()) volume = &existing;
    if (!volume) volume = pod.mutable_spec()->add_volumes();
    volume->Clear();
    volume->set_name(claim.metadata().name());
    volume->mutable_persistent_volume_claim()->set_claim_name(stateful_claim_name(claim.metadata().name(), set_name, ordinal));
  }
  return pod;
}

core::PersistentVolumeClaim stateful_claim(const apps::StatefulSet& set, const core::PersistentVolumeClaim& claim_template,
                                           int ordinal) {
  core::PersistentVolumeClaim claim;
  auto* meta = claim.mutable_metadata();
  meta->set_name(stateful_claim_name(claim_template.metadata().name(), set.metadata().name(), ordinal));
  meta->set_namespace_(set.metadata().namespace_());
  *meta->mutable_labels() = claim_template.metadata().labels();
  for (const auto& [key, value] : set.spec().selector().match_labels()) (*meta->mutable_labels())[key] = value;
  *meta->mutable_annotations() = claim_template.metadata().annotations();
  *claim.mutable_spec() = claim_template.spec();
  if (set.spec().persistent_volume_claim_retention_policy().when_deleted() == "Delete") {
    auto ref = controller_reference(set.metadata(), sdk::resource_type_of<apps::StatefulSet>());
    ref.set_controller(false);
    ref.clear_block_owner_deletion();
    *meta->add_owner_references() = ref;
  }
  return claim;
}

}  // namespace skiff::controllers
