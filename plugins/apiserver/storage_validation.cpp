// The rules Kubernetes holds PVs, PVCs and StorageClasses to, each failure naming its field.
#include "storage_validation.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include <google/protobuf/util/message_differencer.h>

#include "field_rules.hpp"
#include "go_values.hpp"
#include "pod_validation.hpp"
#include "skiff/sdk/quantity.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::apiserver {
namespace {

namespace core = api::core::v1;
namespace storage = api::storage::v1;
using google::protobuf::util::MessageDifferencer;
using Strings = google::protobuf::RepeatedPtrField<std::string>;

const std::vector<std::string> kAccessModes = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"};
const std::vector<std::string> kVolumeModes = {"Block", "Filesystem"};

void each(FieldErrors& errors, const std::string& field, const std::string& value, const Messages& messages) {
  for (const auto& m : messages) errors.invalid(field, value, m);
}

// validateAccessModes / the claim's: at least one, each known, ReadWriteOncePod alone.
void check_access_modes(FieldErrors& errors, const std::string& field, const Strings& modes, const char* required) {
  if (modes.empty()) errors.required(field, required);
  bool once_pod = false;
  for (const auto& mode : modes) {
    if (std::find(kAccessModes.begin(), kAccessModes.end(), mode) == kAccessModes.end())
      errors.unsupported(field, mode, kAccessModes);
    once_pod = once_pod || mode == "ReadWriteOncePod";
  }
  if (once_pod && modes.size() > 1)
    errors.forbidden(field, "may not use ReadWriteOncePod with other access modes");
}

// ValidatePositiveQuantityValue: the quantity text is kept as the user wrote it in the message.
void check_positive_quantity(FieldErrors& errors, const std::string& field, const std::string& text) {
  auto value = sdk::parse_quantity_milli(text);
  if (!value) errors.invalid(field, quoted(text), "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  else if (*value <= 0) errors.invalid(field, quoted(text), "must be greater than zero");
}

// ValidateClassName: a StorageClass name is a DNS subdomain.
void check_class_name(FieldErrors& errors, const std::string& field, const std::string& name) {
  if (!name.empty()) each(errors, field, quoted(name), dns1123_subdomain_errors(name));
}

void check_volume_mode(FieldErrors& errors, const std::string& field, bool set, const std::string& mode) {
  if (set && std::find(kVolumeModes.begin(), kVolumeModes.end(), mode) == kVolumeModes.end())
    errors.unsupported(field, mode, kVolumeModes);
}

// validateLocalDescendingPath: no ".." element, so a subdirectory cannot climb out.
bool climbs_out(const std::string& path) {
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0) return true;
    start = end + 1;
  }
  return false;
}

// The volume sources: exactly one; hostPath and local need a path; local needs node affinity.
void check_volume_source(FieldErrors& errors, const core::PersistentVolumeSpec& spec) {
  int sources = 0;
  if (spec.has_host_path()) {
    ++sources;
    if (spec.host_path().path().empty()) errors.required("spec.hostPath.path");
    else if (climbs_out(spec.host_path().path()))
      errors.invalid("spec.hostPath.path", quoted(spec.host_path().path()), "must not contain '..'");
  }
  if (spec.has_local()) {
    if (++sources > 1) errors.forbidden("spec.local", "may not specify more than 1 volume type");
    if (spec.local().path().empty()) errors.required("spec.local.path");
    else if (climbs_out(spec.local().path()))
      errors.invalid("spec.local.path", quoted(spec.local().path()), "must not contain '..'");
    if (!spec.has_node_affinity()) errors.required("spec.nodeAffinity", "Local volume requires node affinity");
  }
  if (sources == 0) errors.required("spec", "must specify a volume type");
}

void check_node_affinity(FieldErrors& errors, const core::PersistentVolumeSpec& spec) {
  if (!spec.has_node_affinity()) return;
  if (!spec.node_affinity().has_required()) {
    errors.required("spec.nodeAffinity.required", "must specify required node constraints");
    return;
  }
  if (spec.node_affinity().required().node_selector_terms().empty())
    errors.required("spec.nodeAffinity.required.nodeSelectorTerms", "must have at least one node selector term");
}

void check_volume_spec(FieldErrors& errors, const core::PersistentVolumeSpec& spec) {
  check_access_modes(errors, "spec.accessModes", spec.access_modes(), "must specify at least 1 access mode");
  if (spec.capacity().empty()) errors.required("spec.capacity");
  if (!spec.capacity().count("storage") || spec.capacity().size() > 1)
    errors.unsupported_value("spec.capacity", go_string_map(spec.capacity()), {"storage"});
  for (const auto& [resource, quantity] : spec.capacity())
    check_positive_quantity(errors, "spec.capacity[" + resource + "]", quantity);
  const std::string& policy = spec.persistent_volume_reclaim_policy();
  if (!policy.empty() && policy != "Delete" && policy != "Recycle" && policy != "Retain")
    errors.unsupported("spec.persistentVolumeReclaimPolicy", policy, {"Delete", "Recycle", "Retain"});
  check_class_name(errors, "spec.storageClassName", spec.storage_class_name());
  check_volume_mode(errors, "spec.volumeMode", spec.has_volume_mode(), spec.volume_mode());
  check_volume_source(errors, spec);
  check_node_affinity(errors, spec);
}

bool same_source(const core::PersistentVolumeSpec& a, const core::PersistentVolumeSpec& b) {
  return MessageDifferencer::Equals(a.host_path(), b.host_path()) && MessageDifferencer::Equals(a.local(), b.local()) &&
         a.has_host_path() == b.has_host_path() && a.has_local() == b.has_local();
}

void check_claim_selector(FieldErrors& errors, const core::PersistentVolumeClaimSpec& spec) {
  if (!spec.has_selector()) return;
  check_labels(errors, "spec.selector.matchLabels", spec.selector().match_labels());
  try {
    sdk::LabelSelector::from_proto(spec.selector());
  } catch (const sdk::Error& e) {
    errors.invalid("spec.selector", go_label_selector(spec.selector()), e.what());
  }
}

void check_claim_spec(FieldErrors& errors, const core::PersistentVolumeClaimSpec& spec) {
  check_access_modes(errors, "spec.accessModes", spec.access_modes(), "at least 1 access mode is required");
  check_claim_selector(errors, spec);
  auto storage = spec.resources().requests().find("storage");
  if (storage == spec.resources().requests().end()) errors.required("spec.resources[storage]");
  else check_positive_quantity(errors, "spec.resources[storage]", storage->second);
  if (spec.has_storage_class_name()) check_class_name(errors, "spec.storageClassName", spec.storage_class_name());
  check_volume_mode(errors, "spec.volumeMode", spec.has_volume_mode(), spec.volume_mode());
}

// What a claim's spec may become: volumeName once (the binding), requests of a bound claim.
bool allowed_claim_change(const core::PersistentVolumeClaimSpec& before, const core::PersistentVolumeClaimSpec& after) {
  core::PersistentVolumeClaimSpec old_spec = before;
  if (old_spec.volume_name().empty()) old_spec.set_volume_name(after.volume_name());
  if (!before.volume_name().empty()) *old_spec.mutable_resources()->mutable_requests() = after.resources().requests();
  if (!old_spec.has_storage_class_name() && after.has_storage_class_name())
    old_spec.set_storage_class_name(after.storage_class_name());
  return MessageDifferencer::Equals(old_spec, after);
}

void check_provisioner(FieldErrors& errors, const std::string& provisioner) {
  if (provisioner.empty()) {
    errors.required("provisioner");
    return;
  }
  std::string lower = provisioner;
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  each(errors, "provisioner", quoted(provisioner), qualified_name_errors(lower));
}

}  // namespace

void check_persistent_volume(FieldErrors& errors, const core::PersistentVolume& pv, const core::PersistentVolume* old) {
  check_volume_spec(errors, pv.spec());
  if (!old) return;
  if (!same_source(old->spec(), pv.spec()))
    errors.forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation");
  if (old->spec().has_volume_mode() && (pv.spec().volume_mode() != old->spec().volume_mode()))
    errors.invalid("spec.volumeMode", quoted(pv.spec().volume_mode()), "field is immutable");
  if (old->spec().has_node_affinity() && !MessageDifferencer::Equals(old->spec().node_affinity(), pv.spec().node_affinity()))
    errors.forbidden("spec.nodeAffinity", "field is immutable");
}

void check_persistent_volume_claim(FieldErrors& errors, const core::PersistentVolumeClaim& pvc,
                                   const core::PersistentVolumeClaim* old) {
  check_claim_spec(errors, pvc.spec());
  if (old && !allowed_claim_change(old->spec(), pvc.spec()))
    errors.forbidden("spec", "spec is immutable after creation except resources.requests and "
                             "volumeAttributesClassName for bound claims");
}

void check_storage_class(FieldErrors& errors, const storage::StorageClass& sc, const storage::StorageClass* old) {
  check_provisioner(errors, sc.provisioner());
  for (const auto& [key, value] : sc.parameters())
    if (key.empty()) errors.invalid("parameters", quoted(key), "field can not be empty.");
  if (sc.has_reclaim_policy() && sc.reclaim_policy() != "Delete" && sc.reclaim_policy() != "Retain")
    errors.unsupported("reclaimPolicy", sc.reclaim_policy(), {"Delete", "Retain"});
  if (!sc.has_volume_binding_mode()) errors.required("volumeBindingMode");
  else if (sc.volume_binding_mode() != "Immediate" && sc.volume_binding_mode() != "WaitForFirstConsumer")
    errors.unsupported("volumeBindingMode", sc.volume_binding_mode(), {"Immediate", "WaitForFirstConsumer"});
  if (!old) return;
  if (std::map<std::string, std::string>(old->parameters().begin(), old->parameters().end()) !=
      std::map<std::string, std::string>(sc.parameters().begin(), sc.parameters().end()))
    errors.forbidden("parameters", "updates to parameters are forbidden.");
  if (old->provisioner() != sc.provisioner()) errors.forbidden("provisioner", "updates to provisioner are forbidden.");
  if (old->reclaim_policy() != sc.reclaim_policy())
    errors.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden.");
  if (old->volume_binding_mode() != sc.volume_binding_mode())
    errors.invalid("volumeBindingMode", quoted(sc.volume_binding_mode()), "field is immutable");
}

}  // namespace skiff::apiserver
