// Endpoints subsets built from a Service and its pods, packed as Kubernetes packs them.
#include <gtest/gtest.h>

#include "endpoints_controller.hpp"
#include "pod_builder.hpp"

namespace {

using namespace skiff;
using test::PodBuilder;
namespace core = api::core::v1;
using PodPtr = std::shared_ptr<const core::Pod>;

core::Service service(std::initializer_list<std::tuple<const char*, int, const char*>> ports) {
  core::Service svc;
  svc.mutable_metadata()->set_name("web");
  svc.mutable_metadata()->set_namespace_("default");
  (*svc.mutable_spec()->mutable_selector())["app"] = "web";
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

PodBuilder web(const std::string& name, const std::string& ip) {
  return PodBuilder(name).label("app", "web").node("n1").phase("Running").ip(ip);
}

// "ip,ip|not-ready-ip|name:port,name:port" per subset.
std::vector<std::string> shape(const std::vector<core::EndpointSubset>& subsets) {
  std::vector<std::string> out;
  for (const auto& s : subsets) {
    std::string text;
    for (const auto& a : s.addresses()) text += (text.empty() || text.back() == '|' ? "" : ",") + a.ip();
    text += "|";
    for (const auto& a : s.not_ready_addresses()) text += (text.back() == '|' ? "" : ",") + a.ip();
    text += "|";
    for (const auto& p : s.ports()) text += (text.back() == '|' ? "" : ",") + p.name() + ":" + std::to_string(p.port());
    out.push_back(text);
  }
  return out;
}

TEST(EndpointSubsets, ReadyAndNotReadyPodsShareASubsetSortedByIp) {
  auto svc = service({{"http", 80, "8080"}});
  std::vector<PodPtr> pods = {web("b", "10.0.0.9").ready_since("t").ptr(), web("a", "10.0.0.10").ready_since("t").ptr(),
                              web("c", "10.0.0.5").not_ready().ptr()};
  auto subsets = controllers::endpoint_subsets(svc, pods);
  EXPECT_EQ(shape(subsets), (std::vector<std::string>{"10.0.0.10,10.0.0.9|10.0.0.5|http:8080"}));
  const auto& address = subsets[0].addresses(0);
  EXPECT_EQ(address.node_name(), "n1");
  EXPECT_EQ(address.target_ref().kind(), "Pod");
  EXPECT_EQ(address.target_ref().name(), "a");
  EXPECT_EQ(address.target_ref().uid(), "uid-a");
}

TEST(EndpointSubsets, PodsWithoutAnIpFinishedOrBeingDeletedAreLeftOut) {
  auto svc = service({{"http", 80, "8080"}});
  std::vector<PodPtr> pods = {web("no-ip", "").ready_since("t").ptr(), web("done", "10.0.0.2").phase("Succeeded").ptr(),
                              web("failed", "10.0.0.3").phase("Failed").ptr(),
                              web("going", "10.0.0.4").ready_since("t").deleting().ptr(),
                              web("ok", "10.0.0.5").ready_since("t").ptr()};
  EXPECT_EQ(shape(controllers::endpoint_subsets(svc, pods)), (std::vector<std::string>{"10.0.0.5||http:8080"}));
}

TEST(EndpointSubsets, PublishNotReadyAddressesListsEveryPodAsReadyEvenWhileDeleting) {
  auto svc = service({{"http", 80, "8080"}});
  svc.mutable_spec()->set_publish_not_ready_addresses(true);
  std::vector<PodPtr> pods = {web("starting", "10.0.0.1").not_ready().ptr(), web("going", "10.0.0.2").deleting().ptr()};
  EXPECT_EQ(shape(controllers::endpoint_subsets(svc, pods)), (std::vector<std::string>{"10.0.0.1,10.0.0.2||http:8080"}));
}

TEST(EndpointSubsets, ANamedTargetPortResolvesPerPodAndProtocol) {
  auto svc = service({{"http", 80, "web"}});
  std::vector<PodPtr> pods = {web("a", "10.0.0.1").container_port("web", 8080).ready_since("t").ptr(),
                              web("b", "10.0.0.2").container_port("web", 9090).ready_since("t").ptr(),
                              web("udp", "10.0.0.3").container_port("web", 7070, "UDP").ready_since("t").ptr()};
  EXPECT_EQ(shape(controllers::endpoint_subsets(svc, pods)),
            (std::vector<std::string>{"10.0.0.1||http:8080", "10.0.0.2||http:9090"}));
}

TEST(EndpointSubsets, APodLackingOneNamedPortStillServesTheOthers) {
  auto svc = service({{"http", 80, "web"}, {"metrics", 9100, "9100"}});
  std::vector<PodPtr> pods = {web("full", "10.0.0.1").container_port("web", 8080).ready_since("t").ptr(),
                              web("partial", "10.0.0.2").ready_since("t").ptr()};
  // Ports offered by the same addresses share a subset: metrics by both pods, http by one.
  EXPECT_EQ(shape(controllers::endpoint_subsets(svc, pods)),
            (std::vector<std::string>{"10.0.0.1||http:8080", "10.0.0.1,10.0.0.2||metrics:9100"}));
}

TEST(EndpointSubsets, PortsOfferedByTheSameAddressesShareASubset) {
  auto svc = service({{"http", 80, "8080"}, {"https", 443, "8443"}});
  std::vector<PodPtr> pods = {web("a", "10.0.0.1").ready_since("t").ptr(), web("b", "10.0.0.2").not_ready().ptr()};
  EXPECT_EQ(shape(controllers::endpoint_subsets(svc, pods)),
            (std::vector<std::string>{"10.0.0.1|10.0.0.2|http:8080,https:8443"}));
}

TEST(EndpointSubsets, AHeadlessServiceWithoutPortsListsBareAddresses) {
  auto svc = service({});
  svc.mutable_spec()->set_cluster_ip("None");
  std::vector<PodPtr> pods = {web("a", "10.0.0.1").ready_since("t").ptr(), web("b", "10.0.0.2").not_ready().ptr()};
  EXPECT_EQ(shape(controllers::endpoint_subsets(svc, pods)), (std::vector<std::string>{"10.0.0.1|10.0.0.2|"}));
  // A Service with a cluster IP and no ports has nothing to list.
  EXPECT_TRUE(controllers::endpoint_subsets(service({}), pods).empty());
}

}  // namespace
