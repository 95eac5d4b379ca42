// The apiserver keeps the `kubernetes` Service in `default`: the service CIDR's first address
// (reserved: no other Service gets it), https 443 to the apiserver's port, Endpoints and an
// EndpointSlice of its advertised address — created at start, put back when deleted or edited.
#include <gtest/gtest.h>

#include "api_node.hpp"
#include "skiff/api/coordination/v1/lease.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/sdk/time.hpp"
#include "skiff/api/discovery/v1/discovery.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;
namespace discovery = api::discovery::v1;

template <class T>
std::optional<T> find(const sdk::ApiClient& api, const std::string& name = "kubernetes") {
  try {
    return api.get<T>("default", name);
  } catch (const sdk::Error& e) {
    if (e.status().code != 404) throw;
    return std::nullopt;
  }
}

class KubernetesService : public ::testing::Test {
 protected:
  explicit KubernetesService(const std::string& apiserver_config = "") : node(apiserver_config) {}

  // The three objects as the apiserver writes them, once they are all there.
  bool all_there() {
    return find<core::Service>(api) && find<core::Endpoints>(api) && find<discovery::EndpointSlice>(api);
  }
  std::string endpoint_of(const core::Endpoints& e) {
    if (e.subsets_size() != 1 || e.subsets(0).addresses_size() != 1 || e.subsets(0).ports_size() != 1) return "";
    return e.subsets(0).addresses(0).ip() + ":" + std::to_string(e.subsets(0).ports(0).port());
  }

  test::ApiNode node;
  sdk::ApiClient api{node.node().bus(), node.node().subjects()};
};

TEST_F(KubernetesService, IsCreatedAtStartAsKubernetesWritesIt) {
  ASSERT_TRUE(test::wait_until([&] { return all_there(); }, 10s));
  auto service = *find<core::Service>(api);
  EXPECT_EQ(service.spec().cluster_ip(), "10.96.0.1");
  EXPECT_EQ(service.spec().type(), "ClusterIP");
  EXPECT_TRUE(service.spec().selector().empty()) << "its endpoints are the apiserver's, not pods'";
  EXPECT_EQ(service.metadata().labels().at("component"), "apiserver");
  EXPECT_EQ(service.metadata().labels().at("provider"), "kubernetes");
  ASSERT_EQ(service.spec().ports_size(), 1);
  EXPECT_EQ(service.spec().ports(0).name(), "https");
  EXPECT_EQ(service.spec().ports(0).port(), 443);
  EXPECT_EQ(service.spec().ports(0).protocol(), "TCP");
  EXPECT_EQ(service.spec().ports(0).target_port().int_val(), node.port());

  auto endpoints = *find<core::Endpoints>(api);
  EXPECT_EQ(endpoint_of(endpoints), "127.0.0.1:" + std::to_string(node.port())) << "the listen address, by default";
  EXPECT_EQ(endpoints.subsets(0).ports(0).name(), "https");
  EXPECT_EQ(endpoints.metadata().labels().at("endpointslice.kubernetes.io/skip-mirror"), "true");

  auto slice = *find<discovery::EndpointSlice>(api);
  EXPECT_EQ(slice.address_type(), "IPv4");
  EXPECT_EQ(slice.metadata().labels().size(), 1u) << "no managed-by label: no EndpointSlice controller's";
  EXPECT_EQ(slice.metadata().labels().at("kubernetes.io/service-name"), "kubernetes");
  ASSERT_EQ(slice.endpoints_size(), 1);
  EXPECT_EQ(slice.endpoints(0).addresses(0), "127.0.0.1");
  EXPECT_TRUE(slice.endpoints(0).conditions().ready());
  ASSERT_EQ(slice.ports_size(), 1);
  EXPECT_EQ(slice.ports(0).name(), "https");
  EXPECT_EQ(slice.ports(0).port(), node.port());
}

TEST_F(KubernetesService, ItsAddressIsReservedForIt) {
  ASSERT_TRUE(test::wait_until([&] { return all_there(); }, 10s));
  core::Service other;
  other.mutable_metadata()->set_name("other");
  other.mutable_metadata()->set_namespace_("default");
  other.mutable_spec()->set_cluster_ip("10.96.0.1");
  other.mutable_spec()->add_ports()->set_port(80);
  try {
    api.create(other);
    FAIL() << "another Service got the kubernetes Service's address";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 422);
    EXPECT_NE(std::string(e.what()).find("10.96.0.1: provided IP is already allocated"), std::string::npos) << e.what();
  }
  other.mutable_spec()->clear_cluster_ip();
  EXPECT_EQ(api.create(other).spec().cluster_ip(), "10.96.0.2") << "the first one handed out";
}

TEST_F(KubernetesService, ADeletedServiceComesBackWithItsAddress) {
  ASSERT_TRUE(test::wait_until([&] { return all_there(); }, 10s));
  std::string uid = find<core::Service>(api)->metadata().uid();
  api.erase<core::Service>("default", "kubernetes");
  ASSERT_TRUE(test::wait_until([&] {
    auto service = find<core::Service>(api);
    return service && service->metadata().uid() != uid;
  }, 10s));
  EXPECT_EQ(find<core::Service>(api)->spec().cluster_ip(), "10.96.0.1");
}

TEST_F(KubernetesService, EditedPortsAndTypeArePutBack) {
  ASSERT_TRUE(test::wait_until([&] { return all_there(); }, 10s));
  auto original = *find<core::Service>(api);
  auto edited = original;
  edited.mutable_spec()->mutable_ports(0)->set_port(8443);
  edited.mutable_spec()->mutable_ports(0)->set_name("web");
  edited.mutable_spec()->set_type("NodePort");
  api.update(edited);
  EXPECT_TRUE(test::wait_until([&] {
    auto now = *find<core::Service>(api);
    return now.spec().type() == "ClusterIP" && now.spec().ports_size() == 1 && now.spec().ports(0).port() == 443 &&
           now.spec().ports(0).name() == "https" && now.spec().ports(0).node_port() == 0;
  }, 10s)) << find<core::Service>(api)->DebugString();
  auto labelled = *find<core::Service>(api);
  (*labelled.mutable_metadata()->mutable_labels())["team"] = "platform";
  api.update(labelled);
  EXPECT_EQ(find<core::Service>(api)->metadata().labels().at("team"), "platform") << "labels are left to whoever set them";
}

TEST_F(KubernetesService, EndpointsAndSliceArePutBackWhenDeletedOrEdited) {
  ASSERT_TRUE(test::wait_until([&] { return all_there(); }, 10s));
  std::string expected = "127.0.0.1:" + std::to_string(node.port());

  api.erase<core::Endpoints>("default", "kubernetes");
  EXPECT_TRUE(test::wait_until([&] {
    auto e = find<core::Endpoints>(api);
    return e && endpoint_of(*e) == expected;
  }, 10s));
  auto endpoints = *find<core::Endpoints>(api);
  endpoints.mutable_subsets(0)->mutable_addresses(0)->set_ip("10.9.9.9");
  api.update(endpoints);
  EXPECT_TRUE(test::wait_until([&] { return endpoint_of(*find<core::Endpoints>(api)) == expected; }, 10s));

  auto slice = *find<discovery::EndpointSlice>(api);
  slice.mutable_endpoints(0)->set_addresses(0, "10.9.9.9");
  slice.mutable_ports(0)->set_port(1234);
  api.update(slice);
  EXPECT_TRUE(test::wait_until([&] {
    auto now = *find<discovery::EndpointSlice>(api);
    return now.endpoints(0).addresses(0) == "127.0.0.1" && now.ports(0).port() == node.port();
  }, 10s));
  api.erase<discovery::EndpointSlice>("default", "kubernetes");
  EXPECT_TRUE(test::wait_until([&] { return find<discovery::EndpointSlice>(api).has_value(); }, 10s));
}

TEST_F(KubernetesService, AnotherSliceForItIsDeletedAndWhatIsInPlaceIsNotWritten) {
  ASSERT_TRUE(test::wait_until([&] { return all_there(); }, 10s));
  auto versions = [&] {
    return find<core::Service>(api)->metadata().resource_version() + " " +
           find<core::Endpoints>(api)->metadata().resource_version() + " " +
           find<discovery::EndpointSlice>(api)->metadata().resource_version();
  };
  std::string before = versions();
  discovery::EndpointSlice stray;
  stray.mutable_metadata()->set_name("kubernetes-stray");
  stray.mutable_metadata()->set_namespace_("default");
  (*stray.mutable_metadata()->mutable_labels())["kubernetes.io/service-name"] = "kubernetes";
  stray.set_address_type("IPv4");
  stray.add_endpoints()->add_addresses("10.9.9.9");
  api.create(stray);
  EXPECT_TRUE(test::wait_until([&] { return !find<discovery::EndpointSlice>(api, "kubernetes-stray"); }, 10s));
  // The passes that ran meanwhile (the stray's creation and deletion each wake one) found the
  // three objects as they should be.
  EXPECT_EQ(versions(), before);
}

class KubernetesServiceAdvertised : public KubernetesService {
 protected:
  KubernetesServiceAdvertised() : KubernetesService("      advertise_address: 192.0.2.10\n") {}
};

TEST_F(KubernetesServiceAdvertised, TheEndpointsListTheAdvertisedAddress) {
  ASSERT_TRUE(test::wait_until([&] { return all_there(); }, 10s));
  EXPECT_EQ(endpoint_of(*find<core::Endpoints>(api)), "192.0.2.10:" + std::to_string(node.port()));
  EXPECT_EQ(find<discovery::EndpointSlice>(api)->endpoints(0).addresses(0), "192.0.2.10");
}

// Another master's apiserver, as its identity lease says it is.
api::coordination::v1::Lease other_apiserver(const std::string& address, std::chrono::system_clock::time_point renewed) {
  api::coordination::v1::Lease lease;
  lease.mutable_metadata()->set_name("apiserver-other-master");
  lease.mutable_metadata()->set_namespace_("kube-system");
  (*lease.mutable_metadata()->mutable_labels())["apiserver.kubernetes.io/identity"] = "kube-apiserver";
  (*lease.mutable_metadata()->mutable_annotations())["apiserver.skiff.io/advertise-address"] = address;
  lease.mutable_spec()->set_holder_identity("apiserver-other-master");
  lease.mutable_spec()->set_lease_duration_seconds(15);
  lease.mutable_spec()->set_renew_time(sdk::format_rfc3339_micro(renewed));
  return lease;
}

std::vector<std::string> slice_addresses(const discovery::EndpointSlice& slice) {
  std::vector<std::string> addresses;
  for (const auto& endpoint : slice.endpoints()) addresses.insert(addresses.end(), endpoint.addresses().begin(), endpoint.addresses().end());
  return addresses;
}

std::vector<std::string> endpoints_addresses(const core::Endpoints& endpoints) {
  std::vector<std::string> addresses;
  for (const auto& subset : endpoints.subsets())
    for (const auto& address : subset.addresses()) addresses.push_back(address.ip());
  return addresses;
}

TEST_F(KubernetesServiceAdvertised, ItRenewsItsOwnIdentityLease) {
  ASSERT_TRUE(test::wait_until([&] {
    try {
      auto lease = api.get<api::coordination::v1::Lease>("kube-system", "apiserver-test-node");
      return lease.metadata().labels().at("apiserver.kubernetes.io/identity") == "kube-apiserver" &&
             lease.metadata().annotations().at("apiserver.skiff.io/advertise-address") == "192.0.2.10";
    } catch (const std::exception&) {
      return false;
    }
  }, 10s));
}

TEST_F(KubernetesServiceAdvertised, EveryLiveApiserverIsAnEndpointAndAnExpiredOneIsDropped) {
  ASSERT_TRUE(test::wait_until([&] { return all_there(); }, 10s));
  api.create(other_apiserver("192.0.2.11", std::chrono::system_clock::now()));
  std::vector<std::string> both = {"192.0.2.10", "192.0.2.11"};
  EXPECT_TRUE(test::wait_until([&] {
    return endpoints_addresses(*find<core::Endpoints>(api)) == both &&
           slice_addresses(*find<discovery::EndpointSlice>(api)) == both;
  }, 10s)) << "the other apiserver's lease is live";
  // Its master died: no renewal for longer than the lease.
  auto stale = api.get<api::coordination::v1::Lease>("kube-system", "apiserver-other-master");
  stale.mutable_spec()->set_renew_time(sdk::format_rfc3339_micro(std::chrono::system_clock::now() - 20s));
  api.update(stale);
  std::vector<std::string> alone = {"192.0.2.10"};
  EXPECT_TRUE(test::wait_until([&] {
    return endpoints_addresses(*find<core::Endpoints>(api)) == alone &&
           slice_addresses(*find<discovery::EndpointSlice>(api)) == alone;
  }, 10s)) << "the expired lease's address is still listed";
}

TEST(KubernetesServiceConfig, AnAdvertiseAddressThatIsNoIpIsRefused) {
  try {
    test::ApiNode node("      advertise_address: apiserver.example\n");
    FAIL() << "the apiserver started";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("config advertise_address: 'apiserver.example' is not an IP address"),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
