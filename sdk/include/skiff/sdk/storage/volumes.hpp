// What the volume controller, the provisioners, the scheduler and the kubelet agree on about
// PersistentVolumes and claims: the annotations and finalizers they exchange, a claim's class,
// a volume's node affinity, and which volume satisfies which claim (Kubernetes' findMatchingVolume).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "skiff/api/core/v1/persistent_volume.pb.h"

namespace skiff::sdk::storage {

// Set by the scheduler on a WaitForFirstConsumer claim: the node its pod goes to.
inline constexpr const char* kSelectedNode = "volume.kubernetes.io/selected-node";
// Set by the volume controller: the provisioner expected to make a volume for the claim.
inline constexpr const char* kStorageProvisioner = "volume.kubernetes.io/storage-provisioner";
inline constexpr const char* kBetaStorageProvisioner = "volume.beta.kubernetes.io/storage-provisioner";
// Set by a provisioner on the volumes it made; it alone deletes them.
inline constexpr const char* kProvisionedBy = "pv.kubernetes.io/provisioned-by";
inline constexpr const char* kBindCompleted = "pv.kubernetes.io/bind-completed";
inline constexpr const char* kBoundByController = "pv.kubernetes.io/bound-by-controller";
inline constexpr const char* kClaimProtection = "kubernetes.io/pvc-protection";
inline constexpr const char* kVolumeProtection = "kubernetes.io/pv-protection";
inline constexpr const char* kDefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class";
inline constexpr const char* kHostnameLabel = "kubernetes.io/hostname";

// The node label a provisioner sets on the nodes it serves, so the scheduler sends
// WaitForFirstConsumer claims only there: "provisioner.storage.skiff.io/<provisioner, '/' as '_'>".
std::string provisioner_node_label(const std::string& provisioner);

// GetPersistentVolumeClaimClass / GetPersistentVolumeClass: the beta annotation wins over the field.
std::string claim_class(const api::core::v1::PersistentVolumeClaim& claim);
std::string volume_class(const api::core::v1::PersistentVolume& volume);

// The claim's storage request and the volume's storage capacity in bytes (0 when absent).
std::int64_t requested_bytes(const api::core::v1::PersistentVolumeClaim& claim);
std::int64_t capacity_bytes(const api::core::v1::PersistentVolume& volume);

// The volume's required node affinity holds for a node with these labels (true without one).
bool volume_fits_node(const api::core::v1::PersistentVolume& volume, const std::string& node_name,
                      const std::map<std::string, std::string>& node_labels);

// The claim's requirements hold for the volume: class, access modes, volume mode, selector,
// size, not claimed by another claim, not being deleted.
bool volume_satisfies(const api::core::v1::PersistentVolume& volume, const api::core::v1::PersistentVolumeClaim& claim);

// findMatchingVolume: the volume pre-bound to the claim, else the smallest that satisfies it.
// With a node, only volumes whose node affinity holds there.
struct NodeView {
  std::string name;
  std::map<std::string, std::string> labels;
};
const api::core::v1::PersistentVolume* find_matching_volume(const api::core::v1::PersistentVolumeClaim& claim,
                                                           const std::vector<const api::core::v1::PersistentVolume*>& volumes,
                                                           const std::optional<NodeView>& node = std::nullopt);

// A pod's claims: the claimName of each persistentVolumeClaim volume.
std::vector<std::string> claims_of_volumes(const google::protobuf::RepeatedPtrField<api::core::v1::Volume>& volumes);

}  // namespace skiff::sdk::storage
