// Packing endpoints into slices against the slices there are: keep, fill, recycle, create, delete.
#include "endpoint_slice_plan.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <deque>
#include <set>

#include "pod_state.hpp"
#include "skiff/sdk/resources.hpp"

namespace skiff::controllers {

namespace {

namespace core = api::core::v1;
using Differencer = google::protobuf::util::MessageDifferencer;

// Kubernetes' setEndpointSliceLabels: the Service's own labels, then the two that tie the
// slice to it and to this controller, and the headless mark.
google::protobuf::Map<std::string, std::string> slice_labels(const core::Service& service) {
  google::protobuf::Map<std::string, std::string> labels;
  for (const auto& [key, value] : service.metadata().labels())
    if (key != kServiceNameLabel && key != kSliceManagedByLabel) labels[key] = value;
  labels[kServiceNameLabel] = service.metadata().name();
  labels[kSliceManagedByLabel] = kSliceControllerName;
  if (service.spec().cluster_ip() == "None") labels[kHeadlessLabel] = "";
  return labels;
}

discovery::EndpointSlice new_slice(const core::Service& service, const std::string& address_type,
                                   const std::vector<discovery::EndpointPort>& ports) {
  discovery::EndpointSlice slice;
  auto* meta = slice.mutable_metadata();
  meta->set_generate_name(service.metadata().name() + "-");
  meta->set_namespace_(service.metadata().namespace_());
  *meta->mutable_labels() = slice_labels(service);
  *meta->add_owner_references() = controller_reference(service.metadata(), sdk::resource_type_of<core::Service>());
  slice.set_address_type(address_type);
  for (const auto& p : ports) *slice.add_ports() = p;
  return slice;
}

bool owned_by(const discovery::EndpointSlice& slice, const core::Service& service) {
  const auto* owner = controller_of(slice.metadata());
  return owner && owner->uid() == service.metadata().uid();
}

// A slice as it will be: `original` when it exists, its content from now on, whether it changed.
struct Outcome {
  SlicePtr original;
  discovery::EndpointSlice next;
  bool changed = false;
};

// One address type: the groups' endpoints against the slices of that type.
class TypePlanner {
 public:
  TypePlanner(const core::Service& service, std::string type, int max)
      : service_(service), type_(std::move(type)), max_(std::max(1, max)) {}

  void plan(const std::vector<EndpointGroup>& groups, const std::vector<SlicePtr>& slices, SlicePlan& out) {
    std::map<std::string, std::vector<SlicePtr>> by_ports;
    for (const auto& slice : slices) by_ports[ports_key(slice->ports())].push_back(slice);
    std::set<std::string> wanted_ports;
    for (const auto& group : groups) wanted_ports.insert(ports_key(group.ports));
    for (const auto& [key, list] : by_ports)
      if (!wanted_ports.count(key)) spare_.insert(spare_.end(), list.begin(), list.end());
    for (const auto& group : groups) place(group, by_ports[ports_key(group.ports)]);
    if (outcomes_.empty()) keep_placeholder();
    for (auto& o : outcomes_) {
      if (!o.original) out.create.push_back(std::move(o.next));
      else if (o.changed) out.update.push_back(std::move(o.next));
    }
    for (const auto& slice : spare_) out.erase.push_back(*slice);
  }

 private:
  using Pending = std::vector<const discovery::Endpoint*>;

  // The group's endpoints: those already in a slice stay there (updated in place), the others
  // fill slices being rewritten anyway, then one unchanged slice if they all fit, then new ones.
  void place(const EndpointGroup& group, const std::vector<SlicePtr>& slices) {
    std::map<std::string, const discovery::Endpoint*> wanted;
    for (const auto& e : group.endpoints) wanted[endpoint_key(e)] = &e;
    std::vector<Outcome> kept;
    for (const auto& slice : slices) {
      Outcome o{slice, *slice, false};
      o.next.clear_endpoints();
      for (const auto& e : slice->endpoints()) {
        auto it = wanted.find(endpoint_key(e));
        if (it == wanted.end()) continue;
        *o.next.add_endpoints() = *it->second;
        wanted.erase(it);
      }
      if (o.next.endpoints().empty()) {
        spare_.push_back(slice);
        continue;
      }
      *o.next.mutable_metadata()->mutable_labels() = slice_labels(service_);
      o.changed = !Differencer::Equals(o.next, *slice);
      kept.push_back(std::move(o));
    }
    Pending pending;
    for (const auto& e : group.endpoints)
      if (wanted.count(endpoint_key(e))) pending.push_back(&e);
    fill(kept, pending);
    for (std::size_t at = 0; at < pending.size(); at += max_) {
      Outcome o = fresh(group.ports);
      for (std::size_t i = at; i < std::min(pending.size(), at + max_); ++i) *o.next.add_endpoints() = *pending[i];
      kept.push_back(std::move(o));
    }
    for (auto& o : kept) outcomes_.push_back(std::move(o));
  }

  void fill(std::vector<Outcome>& kept, Pending& pending) {
    auto room = [&](const Outcome& o) { return static_cast<long>(max_) - o.next.endpoints_size(); };
    std::vector<Outcome*> order;
    for (auto& o : kept) order.push_back(&o);
    std::stable_sort(order.begin(), order.end(), [&](auto* a, auto* b) { return room(*a) < room(*b); });
    std::size_t next = 0;
    for (auto* o : order)
      while (o->changed && room(*o) > 0 && next < pending.size()) *o->next.add_endpoints() = *pending[next++];
    pending.erase(pending.begin(), pending.begin() + static_cast<std::ptrdiff_t>(next));
    if (pending.empty()) return;
    for (auto* o : order)
      if (!o->changed && room(*o) >= static_cast<long>(pending.size())) {
        for (const auto* e : pending) *o->next.add_endpoints() = *e;
        o->changed = true;
        pending.clear();
        return;
      }
  }

  // A new slice, written over a spare one when there is one (an update instead of a delete and a create).
  Outcome fresh(const std::vector<discovery::EndpointPort>& ports) {
    Outcome o{nullptr, new_slice(service_, type_, ports), true};
    if (spare_.empty()) return o;
    o.original = spare_.front();
    spare_.pop_front();
    *o.next.mutable_metadata() = o.original->metadata();
    *o.next.mutable_metadata()->mutable_labels() = slice_labels(service_);
    return o;
  }

  // No endpoints: one empty slice says so; an existing one that already does is kept as it is.
  void keep_placeholder() {
    for (auto it = spare_.begin(); it != spare_.end(); ++it) {
      Outcome o{*it, **it, false};
      o.next.clear_endpoints();
      o.next.clear_ports();
      *o.next.mutable_metadata()->mutable_labels() = slice_labels(service_);
      if (!Differencer::Equals(o.next, **it)) continue;
      spare_.erase(it);
      outcomes_.push_back(std::move(o));
      return;
    }
    outcomes_.push_back(fresh({}));
  }

  const core::Service& service_;
  std::string type_;
  std::size_t max_;
  std::deque<SlicePtr> spare_;  // existing slices no endpoint needs any more
  std::vector<Outcome> outcomes_;
};

}  // namespace

SlicePlan plan_endpoint_slices(const core::Service& service, const DesiredEndpoints& desired,
                               const std::vector<SlicePtr>& existing, int max_endpoints_per_slice) {
  SlicePlan out;
  std::map<std::string, std::vector<SlicePtr>> by_type;
  for (const auto& slice : existing) {
    if (owned_by(*slice, service) && desired.by_address_type.count(slice->address_type()))
      by_type[slice->address_type()].push_back(slice);
    else
      out.erase.push_back(*slice);
  }
  for (auto& [type, slices] : by_type)
    std::sort(slices.begin(), slices.end(),
              [](const auto& a, const auto& b) { return a->metadata().name() < b->metadata().name(); });
  for (const auto& [type, groups] : desired.by_address_type)
    TypePlanner(service, type, max_endpoints_per_slice).plan(groups, by_type[type], out);
  return out;
}

std::vector<discovery::EndpointSlice> desired_endpoint_slices(const core::Service& service,
                                                              const std::vector<PodPtr>& pods,
                                                              const std::vector<NodePtr>& nodes,
                                                              int max_endpoints_per_slice) {
  return plan_endpoint_slices(service, desired_endpoints(service, pods, nodes), {}, max_endpoints_per_slice).create;
}

}  // namespace skiff::controllers
