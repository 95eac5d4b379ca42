// The pod garbage collector's orphan part (Kubernetes' PodGC gcOrphaned): a pod bound to a
// node that no longer exists (deleted by the cloud node lifecycle controller, or by hand) is
// deleted at once, so that its controller replaces it on a node that does.
#pragma once

#include "controller.hpp"

namespace skiff::controllers {

class PodGcController final : public Controller {
 public:
  explicit PodGcController(ControllerContext& context) : Controller(context, "pod-garbage-collector") {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  bool node_exists(const std::string& name);
};

}  // namespace skiff::controllers
