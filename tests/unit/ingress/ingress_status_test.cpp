// This node's addresses in an Ingress's load-balancer status: added and taken out without
// touching other nodes' entries, and nothing to write when already so; the IngressClass made.
#include <gtest/gtest.h>

#include "ingress_adapter.hpp"
#include "ingress_class_setup.hpp"
#include "ingress_status.hpp"

namespace skiff::ingress {
namespace {

namespace net = api::networking::v1;

net::IngressLoadBalancerStatus listing(const std::vector<std::string>& ips) {
  net::IngressLoadBalancerStatus status;
  for (const auto& ip : ips) status.add_ingress()->set_ip(ip);
  return status;
}

std::vector<std::string> ips(const net::IngressLoadBalancerStatus& status) {
  std::vector<std::string> out;
  for (const auto& i : status.ingress()) out.push_back(i.ip());
  return out;
}

TEST(IngressStatus, OwnAddressesAddedAfterOtherNodes) {
  auto wanted = status_with(listing({"10.213.0.11"}), {"10.213.0.12"}, true);
  ASSERT_TRUE(wanted);
  EXPECT_EQ(ips(*wanted), (std::vector<std::string>{"10.213.0.11", "10.213.0.12"}));
  EXPECT_FALSE(status_with(*wanted, {"10.213.0.12"}, true)) << "already listed: nothing to write";
}

TEST(IngressStatus, OwnAddressesTakenOutOfIngressesNoLongerServed) {
  auto wanted = status_with(listing({"10.213.0.11", "10.213.0.12"}), {"10.213.0.11"}, false);
  ASSERT_TRUE(wanted);
  EXPECT_EQ(ips(*wanted), (std::vector<std::string>{"10.213.0.12"}));
  EXPECT_FALSE(status_with(listing({"10.213.0.12"}), {"10.213.0.11"}, false));
}

TEST(IngressStatus, ClassNamesOurControllerAndIsTheDefaultWhenAsked) {
  auto skiff = ingress_class_object("skiff", true);
  EXPECT_EQ(skiff.metadata().name(), "skiff");
  EXPECT_EQ(skiff.spec().controller(), kControllerName);
  EXPECT_EQ(skiff.metadata().annotations().at(kDefaultClassAnnotation), "true");
  EXPECT_FALSE(ingress_class_object("internal", false).metadata().annotations().contains(kDefaultClassAnnotation));
}

}  // namespace
}  // namespace skiff::ingress
