// The nodes' addresses shared by every LoadBalancer: a port/protocol to one Service only.
#include <gtest/gtest.h>

#include "port_claims.hpp"

namespace skiff::cloud_local {
namespace {

TEST(PortClaims, ServicesShareTheAddressesWhenTheirPortsDiffer) {
  PortClaims claims;
  EXPECT_EQ(claims.claim("ns/a", {{80, "TCP"}}), "");
  EXPECT_EQ(claims.claim("ns/b", {{443, "TCP"}, {80, "UDP"}}), "");
  std::string refusal = claims.claim("ns/c", {{8080, "TCP"}, {80, "TCP"}});
  EXPECT_NE(refusal.find("80/TCP"), std::string::npos) << refusal;
  EXPECT_NE(refusal.find("ns/a"), std::string::npos) << refusal;
  EXPECT_FALSE(claims.holds("ns/c"));
  EXPECT_EQ(claims.claim("ns/d", {{8080, "TCP"}}), "") << "the refused claim took nothing";
}

TEST(PortClaims, AServiceChangingItsPortsFreesTheOldOnes) {
  PortClaims claims;
  ASSERT_EQ(claims.claim("ns/a", {{80, "TCP"}}), "");
  EXPECT_EQ(claims.claim("ns/a", {{81, "TCP"}}), "") << "its own claim is no clash";
  EXPECT_EQ(claims.claim("ns/b", {{80, "TCP"}}), "");
  claims.release("ns/a");
  EXPECT_EQ(claims.claim("ns/c", {{81, "TCP"}}), "");
}

}  // namespace
}  // namespace skiff::cloud_local
