// The DNS addon's ZoneFeeder against a real API (store-lmdb and apiserver in skiffd, on a
// nats-server of the test's own): objects written through the API are answered by the zone.
#include <gtest/gtest.h>
#include <spdlog/logger.h>

#include "api_node.hpp"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"
#include "zone_feeder.hpp"
#include "zone_fixture.hpp"

namespace skiff::dns::test {
namespace {

using namespace std::chrono_literals;
namespace core = api::core::v1;
namespace discovery = api::discovery::v1;

core::Service service_object(const std::string& name, const std::string& cluster_ip = "") {
  core::Service s;
  s.mutable_metadata()->set_namespace_("default");
  s.mutable_metadata()->set_name(name);
  if (!cluster_ip.empty()) s.mutable_spec()->set_cluster_ip(cluster_ip);
  auto* port = s.mutable_spec()->add_ports();
  port->set_name("http");
  port->set_protocol("TCP");
  port->set_port(80);
  return s;
}

// A slice of the headless Service `service` with one ready endpoint for the pod `pod` at `address`.
discovery::EndpointSlice slice_object(const std::string& service, const std::string& pod, const std::string& address) {
  discovery::EndpointSlice s;
  s.mutable_metadata()->set_namespace_("default");
  s.mutable_metadata()->set_name(service + "-abcde");
  (*s.mutable_metadata()->mutable_labels())["kubernetes.io/service-name"] = service;
  s.set_address_type("IPv4");
  auto* endpoint = s.add_endpoints();
  endpoint->add_addresses(address);
  endpoint->mutable_conditions()->set_ready(true);
  endpoint->mutable_target_ref()->set_kind("Pod");
  endpoint->mutable_target_ref()->set_namespace_("default");
  endpoint->mutable_target_ref()->set_name(pod);
  auto* port = s.add_ports();
  port->set_name("http");
  port->set_protocol("TCP");
  port->set_port(8080);
  return s;
}

core::Pod pod_object(const std::string& name, const std::string& hostname, const std::string& subdomain) {
  core::Pod p;
  p.mutable_metadata()->set_namespace_("default");
  p.mutable_metadata()->set_name(name);
  p.mutable_spec()->set_hostname(hostname);
  p.mutable_spec()->set_subdomain(subdomain);
  auto* c = p.mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image("busybox");
  return p;
}

class DnsZoneFeeder : public ::testing::Test {
 protected:
  DnsZoneFeeder() { feeder.start(); }

  // The answer's records of `type`, or the rcode's name when the answer has none.
  std::vector<std::string> answers(const std::string& name, std::uint16_t type) {
    auto reply = zone.ask(name, type);
    if (reply.rcode == KNOT_RCODE_NXDOMAIN) return {"NXDOMAIN"};
    return reply.answers(type);
  }
  bool answers_become(const std::string& name, std::uint16_t type, const std::vector<std::string>& expected) {
    return skiff::test::wait_until([&] { return answers(name, type) == expected; }, 10s);
  }

  // Running with an address, as the kubelet reports it.
  void run_pod(const core::Pod& pod, const std::string& address) {
    auto running = api.create(pod);
    running.mutable_status()->set_phase("Running");
    running.mutable_status()->set_pod_ip(address);
    running.mutable_status()->add_pod_ips()->set_ip(address);
    api.update(running, "status");
  }

  skiff::test::ApiNode node;
  sdk::ApiClient api{node.node().bus(), node.node().subjects()};
  spdlog::logger log{"dns-zone-feeder-test"};  // no sinks: the feeder's warnings go nowhere
  ZoneFixture zone;
  ZoneFeeder feeder{node.node().bus(), node.node().subjects(), zone.zone, log};
};

TEST_F(DnsZoneFeeder, ServiceIsAnsweredOnceCreatedAndNxdomainOnceDeleted) {
  ASSERT_TRUE(skiff::test::wait_until([&] { return feeder.synced(); }, 10s)) << "the informers never listed";
  EXPECT_EQ(answers("kubernetes.default.svc.cluster.local", KNOT_RRTYPE_A), std::vector<std::string>{"10.96.0.1"})
      << "the apiserver's own Service came with the first list";

  auto created = api.create(service_object("web"));
  std::string address = created.spec().cluster_ip();
  ASSERT_FALSE(address.empty()) << "the API allocates the address";
  EXPECT_TRUE(answers_become("web.default.svc.cluster.local", KNOT_RRTYPE_A, {address}))
      << answers("web.default.svc.cluster.local", KNOT_RRTYPE_A).at(0);
  EXPECT_EQ(answers("_http._tcp.web.default.svc.cluster.local", KNOT_RRTYPE_SRV),
            std::vector<std::string>{"0 100 80 web.default.svc.cluster.local."});
  EXPECT_EQ(feeder.services(), 2u);

  api.erase<core::Service>("default", "web");
  EXPECT_TRUE(answers_become("web.default.svc.cluster.local", KNOT_RRTYPE_A, {"NXDOMAIN"}));
  EXPECT_EQ(answers("_http._tcp.web.default.svc.cluster.local", KNOT_RRTYPE_SRV), std::vector<std::string>{"NXDOMAIN"});
}

TEST_F(DnsZoneFeeder, ExternalNameServiceIsACname) {
  auto external = service_object("search");
  external.mutable_spec()->set_type("ExternalName");
  external.mutable_spec()->set_external_name("search.example.com");
  external.mutable_spec()->clear_ports();
  api.create(external);
  EXPECT_TRUE(answers_become("search.default.svc.cluster.local", KNOT_RRTYPE_CNAME, {"search.example.com."}));
}

// The slice names the pod before the pod has its address (or before the feeder saw it): the
// pod's arrival puts its hostname under the Service it names as subdomain.
TEST_F(DnsZoneFeeder, HeadlessServiceAnswersItsPodsByHostname) {
  api.create(service_object("db", "None"));
  api.create(slice_object("db", "db-0", "10.244.1.5"));
  EXPECT_TRUE(answers_become("db.default.svc.cluster.local", KNOT_RRTYPE_A, {"10.244.1.5"}));
  EXPECT_EQ(answers("10-244-1-5.db.default.svc.cluster.local", KNOT_RRTYPE_A), std::vector<std::string>{"10.244.1.5"})
      << "no pod known yet: the endpoint is named by its address";

  run_pod(pod_object("db-0", "primary", "db"), "10.244.1.5");
  EXPECT_TRUE(answers_become("primary.db.default.svc.cluster.local", KNOT_RRTYPE_A, {"10.244.1.5"}));
  EXPECT_EQ(answers("10-244-1-5.db.default.svc.cluster.local", KNOT_RRTYPE_A), std::vector<std::string>{"NXDOMAIN"});
  EXPECT_EQ(answers("_http._tcp.db.default.svc.cluster.local", KNOT_RRTYPE_SRV),
            std::vector<std::string>{"0 100 8080 primary.db.default.svc.cluster.local."})
      << "the slice's port, the number the pod listens on";
  // The hostname can come before the pod's address does (the pod's first event has none yet).
  EXPECT_TRUE(answers_become("10-244-1-5.default.pod.cluster.local", KNOT_RRTYPE_A, {"10.244.1.5"}))
      << "the pod's own record";

  api.erase<core::Pod>("default", "db-0");
  EXPECT_TRUE(answers_become("primary.db.default.svc.cluster.local", KNOT_RRTYPE_A, {"NXDOMAIN"}));
  EXPECT_TRUE(answers_become("10-244-1-5.default.pod.cluster.local", KNOT_RRTYPE_A, {"NXDOMAIN"}));
  EXPECT_EQ(answers("10-244-1-5.db.default.svc.cluster.local", KNOT_RRTYPE_A), std::vector<std::string>{"10.244.1.5"})
      << "the slice still lists the address";

  api.erase<discovery::EndpointSlice>("default", "db-abcde");
  EXPECT_TRUE(answers_become("db.default.svc.cluster.local", KNOT_RRTYPE_A, {"NXDOMAIN"}))
      << "a headless Service without endpoints has no name";
}

}  // namespace
}  // namespace skiff::dns::test
