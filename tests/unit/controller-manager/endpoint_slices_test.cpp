// EndpointSlices from a Service, its pods and their nodes: the packing (100 per slice, one
// slice per port resolution), the endpoints' conditions, node, zone, target and hostname, and
// the plan that takes existing slices there with the fewest writes.
#include <gtest/gtest.h>

#include "endpoint_slice_plan.hpp"
#include "pod_builder.hpp"

namespace {

using namespace skiff;
using test::PodBuilder;
namespace core = api::core::v1;
namespace discovery = api::discovery::v1;
using controllers::NodePtr;
using controllers::PodPtr;
using controllers::SlicePtr;

core::Service service(std::initializer_list<std::tuple<const char*, int, const char*>> ports) {
  core::Service svc;
  svc.mutable_metadata()->set_name("web");
  svc.mutable_metadata()->set_namespace_("default");
  svc.mutable_metadata()->set_uid("svc-uid");
  (*svc.mutable_metadata()->mutable_labels())["tier"] = "front";
  (*svc.mutable_spec()->mutable_selector())["app"] = "web";
  svc.mutable_spec()->set_cluster_ip("10.96.0.10");
  svc.mutable_spec()->add_ip_families("IPv4");
  for (const auto& [name, port, target] : ports) {
    auto* p = svc.mutable_spec()->add_ports();
    p->set_name(name);
    p->set_port(port);
    p->set_protocol("TCP");
    if (std::string(target).find_first_not_of("0123456789") == std::string::npos) {
      p->mutable_target_port()->set_int_val(std::stoi(target));
    } else {
      p->mutable_target_port()->set_type(1);
      p->mutable_target_port()->set_str_val(target);
    }
  }
  return svc;
}

PodBuilder web(const std::string& name, const std::string& ip, const std::string& node = "n1") {
  return PodBuilder(name).label("app", "web").node(node).phase("Running").ip(ip);
}

NodePtr node(const std::string& name, const std::string& zone = "") {
  auto n = std::make_shared<core::Node>();
  n->mutable_metadata()->set_name(name);
  if (!zone.empty()) (*n->mutable_metadata()->mutable_labels())["topology.kubernetes.io/zone"] = zone;
  return n;
}

const std::vector<NodePtr> kNodes = {node("n1", "zone-a"), node("n2", "zone-b")};

std::vector<discovery::EndpointSlice> pack(const core::Service& svc, const std::vector<PodPtr>& pods, int max = 100) {
  return controllers::desired_endpoint_slices(svc, pods, kNodes, max);
}

// "80,443|10.0.0.1,10.0.0.2" per slice: its port numbers, then its addresses.
std::vector<std::string> shape(const std::vector<discovery::EndpointSlice>& slices) {
  std::vector<std::string> out;
  for (const auto& s : slices) {
    std::string text;
    for (const auto& p : s.ports()) text += (text.empty() ? "" : ",") + p.name() + ":" + std::to_string(p.port());
    text += "|";
    for (const auto& e : s.endpoints()) text += (text.back() == '|' ? "" : ",") + e.addresses(0);
    out.push_back(text);
  }
  return out;
}

// "ready/serving/terminating" as r s t letters, a dash for false.
std::string conditions(const discovery::Endpoint& e) {
  const auto& c = e.conditions();
  return std::string(c.has_ready() && c.ready() ? "r" : "-") + (c.has_serving() && c.serving() ? "s" : "-") +
         (c.has_terminating() && c.terminating() ? "t" : "-");
}

std::vector<PodPtr> numbered_pods(int count) {
  std::vector<PodPtr> pods;
  for (int i = 0; i < count; ++i)
    pods.push_back(web("p" + std::to_string(i), "10.0." + std::to_string(i / 200) + "." + std::to_string(i % 200 + 1))
                       .ready_since("t")
                       .ptr());
  return pods;
}

TEST(EndpointSlicePacking, AtMostAHundredEndpointsPerSliceOwnedAndLabelledForTheService) {
  auto svc = service({{"http", 80, "8080"}});
  auto slices = pack(svc, numbered_pods(250));
  ASSERT_EQ(slices.size(), 3u);
  EXPECT_EQ(slices[0].endpoints_size(), 100);
  EXPECT_EQ(slices[1].endpoints_size(), 100);
  EXPECT_EQ(slices[2].endpoints_size(), 50);
  for (const auto& s : slices) {
    EXPECT_EQ(s.address_type(), "IPv4");
    EXPECT_EQ(s.metadata().generate_name(), "web-");
    EXPECT_EQ(s.metadata().namespace_(), "default");
    EXPECT_EQ(s.metadata().labels().at("kubernetes.io/service-name"), "web");
    EXPECT_EQ(s.metadata().labels().at("endpointslice.kubernetes.io/managed-by"), "endpointslice-controller.k8s.io");
    EXPECT_EQ(s.metadata().labels().at("tier"), "front") << "the Service's labels are copied";
    ASSERT_EQ(s.metadata().owner_references_size(), 1);
    const auto& owner = s.metadata().owner_references(0);
    EXPECT_EQ(owner.api_version(), "v1");
    EXPECT_EQ(owner.kind(), "Service");
    EXPECT_EQ(owner.name(), "web");
    EXPECT_EQ(owner.uid(), "svc-uid");
    EXPECT_TRUE(owner.controller());
    ASSERT_EQ(s.ports_size(), 1);
    EXPECT_EQ(s.ports(0).name(), "http");
    EXPECT_EQ(s.ports(0).protocol(), "TCP");
    EXPECT_EQ(s.ports(0).port(), 8080);
  }
  EXPECT_EQ(slices[0].endpoints(0).addresses(0), "10.0.0.1") << "in address order";
  EXPECT_EQ(slices[0].endpoints(9).addresses(0), "10.0.0.10");
  EXPECT_EQ(pack(svc, numbered_pods(250), 1000).size(), 1u) << "max_endpoints_per_slice";
  EXPECT_EQ(pack(svc, numbered_pods(10), 4).size(), 3u);
}

TEST(EndpointSlicePacking, NamedPortsResolvePerPodAndDifferentResolutionsGetSlicesOfTheirOwn) {
  auto svc = service({{"http", 80, "web"}, {"metrics", 9100, "9100"}});
  svc.mutable_spec()->mutable_ports(1)->set_app_protocol("http");
  std::vector<PodPtr> pods = {web("a", "10.0.0.1").container_port("web", 8080).ready_since("t").ptr(),
                              web("b", "10.0.0.2").container_port("web", 9090).ready_since("t").ptr(),
                              web("c", "10.0.0.3").container_port("web", 8080).ready_since("t").ptr(),
                              web("udp", "10.0.0.4").container_port("web", 8080, "UDP").ready_since("t").ptr()};
  auto slices = pack(svc, pods);
  auto got = shape(slices);
  std::sort(got.begin(), got.end());
  // The UDP pod has no TCP port named web: it offers metrics only (Kubernetes does the same).
  EXPECT_EQ(got, (std::vector<std::string>{"http:8080,metrics:9100|10.0.0.1,10.0.0.3", "http:9090,metrics:9100|10.0.0.2",
                                           "metrics:9100|10.0.0.4"}));
  for (const auto& s : slices)
    for (const auto& p : s.ports())
      if (p.name() == "metrics") {
        EXPECT_EQ(p.app_protocol(), "http");
      } else {
        EXPECT_FALSE(p.has_app_protocol());
      }
}

TEST(EndpointSlicePacking, ConditionsFollowReadinessAndTermination) {
  auto svc = service({{"http", 80, "8080"}});
  std::vector<PodPtr> pods = {web("ready", "10.0.0.1").ready_since("t").ptr(),
                              web("starting", "10.0.0.2").not_ready().ptr(),
                              web("leaving", "10.0.0.3").ready_since("t").deleting().ptr(),
                              web("leaving-unready", "10.0.0.4").not_ready().deleting().ptr(),
                              web("done", "10.0.0.5").phase("Succeeded").ptr(),
                              web("failed", "10.0.0.6").phase("Failed").ptr(),
                              web("no-ip", "").ready_since("t").ptr()};
  auto slices = pack(svc, pods);
  ASSERT_EQ(slices.size(), 1u);
  std::vector<std::string> got;
  for (const auto& e : slices[0].endpoints()) got.push_back(e.target_ref().name() + ":" + conditions(e));
  EXPECT_EQ(got, (std::vector<std::string>{"ready:rs-", "starting:---", "leaving:-st", "leaving-unready:--t"}))
      << "terminating pods stay, ready=false; finished pods and pods without an IP are left out";

  svc.mutable_spec()->set_publish_not_ready_addresses(true);
  got.clear();
  auto published = pack(svc, pods);
  for (const auto& e : published[0].endpoints()) got.push_back(e.target_ref().name() + ":" + conditions(e));
  EXPECT_EQ(got, (std::vector<std::string>{"ready:rs-", "starting:r--", "leaving:rst", "leaving-unready:r-t"}))
      << "publishNotReadyAddresses makes every endpoint ready";
}

TEST(EndpointSlicePacking, NodeZoneTargetAndHostname) {
  auto svc = service({{"http", 80, "8080"}});
  std::vector<PodPtr> pods = {web("a", "10.0.0.1", "n1").ready_since("t").hostname("a", "web").ptr(),
                              web("b", "10.0.0.2", "n2").ready_since("t").hostname("b", "other").ptr(),
                              web("c", "10.0.0.3", "n3").ready_since("t").ptr()};
  std::vector<NodePtr> nodes = {node("n1", "zone-a"), node("n2"), node("n3", "zone-c")};
  auto slices = controllers::desired_endpoint_slices(svc, pods, nodes, 100);
  ASSERT_EQ(slices.size(), 1u);
  const auto& a = slices[0].endpoints(0);
  EXPECT_EQ(a.node_name(), "n1");
  EXPECT_EQ(a.zone(), "zone-a");
  EXPECT_EQ(a.hostname(), "a") << "hostname and a subdomain naming this Service";
  EXPECT_EQ(a.target_ref().kind(), "Pod");
  EXPECT_EQ(a.target_ref().namespace_(), "default");
  EXPECT_EQ(a.target_ref().name(), "a");
  EXPECT_EQ(a.target_ref().uid(), "uid-a");
  const auto& b = slices[0].endpoints(1);
  EXPECT_EQ(b.node_name(), "n2");
  EXPECT_FALSE(b.has_zone()) << "a node without the zone label gives no zone";
  EXPECT_FALSE(b.has_hostname()) << "its subdomain is another Service's";
  EXPECT_EQ(slices[0].endpoints(2).zone(), "zone-c");
}

TEST(EndpointSlicePacking, PodsOnUnknownNodesWaitUnlessEveryAddressIsPublished) {
  auto svc = service({{"http", 80, "8080"}});
  std::vector<PodPtr> pods = {web("known", "10.0.0.1", "n1").ready_since("t").ptr(),
                              web("lost", "10.0.0.2", "gone").ready_since("t").ptr()};
  auto desired = controllers::desired_endpoints(svc, pods, kNodes);
  EXPECT_EQ(desired.pods_on_unknown_nodes, std::vector<std::string>{"lost"});
  EXPECT_EQ(shape(pack(svc, pods)), std::vector<std::string>{"http:8080|10.0.0.1"});
  svc.mutable_spec()->set_publish_not_ready_addresses(true);
  EXPECT_EQ(shape(pack(svc, pods)), std::vector<std::string>{"http:8080|10.0.0.1,10.0.0.2"});
}

TEST(EndpointSlicePacking, AddressTypesComeFromTheServicesFamilies) {
  auto svc = service({{"http", 80, "8080"}});
  std::vector<PodPtr> pods = {web("a", "10.0.0.1").ready_since("t").ptr(), web("b", "fd00::2").ready_since("t").ptr(),
                              web("host", "127.0.0.1").ready_since("t").ptr()};
  auto v4 = pack(svc, pods);
  EXPECT_EQ(shape(v4), std::vector<std::string>{"http:8080|10.0.0.1"})
      << "IPv4 addresses only; a loopback address, which the API refuses, is left out";
  svc.mutable_spec()->clear_ip_families();
  svc.mutable_spec()->set_cluster_ip("None");
  EXPECT_EQ(controllers::address_types_of(svc), (std::vector<std::string>{"IPv4", "IPv6"}));
  auto both = pack(svc, pods);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[1].address_type(), "IPv6");
  EXPECT_EQ(both[1].endpoints(0).addresses(0), "fd00::2");
  EXPECT_EQ(both[0].metadata().labels().at("service.kubernetes.io/headless"), "");
}

TEST(EndpointSlicePacking, AServiceWithoutEndpointsGetsOneEmptySlice) {
  auto slices = pack(service({{"http", 80, "8080"}}), {});
  ASSERT_EQ(slices.size(), 1u);
  EXPECT_EQ(slices[0].endpoints_size(), 0);
  EXPECT_EQ(slices[0].ports_size(), 0);
  EXPECT_EQ(slices[0].address_type(), "IPv4");
}

// ---- the plan against existing slices ----

// The slices as the API would hold them after `plan` ran on `existing` (names "web-<n>").
std::vector<SlicePtr> stored(const std::vector<discovery::EndpointSlice>& slices, int first_name = 0) {
  std::vector<SlicePtr> out;
  for (const auto& s : slices) {
    auto copy = std::make_shared<discovery::EndpointSlice>(s);
    if (copy->metadata().name().empty()) copy->mutable_metadata()->set_name("web-" + std::to_string(first_name++));
    copy->mutable_metadata()->set_resource_version("7");
    out.push_back(copy);
  }
  return out;
}

controllers::SlicePlan plan(const core::Service& svc, const std::vector<PodPtr>& pods,
                            const std::vector<SlicePtr>& existing, int max = 100) {
  return controllers::plan_endpoint_slices(svc, controllers::desired_endpoints(svc, pods, kNodes), existing, max);
}

TEST(EndpointSlicePlan, UnchangedSlicesAreNotWritten) {
  auto svc = service({{"http", 80, "8080"}});
  auto pods = numbered_pods(150);
  auto existing = stored(pack(svc, pods));
  EXPECT_TRUE(plan(svc, pods, existing).empty());
  EXPECT_TRUE(plan(svc, {}, stored(pack(svc, {}))).empty()) << "the empty placeholder stays as it is";
}

TEST(EndpointSlicePlan, AChangedEndpointIsUpdatedInPlaceInItsOwnSliceOnly) {
  auto svc = service({{"http", 80, "8080"}});
  auto pods = numbered_pods(150);
  auto existing = stored(pack(svc, pods));
  pods[120] = web("p120", pods[120]->status().pod_ip()).not_ready().ptr();
  auto p = plan(svc, pods, existing);
  EXPECT_TRUE(p.create.empty());
  EXPECT_TRUE(p.erase.empty());
  ASSERT_EQ(p.update.size(), 1u);
  EXPECT_EQ(p.update[0].metadata().name(), "web-1");
  EXPECT_EQ(p.update[0].metadata().resource_version(), "7") << "an update of the version it read";
  EXPECT_EQ(p.update[0].endpoints_size(), 50);
  EXPECT_EQ(conditions(p.update[0].endpoints(20)), "---");
  EXPECT_EQ(p.update[0].endpoints(20).target_ref().name(), "p120") << "in the place it had";
}

TEST(EndpointSlicePlan, NewEndpointsFillSlicesBeingWrittenThenOneWithRoomThenNewSlices) {
  auto svc = service({{"http", 80, "8080"}});
  auto pods = numbered_pods(150);
  auto existing = stored(pack(svc, pods));  // web-0: 100, web-1: 50
  auto more = numbered_pods(170);
  auto p = plan(svc, more, existing);
  ASSERT_EQ(p.update.size(), 1u) << "twenty more fit in the slice with room";
  EXPECT_EQ(p.update[0].metadata().name(), "web-1");
  EXPECT_EQ(p.update[0].endpoints_size(), 70);
  EXPECT_TRUE(p.create.empty());

  // One pod of the full slice leaves and 60 arrive: the full slice, written anyway, takes one,
  // the slice with room (50 + 59 > 100) is left alone, and a new slice takes the rest.
  auto changed = numbered_pods(210);
  changed.erase(changed.begin() + 5);
  p = plan(svc, changed, existing);
  ASSERT_EQ(p.update.size(), 1u);
  EXPECT_EQ(p.update[0].metadata().name(), "web-0");
  EXPECT_EQ(p.update[0].endpoints_size(), 100);
  ASSERT_EQ(p.create.size(), 1u);
  EXPECT_EQ(p.create[0].endpoints_size(), 59);
  EXPECT_TRUE(p.erase.empty());
}

TEST(EndpointSlicePlan, EmptiedSlicesAreReusedOrDeletedAndTheLastBecomesThePlaceholder) {
  auto svc = service({{"http", 80, "8080"}});
  auto existing = stored(pack(svc, numbered_pods(150)));
  auto first_hundred = numbered_pods(100);
  auto p = plan(svc, first_hundred, existing);
  EXPECT_TRUE(p.update.empty());
  ASSERT_EQ(p.erase.size(), 1u);
  EXPECT_EQ(p.erase[0].metadata().name(), "web-1");

  p = plan(svc, {}, existing);
  EXPECT_TRUE(p.create.empty()) << "an emptied slice becomes the placeholder: an update, not a create";
  ASSERT_EQ(p.update.size(), 1u);
  EXPECT_EQ(p.update[0].endpoints_size(), 0);
  EXPECT_EQ(p.update[0].ports_size(), 0);
  ASSERT_EQ(p.erase.size(), 1u);

  // Pods again: the placeholder is rewritten with them rather than deleted.
  auto placeholder = stored(pack(svc, {}));
  p = plan(svc, numbered_pods(3), placeholder);
  EXPECT_TRUE(p.create.empty());
  EXPECT_TRUE(p.erase.empty());
  ASSERT_EQ(p.update.size(), 1u);
  EXPECT_EQ(shape(p.update), std::vector<std::string>{"http:8080|10.0.0.1,10.0.0.2,10.0.0.3"});
}

TEST(EndpointSlicePlan, ForeignAndOutdatedSlicesAreDeleted) {
  auto svc = service({{"http", 80, "8080"}});
  auto pods = numbered_pods(3);
  auto existing = stored(pack(svc, pods));
  auto old_owner = std::make_shared<discovery::EndpointSlice>(*existing[0]);
  old_owner->mutable_metadata()->set_name("web-old");
  old_owner->mutable_metadata()->mutable_owner_references(0)->set_uid("uid-of-a-deleted-service");
  auto v6 = std::make_shared<discovery::EndpointSlice>(*existing[0]);
  v6->mutable_metadata()->set_name("web-v6");
  v6->set_address_type("IPv6");
  auto p = plan(svc, pods, {existing[0], old_owner, v6});
  EXPECT_TRUE(p.create.empty());
  EXPECT_TRUE(p.update.empty());
  std::vector<std::string> erased;
  for (const auto& s : p.erase) erased.push_back(s.metadata().name());
  EXPECT_EQ(erased, (std::vector<std::string>{"web-old", "web-v6"}));

  // The Service's labels changed: every slice is rewritten with them.
  (*svc.mutable_metadata()->mutable_labels())["tier"] = "back";
  p = plan(svc, pods, existing);
  ASSERT_EQ(p.update.size(), 1u);
  EXPECT_EQ(p.update[0].metadata().labels().at("tier"), "back");
}

TEST(EndpointSlicePlan, APortChangeMovesEndpointsToASliceOfTheNewPorts) {
  auto svc = service({{"http", 80, "8080"}});
  auto pods = numbered_pods(3);
  auto existing = stored(pack(svc, pods));
  svc.mutable_spec()->mutable_ports(0)->mutable_target_port()->set_int_val(9090);
  auto p = plan(svc, pods, existing);
  EXPECT_TRUE(p.create.empty()) << "the old slice is reused";
  ASSERT_EQ(p.update.size(), 1u);
  EXPECT_EQ(shape(p.update), std::vector<std::string>{"http:9090|10.0.0.1,10.0.0.2,10.0.0.3"});
  EXPECT_TRUE(p.erase.empty());
}

}  // namespace
