// Kubernetes' garbage collector for the types Skiff knows: an object whose owners
// (ownerReferences) are all gone is deleted; one with some owners left loses the references
// to the gone ones. Owners deleted in the foreground (finalizer foregroundDeletion) wait
// until their blocking dependents are gone; owners deleted with orphan (finalizer orphan)
// first free their dependents. So `kubectl delete deployment` removes its ReplicaSets and
// pods, and `--cascade=orphan` leaves them.
#pragma once

#include "controller.hpp"
#include "owner_decision.hpp"

namespace skiff::controllers {

class GarbageCollector final : public Controller {
 public:
  explicit GarbageCollector(ControllerContext& context);
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  void watch(const sdk::ResourceType& type);
  void on_object(const sdk::ResourceType& type, const sdk::ObjectPtr& object);
  void on_deleted(const sdk::ObjectPtr& object);
  OwnerState owner_state(const std::string& ns, const api::meta::v1::OwnerReference& ref);
  bool sync_dependent(const sdk::ResourceType& type, const std::string& ns, const std::string& name);
  bool sync_owner(const sdk::ResourceType& type, const std::string& ns, const std::string& name);
  std::vector<std::pair<const sdk::ResourceType*, sdk::ObjectPtr>> dependents_of(const std::string& uid);
  void remove_finalizer(const sdk::ResourceType& type, const google::protobuf::Message& object, const std::string& finalizer);
  std::unique_ptr<google::protobuf::Message> stored_copy(const sdk::ResourceType& type, const google::protobuf::Message& cached);

  std::vector<const sdk::ResourceType*> types_;
};

}  // namespace skiff::controllers
