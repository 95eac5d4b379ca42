// Matching claims to volumes and volumes to nodes, as Kubernetes' PV controller and scheduler do.
#include "skiff/sdk/storage/volumes.hpp"

#include <algorithm>
#include <charconv>

#include "skiff/sdk/quantity.hpp"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::sdk::storage {
namespace {

namespace core = api::core::v1;

const char* const kBetaClass = "volume.beta.kubernetes.io/storage-class";

std::string annotation_or(const api::meta::v1::ObjectMeta& meta, const char* key, const std::string& otherwise) {
  auto found = meta.annotations().find(key);
  return found == meta.annotations().end() ? otherwise : found->second;
}

std::int64_t storage_in(const google::protobuf::Map<std::string, std::string>& resources) {
  auto found = resources.find("storage");
  if (found == resources.end()) return 0;
  return parse_quantity(found->second).value_or(0);
}

bool requirement_holds(const core::NodeSelectorRequirement& r, const std::string* value) {
  auto listed = [&] { return value && std::find(r.values().begin(), r.values().end(), *value) != r.values().end(); };
  const auto& op = r.operator_();
  if (op == "In") return listed();
  if (op == "NotIn") return !listed();
  if (op == "Exists") return value != nullptr;
  if (op == "DoesNotExist") return value == nullptr;
  if (op == "Gt" || op == "Lt") {
    long long have = 0, want = 0;
    if (!value || r.values_size() != 1) return false;
    auto a = std::from_chars(value->data(), value->data() + value->size(), have);
    auto b = std::from_chars(r.values(0).data(), r.values(0).data() + r.values(0).size(), want);
    if (a.ec != std::errc() || b.ec != std::errc()) return false;
    return op == "Gt" ? have > want : have < want;
  }
  return false;
}

bool term_holds(const core::NodeSelectorTerm& term, const std::string& node_name,
                const std::map<std::string, std::string>& labels) {
  if (term.match_expressions().empty() && term.match_fields().empty()) return false;
  for (const auto& r : term.match_expressions()) {
    auto found = labels.find(r.key());
    if (!requirement_holds(r, found == labels.end() ? nullptr : &found->second)) return false;
  }
  for (const auto& r : term.match_fields())
    if (r.key() != "metadata.name" || !requirement_holds(r, &node_name)) return false;
  return true;
}

bool has_all_modes(const core::PersistentVolume& volume, const core::PersistentVolumeClaim& claim) {
  const auto& have = volume.spec().access_modes();
  return std::all_of(claim.spec().access_modes().begin(), claim.spec().access_modes().end(),
                     [&](const std::string& mode) { return std::find(have.begin(), have.end(), mode) != have.end(); });
}

std::string mode_of(bool set, const std::string& mode) { return set ? mode : "Filesystem"; }

bool claimed_by_other(const core::PersistentVolume& volume, const core::PersistentVolumeClaim& claim) {
  if (!volume.spec().has_claim_ref()) return false;
  const auto& ref = volume.spec().claim_ref();
  if (ref.namespace_() != claim.metadata().namespace_() || ref.name() != claim.metadata().name()) return true;
  return !ref.uid().empty() && ref.uid() != claim.metadata().uid();
}

bool selector_matches(const core::PersistentVolume& volume, const core::PersistentVolumeClaim& claim) {
  if (!claim.spec().has_selector()) return true;
  try {
    return LabelSelector::from_proto(claim.spec().selector()).matches(volume.metadata().labels());
  } catch (const Error&) {
    return false;
  }
}

}  // namespace

std::string provisioner_node_label(const std::string& provisioner) {
  std::string name = provisioner;
  std::replace(name.begin(), name.end(), '/', '_');
  return "provisioner.storage.skiff.io/" + name;
}

std::string claim_class(const core::PersistentVolumeClaim& claim) {
  return annotation_or(claim.metadata(), kBetaClass, claim.spec().storage_class_name());
}

std::string volume_class(const core::PersistentVolume& volume) {
  return annotation_or(volume.metadata(), kBetaClass, volume.spec().storage_class_name());
}

std::int64_t requested_bytes(const core::PersistentVolumeClaim& claim) {
  return storage_in(claim.spec().resources().requests());
}

std::int64_t capacity_bytes(const core::PersistentVolume& volume) { return storage_in(volume.spec().capacity()); }

bool volume_fits_node(const core::PersistentVolume& volume, const std::string& node_name,
                      const std::map<std::string, std::string>& node_labels) {
  if (!volume.spec().node_affinity().has_required()) return true;
  const auto& terms = volume.spec().node_affinity().required().node_selector_terms();
  return std::any_of(terms.begin(), terms.end(), [&](const auto& t) { return term_holds(t, node_name, node_labels); });
}

bool volume_satisfies(const core::PersistentVolume& volume, const core::PersistentVolumeClaim& claim) {
  if (!volume.metadata().deletion_timestamp().empty()) return false;
  if (volume_class(volume) != claim_class(claim)) return false;
  if (claimed_by_other(volume, claim)) return false;
  // A released volume keeps its claimRef (to the old uid) until reclaimed: never rebound.
  if (volume.status().phase() == "Released" || volume.status().phase() == "Failed") return false;
  if (mode_of(volume.spec().has_volume_mode(), volume.spec().volume_mode()) !=
      mode_of(claim.spec().has_volume_mode(), claim.spec().volume_mode()))
    return false;
  return has_all_modes(volume, claim) && selector_matches(volume, claim) &&
         capacity_bytes(volume) >= requested_bytes(claim);
}

const core::PersistentVolume* find_matching_volume(const core::PersistentVolumeClaim& claim,
                                                  const std::vector<const core::PersistentVolume*>& volumes,
                                                  const std::optional<NodeView>& node) {
  const core::PersistentVolume* best = nullptr;
  for (const auto* volume : volumes) {
    if (!claim.spec().volume_name().empty() && volume->metadata().name() != claim.spec().volume_name()) continue;
    if (!volume_satisfies(*volume, claim)) continue;
    if (node && !volume_fits_node(*volume, node->name, node->labels)) continue;
    // Pre-bound to this claim: that one, whatever its size.
    if (volume->spec().has_claim_ref()) return volume;
    if (!best || capacity_bytes(*volume) < capacity_bytes(*best)) best = volume;
  }
  return best;
}

std::vector<std::string> claims_of_volumes(const google::protobuf::RepeatedPtrField<core::Volume>& volumes) {
  std::vector<std::string> claims;
  for (const auto& v : volumes)
    if (v.has_persistent_volume_claim() && !v.persistent_volume_claim().claim_name().empty())
      claims.push_back(v.persistent_volume_claim().claim_name());
  return claims;
}

}  // namespace skiff::sdk::storage
