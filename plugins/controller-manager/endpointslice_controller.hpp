// Keeps the EndpointSlices (discovery.k8s.io/v1) of every Service with a selector: its pods'
// addresses with ready/serving/terminating conditions, node, zone and target, at most
// max_endpoints_per_slice per slice, owned by the Service so they go with it. Writes only what
// changed; terminating pods stay listed until they are gone (the proxy falls back on them).
#pragma once

#include "controller.hpp"
#include "endpoint_slice_tracker.hpp"

namespace skiff::controllers {

class EndpointSliceController final : public Controller {
 public:
  EndpointSliceController(ControllerContext& context, int max_endpoints_per_slice)
      : Controller(context, "endpointslice-controller"), max_endpoints_per_slice_(max_endpoints_per_slice) {}
  void register_handlers() override;

 protected:
  bool sync(const std::string& key) override;
  std::vector<std::string> initial_keys() override;

 private:
  void on_pod(const PodPtr& pod);
  void on_node(const NodePtr& node);
  void on_slice(const SlicePtr& slice, bool deleted);
  std::vector<SlicePtr> slices_of(const std::string& service_key);
  std::vector<NodePtr> nodes_of(const std::vector<PodPtr>& pods);
  void apply(const std::string& service_key, const SlicePlan& plan);

  int max_endpoints_per_slice_;
  EndpointSliceTracker tracker_;
};

}  // namespace skiff::controllers
