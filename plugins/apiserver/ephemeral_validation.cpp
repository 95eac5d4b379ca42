// Ephemeral containers checked as Kubernetes' validateEphemeralContainers and
// ValidatePodEphemeralContainersUpdate, and the subresource's merge into the stored pod.
#include "ephemeral_validation.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <set>

#include "field_rules.hpp"

namespace skiff::apiserver {

namespace {

namespace core = api::core::v1;
using Differencer = google::protobuf::util::MessageDifferencer;

constexpr const char* kNotForEphemeral = "cannot be set for an Ephemeral Container";

std::string idx(const std::string& path, int i) { return path + "[" + std::to_string(i) + "]"; }

// What only long-lived containers may have.
void check_disallowed_fields(FieldErrors& errors, const std::string& at, const core::EphemeralContainer& c) {
  if (!c.ports().empty()) errors.forbidden(at + ".ports", kNotForEphemeral);
  if (c.has_liveness_probe()) errors.forbidden(at + ".livenessProbe", kNotForEphemeral);
  if (c.has_readiness_probe()) errors.forbidden(at + ".readinessProbe", kNotForEphemeral);
  if (c.has_startup_probe()) errors.forbidden(at + ".startupProbe", kNotForEphemeral);
  if (c.has_lifecycle()) errors.forbidden(at + ".lifecycle", kNotForEphemeral);
  if (!c.resources().limits().empty() || !c.resources().requests().empty())
    errors.forbidden(at + ".resources", kNotForEphemeral);
  if (!c.restart_policy().empty()) errors.forbidden(at + ".restartPolicy", kNotForEphemeral);
}

void check_one(FieldErrors& errors, const std::string& at, const core::EphemeralContainer& c,
               std::set<std::string>& names, const std::set<std::string>& targets, const std::set<std::string>& volumes) {
  if (c.name().empty()) errors.required(at + ".name");
  else for (const auto& message : dns1123_label_errors(c.name())) errors.invalid(at + ".name", quoted(c.name()), message);
  if (!c.name().empty() && !names.insert(c.name()).second) errors.duplicate(at + ".name", quoted(c.name()));
  if (c.image().empty()) errors.required(at + ".image");
  check_disallowed_fields(errors, at, c);
  for (int m = 0; m < c.volume_mounts_size(); ++m) {
    const auto& mount = c.volume_mounts(m);
    std::string mat = idx(at + ".volumeMounts", m);
    if (!volumes.count(mount.name())) errors.add("FieldValueNotFound", mat + ".name", "Not found: " + quoted(mount.name()));
    if (!mount.sub_path().empty()) errors.forbidden(mat + ".subPath", kNotForEphemeral);
  }
  if (!c.target_container_name().empty() && !targets.count(c.target_container_name()))
    errors.add("FieldValueNotFound", at + ".targetContainerName", "Not found: " + quoted(c.target_container_name()));
}

// Those the pod had: each still there, unchanged, in its place.
void check_append_only(FieldErrors& errors, const core::PodSpec& spec, const core::PodSpec& old) {
  for (int i = 0; i < old.ephemeral_containers_size(); ++i) {
    const auto& before = old.ephemeral_containers(i);
    std::string at = idx("spec.ephemeralContainers", i);
    if (i >= spec.ephemeral_containers_size() || spec.ephemeral_containers(i).name() != before.name())
      errors.forbidden(at, "existing ephemeral containers " + quoted(before.name()) + " may not be removed");
    else if (!Differencer::Equals(spec.ephemeral_containers(i), before))
      errors.forbidden(at, "existing ephemeral containers " + quoted(before.name()) + " may not be changed");
  }
}

}  // namespace

void check_ephemeral_containers(FieldErrors& errors, const core::PodSpec& spec, const core::PodSpec* old) {
  std::set<std::string> names, targets, volumes;
  for (const auto& c : spec.containers()) names.insert(c.name());
  for (const auto& c : spec.init_containers()) names.insert(c.name());
  targets = names;
  for (const auto& v : spec.volumes()) volumes.insert(v.name());
  for (int i = 0; i < spec.ephemeral_containers_size(); ++i)
    check_one(errors, idx("spec.ephemeralContainers", i), spec.ephemeral_containers(i), names, targets, volumes);
  if (old) check_append_only(errors, spec, *old);
}

core::Pod with_ephemeral_containers_of(const core::Pod& current, const core::Pod& requested) {
  core::Pod next = current;
  *next.mutable_spec()->mutable_ephemeral_containers() = requested.spec().ephemeral_containers();
  return next;
}

void refuse_ephemeral_change(const sdk::ResourceType& type, const core::Pod& current, const core::Pod& next) {
  const auto& a = current.spec().ephemeral_containers();
  const auto& b = next.spec().ephemeral_containers();
  bool same = a.size() == b.size();
  for (int i = 0; same && i < a.size(); ++i) same = Differencer::Equals(a[i], b[i]);
  if (same) return;
  FieldErrors errors;
  errors.forbidden("spec.ephemeralContainers",
                   "may only be changed through the pods/ephemeralcontainers subresource (kubectl debug)");
  errors.throw_if_any(type, current.metadata().name());
}

}  // namespace skiff::apiserver
