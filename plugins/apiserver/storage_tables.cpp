// The cells kubectl shows for PVs, PVCs and StorageClasses, as Kubernetes' printers fill them.
#include "storage_tables.hpp"

#include <algorithm>

#include <boost/json.hpp>

#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/storage/v1/storage.pb.h"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace core = api::core::v1;
namespace storage = api::storage::v1;

const char* const kName = "Name must be unique within a namespace.";
const char* const kAge = "CreationTimestamp is a timestamp representing the server time when this object was created.";
// The beta annotation still wins over the field, as in GetPersistentVolumeClass.
const char* const kBetaClassAnnotation = "volume.beta.kubernetes.io/storage-class";

const std::vector<TableColumn> kVolumeColumns = {
    {"Name", "string", 0, kName},
    {"Capacity", "string", 0, "capacity is the description of the persistent volume's resources and capacity."},
    {"Access Modes", "string", 0, "accessModes contains all ways the volume can be mounted."},
    {"Reclaim Policy", "string", 0, "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim."},
    {"Status", "string", 0, "phase indicates if a volume is available, bound to a claim, or released by a claim."},
    {"Claim", "string", 0, "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim."},
    {"StorageClass", "string", 0, "StorageClass of the pv"},
    {"VolumeAttributesClass", "string", 0, "VolumeAttributesClass of the pv"},
    {"Reason", "string", 0, "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."},
    {"Age", "string", 0, kAge},
    {"VolumeMode", "string", 1, "volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state."},
};

const std::vector<TableColumn> kClaimColumns = {
    {"Name", "string", 0, kName},
    {"Status", "string", 0, "phase represents the current phase of PersistentVolumeClaim."},
    {"Volume", "string", 0, "volumeName is the binding reference to the PersistentVolume backing this claim."},
    {"Capacity", "string", 0, "capacity represents the actual resources of the underlying volume."},
    {"Access Modes", "string", 0, "accessModes contains the actual access modes the volume backing the PVC has."},
    {"StorageClass", "string", 0, "StorageClass of the pvc"},
    {"VolumeAttributesClass", "string", 0, "VolumeAttributesClass of the pvc"},
    {"Age", "string", 0, kAge},
    {"VolumeMode", "string", 1, "volumeMode defines what type of volume is required by the claim."},
};

const std::vector<TableColumn> kClassColumns = {
    {"Name", "string", 0, kName},
    {"Provisioner", "string", 0, "provisioner indicates the type of the provisioner."},
    {"ReclaimPolicy", "string", 0, "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class."},
    {"VolumeBindingMode", "string", 0, "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."},
    {"AllowVolumeExpansion", "string", 0, "allowVolumeExpansion shows whether the storage class allow volume expand."},
    {"Age", "string", 0, kAge},
};

std::string age(const api::meta::v1::ObjectMeta& meta) { return sdk::age_since(meta.creation_timestamp()); }

// A missing quantity prints as the zero Quantity does.
std::string storage_of(const google::protobuf::Map<std::string, std::string>& resources) {
  auto found = resources.find("storage");
  return found == resources.end() ? "0" : found->second;
}

std::string annotation(const api::meta::v1::ObjectMeta& meta, const char* key, const std::string& otherwise) {
  auto found = meta.annotations().find(key);
  return found == meta.annotations().end() ? otherwise : found->second;
}

std::vector<std::string> as_vector(const google::protobuf::RepeatedPtrField<std::string>& items) {
  return {items.begin(), items.end()};
}

TableRow volume_row(const core::PersistentVolume& pv) {
  const auto& spec = pv.spec();
  std::string claim = spec.has_claim_ref() ? spec.claim_ref().namespace_() + "/" + spec.claim_ref().name() : "";
  std::string phase = pv.metadata().deletion_timestamp().empty() ? pv.status().phase() : "Terminating";
  std::string attributes_class =
      spec.has_volume_attributes_class_name() && !spec.volume_attributes_class_name().empty()
          ? spec.volume_attributes_class_name()
          : "<unset>";
  return {json::string(pv.metadata().name()),
          json::string(storage_of(spec.capacity())),
          json::string(access_modes_text(as_vector(spec.access_modes()))),
          json::string(spec.persistent_volume_reclaim_policy()),
          json::string(phase),
          json::string(claim),
          json::string(annotation(pv.metadata(), kBetaClassAnnotation, spec.storage_class_name())),
          json::string(attributes_class),
          json::string(pv.status().reason()),
          json::string(age(pv.metadata())),
          json::string(spec.has_volume_mode() ? spec.volume_mode() : "<unset>")};
}

TableRow claim_row(const core::PersistentVolumeClaim& pvc) {
  const auto& spec = pvc.spec();
  std::string phase = pvc.metadata().deletion_timestamp().empty() ? pvc.status().phase() : "Terminating";
  // Capacity and modes are the bound volume's, shown only once the claim names one.
  std::string capacity, modes;
  if (!spec.volume_name().empty()) {
    capacity = storage_of(pvc.status().capacity());
    modes = access_modes_text(as_vector(pvc.status().access_modes()));
  }
  std::string attributes_class =
      spec.has_volume_attributes_class_name() && !spec.volume_attributes_class_name().empty()
          ? spec.volume_attributes_class_name()
          : "<unset>";
  return {json::string(pvc.metadata().name()),
          json::string(phase),
          json::string(spec.volume_name()),
          json::string(capacity),
          json::string(modes),
          json::string(annotation(pvc.metadata(), kBetaClassAnnotation, spec.storage_class_name())),
          json::string(attributes_class),
          json::string(age(pvc.metadata())),
          json::string(spec.has_volume_mode() ? spec.volume_mode() : "<unset>")};
}

bool is_default_class(const api::meta::v1::ObjectMeta& meta) {
  return annotation(meta, "storageclass.kubernetes.io/is-default-class", "") == "true" ||
         annotation(meta, "storageclass.beta.kubernetes.io/is-default-class", "") == "true";
}

TableRow class_row(const storage::StorageClass& sc) {
  std::string name = sc.metadata().name() + (is_default_class(sc.metadata()) ? " (default)" : "");
  return {json::string(name),
          json::string(sc.provisioner()),
          json::string(sc.has_reclaim_policy() ? sc.reclaim_policy() : "Delete"),
          json::string(sc.has_volume_binding_mode() ? sc.volume_binding_mode() : "Immediate"),
          json::value(sc.has_allow_volume_expansion() && sc.allow_volume_expansion()),
          json::string(age(sc.metadata()))};
}

}  // namespace

std::string access_modes_text(const std::vector<std::string>& modes) {
  static const std::pair<const char*, const char*> kShort[] = {
      {"ReadWriteOnce", "RWO"}, {"ReadOnlyMany", "ROX"}, {"ReadWriteMany", "RWX"}, {"ReadWriteOncePod", "RWOP"}};
  std::string text;
  for (const auto& [mode, abbreviation] : kShort)
    if (std::find(modes.begin(), modes.end(), mode) != modes.end()) text += (text.empty() ? "" : ",") + std::string(abbreviation);
  return text;
}

const std::vector<TableColumn>* storage_columns(const std::string& kind) {
  if (kind == "PersistentVolume") return &kVolumeColumns;
  if (kind == "PersistentVolumeClaim") return &kClaimColumns;
  if (kind == "StorageClass") return &kClassColumns;
  return nullptr;
}

TableRow storage_row(const std::string& kind, const google::protobuf::Message& object) {
  if (kind == "PersistentVolume") return volume_row(static_cast<const core::PersistentVolume&>(object));
  if (kind == "PersistentVolumeClaim") return claim_row(static_cast<const core::PersistentVolumeClaim&>(object));
  return class_row(static_cast<const storage::StorageClass&>(object));
}

}  // namespace skiff::apiserver
