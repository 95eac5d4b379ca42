// Every record the Kubernetes DNS specification asks for, as the responder answers it.
#include <gtest/gtest.h>

#include "zone_fixture.hpp"

namespace skiff::dns::test {
namespace {

TEST(DnsZoneRecords, ClusterIpServiceHasAddressSrvAndPtr) {
  ZoneFixture f;
  f.zone.upsert_service(cluster_ip_service("shop", "web", {"10.96.0.12", "fd00:96::12"},
                                           {{"http", PortProtocol::TCP, 80}, {"", PortProtocol::TCP, 8080},
                                            {"dns", PortProtocol::UDP, 53}}));
  auto a = f.ask("web.shop.svc.cluster.local", KNOT_RRTYPE_A);
  EXPECT_EQ(a.rcode, KNOT_RCODE_NOERROR);
  EXPECT_TRUE(a.aa);
  EXPECT_EQ(a.answers(KNOT_RRTYPE_A), std::vector<std::string>{"10.96.0.12"});
  EXPECT_EQ(a.answer.at(0).ttl, 30u);
  EXPECT_EQ(f.ask("web.shop.svc.cluster.local", KNOT_RRTYPE_AAAA).answers(KNOT_RRTYPE_AAAA),
            std::vector<std::string>{"fd00:96::12"});

  auto srv = f.ask("_http._tcp.web.shop.svc.cluster.local", KNOT_RRTYPE_SRV);
  EXPECT_EQ(srv.answers(KNOT_RRTYPE_SRV), std::vector<std::string>{"0 100 80 web.shop.svc.cluster.local."});
  ASSERT_EQ(srv.additional.size(), 2u) << "the target's A and AAAA come along";
  EXPECT_EQ(f.ask("_dns._udp.web.shop.svc.cluster.local", KNOT_RRTYPE_SRV).answers(KNOT_RRTYPE_SRV),
            std::vector<std::string>{"0 100 53 web.shop.svc.cluster.local."});
  EXPECT_EQ(f.ask("_dns._tcp.web.shop.svc.cluster.local", KNOT_RRTYPE_SRV).rcode, KNOT_RCODE_NXDOMAIN)
      << "the dns port is UDP only";

  EXPECT_EQ(f.ask("12.0.96.10.in-addr.arpa", KNOT_RRTYPE_PTR).answers(KNOT_RRTYPE_PTR),
            std::vector<std::string>{"web.shop.svc.cluster.local."});
  auto v6_ptr = f.ask("2.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.0.d.f.ip6.arpa", KNOT_RRTYPE_PTR);
  EXPECT_EQ(v6_ptr.answers(KNOT_RRTYPE_PTR), std::vector<std::string>{"web.shop.svc.cluster.local."});
}

TEST(DnsZoneRecords, HeadlessServiceAnswersEveryReadyEndpointAndTheirNames) {
  ZoneFixture f;
  auto by_pod = endpoint("10.244.1.7");
  by_pod.pod_hostname = "db-1";
  by_pod.pod_subdomain = "db";
  auto other_subdomain = endpoint("10.244.1.8");
  other_subdomain.pod_hostname = "x";
  other_subdomain.pod_subdomain = "elsewhere";
  f.zone.upsert_service(headless_service("shop", "db",
                                         {endpoint("10.244.1.5", "db-0"), by_pod, other_subdomain,
                                          endpoint("10.244.1.9", "db-9", false)},
                                         {{"pg", PortProtocol::TCP, 5432}}));
  auto all = f.ask("db.shop.svc.cluster.local", KNOT_RRTYPE_A);
  EXPECT_EQ(all.answers(KNOT_RRTYPE_A), (std::vector<std::string>{"10.244.1.5", "10.244.1.7", "10.244.1.8"}))
      << "not the unready 10.244.1.9";
  EXPECT_EQ(f.ask("db-0.db.shop.svc.cluster.local", KNOT_RRTYPE_A).answers(KNOT_RRTYPE_A),
            std::vector<std::string>{"10.244.1.5"});
  EXPECT_EQ(f.ask("db-1.db.shop.svc.cluster.local", KNOT_RRTYPE_A).answers(KNOT_RRTYPE_A),
            std::vector<std::string>{"10.244.1.7"})
      << "the pod's hostname, its subdomain being this Service";
  EXPECT_EQ(f.ask("10-244-1-8.db.shop.svc.cluster.local", KNOT_RRTYPE_A).answers(KNOT_RRTYPE_A),
            std::vector<std::string>{"10.244.1.8"});
  EXPECT_EQ(f.ask("db-9.db.shop.svc.cluster.local", KNOT_RRTYPE_A).rcode, KNOT_RCODE_NXDOMAIN);

  auto srv = f.ask("_pg._tcp.db.shop.svc.cluster.local", KNOT_RRTYPE_SRV);
  EXPECT_EQ(srv.answers(KNOT_RRTYPE_SRV),
            (std::vector<std::string>{"0 33 5432 10-244-1-8.db.shop.svc.cluster.local.",
                                      "0 33 5432 db-0.db.shop.svc.cluster.local.",
                                      "0 33 5432 db-1.db.shop.svc.cluster.local."}));
  EXPECT_EQ(srv.additional.size(), 3u);
  EXPECT_EQ(f.ask("5.1.244.10.in-addr.arpa", KNOT_RRTYPE_PTR).answers(KNOT_RRTYPE_PTR),
            std::vector<std::string>{"db-0.db.shop.svc.cluster.local."});
  EXPECT_EQ(f.ask("7.1.244.10.in-addr.arpa", KNOT_RRTYPE_PTR).answers(KNOT_RRTYPE_PTR),
            std::vector<std::string>{"db-1.db.shop.svc.cluster.local."});
}

TEST(DnsZoneRecords, HeadlessSrvUsesTheEndpointPortsAndPublishNotReady) {
  ZoneFixture f;
  auto service = headless_service("shop", "db", {endpoint("10.244.1.5", "db-0", false)}, {{"pg", PortProtocol::TCP, 5432}});
  service.endpoint_ports = {{"pg", PortProtocol::TCP, 15432}};
  f.zone.upsert_service(service);
  EXPECT_EQ(f.ask("db.shop.svc.cluster.local", KNOT_RRTYPE_A).rcode, KNOT_RCODE_NXDOMAIN)
      << "a headless Service without ready endpoints has no name (the specification)";
  service.publish_not_ready_addresses = true;
  f.zone.upsert_service(service);
  EXPECT_EQ(f.ask("_pg._tcp.db.shop.svc.cluster.local", KNOT_RRTYPE_SRV).answers(KNOT_RRTYPE_SRV),
            std::vector<std::string>{"0 100 15432 db-0.db.shop.svc.cluster.local."});
}

TEST(DnsZoneRecords, ExternalNameIsACnameFollowedInsideTheZone) {
  ZoneFixture f;
  Service outside;
  outside.namespace_ = "shop";
  outside.name = "payments";
  outside.type = ServiceType::ExternalName;
  outside.external_name = "pay.example.com";
  f.zone.upsert_service(outside);
  auto external = f.ask("payments.shop.svc.cluster.local", KNOT_RRTYPE_A);
  EXPECT_EQ(external.rcode, KNOT_RCODE_NOERROR);
  EXPECT_EQ(external.answers(KNOT_RRTYPE_CNAME), std::vector<std::string>{"pay.example.com."});
  EXPECT_TRUE(external.answers(KNOT_RRTYPE_A).empty()) << "forwarding is off: the chain ends outside";

  f.zone.upsert_service(cluster_ip_service("billing", "api", {"10.96.0.40"}));
  Service inside = outside;
  inside.name = "billing";
  inside.external_name = "api.billing.svc.cluster.local";
  f.zone.upsert_service(inside);
  auto chased = f.ask("billing.shop.svc.cluster.local", KNOT_RRTYPE_A);
  ASSERT_EQ(chased.answer.size(), 2u);
  EXPECT_EQ(chased.answer[0].type, KNOT_RRTYPE_CNAME);
  EXPECT_EQ(chased.answer[1].owner, "api.billing.svc.cluster.local.");
  EXPECT_EQ(chased.answer[1].data, "10.96.0.40");
  EXPECT_EQ(f.ask("billing.shop.svc.cluster.local", KNOT_RRTYPE_CNAME).answer.size(), 1u) << "CNAME asked: not followed";
}

TEST(DnsZoneRecords, PodRecordsVerifiedOnlyForPodsThatExist) {
  ZoneFixture f;
  f.zone.upsert_pod(pod("shop", "web-1", "10.244.1.5"));
  EXPECT_EQ(f.ask("10-244-1-5.shop.pod.cluster.local", KNOT_RRTYPE_A).answers(KNOT_RRTYPE_A),
            std::vector<std::string>{"10.244.1.5"});
  EXPECT_EQ(f.ask("10-244-1-5.other.pod.cluster.local", KNOT_RRTYPE_A).rcode, KNOT_RCODE_NXDOMAIN);
  EXPECT_EQ(f.ask("10-244-1-6.shop.pod.cluster.local", KNOT_RRTYPE_A).rcode, KNOT_RCODE_NXDOMAIN);
  f.zone.remove_pod("shop", "web-1");
  EXPECT_EQ(f.ask("10-244-1-5.shop.pod.cluster.local", KNOT_RRTYPE_A).rcode, KNOT_RCODE_NXDOMAIN);
}

TEST(DnsZoneRecords, PodRecordsInsecureForAnyAddress) {
  auto config = test_zone_config();
  config.pod_records = PodRecords::Insecure;
  ZoneFixture f(config);
  EXPECT_EQ(f.ask("10-1-2-3.anything.pod.cluster.local", KNOT_RRTYPE_A).answers(KNOT_RRTYPE_A),
            std::vector<std::string>{"10.1.2.3"});
  EXPECT_EQ(f.ask("fd00--7.anything.pod.cluster.local", KNOT_RRTYPE_AAAA).answers(KNOT_RRTYPE_AAAA),
            std::vector<std::string>{"fd00::7"});
  EXPECT_EQ(f.ask("10-1-2-3.anything.pod.cluster.local", KNOT_RRTYPE_AAAA).rcode, KNOT_RCODE_NOERROR) << "NODATA";
  EXPECT_EQ(f.ask("10-1-2.anything.pod.cluster.local", KNOT_RRTYPE_A).rcode, KNOT_RCODE_NXDOMAIN);
  EXPECT_EQ(f.ask("anything.pod.cluster.local", KNOT_RRTYPE_A).rcode, KNOT_RCODE_NOERROR) << "a namespace: NODATA";
}

TEST(DnsZoneRecords, ApexHasSoaNsAndTheSchemaVersion) {
  ZoneFixture f;
  auto soa = f.ask("cluster.local", KNOT_RRTYPE_SOA);
  ASSERT_EQ(soa.answer.size(), 1u);
  EXPECT_EQ(soa.answer[0].data.rfind("ns.dns.cluster.local. hostmaster.cluster.local. ", 0), 0u) << soa.answer[0].data;
  auto ns = f.ask("cluster.local", KNOT_RRTYPE_NS);
  EXPECT_EQ(ns.answers(KNOT_RRTYPE_NS), std::vector<std::string>{"ns.dns.cluster.local."});
  ASSERT_EQ(ns.additional.size(), 1u);
  EXPECT_EQ(ns.additional[0].data, "10.96.0.10");
  EXPECT_EQ(f.ask("dns-version.cluster.local", KNOT_RRTYPE_TXT).answers(KNOT_RRTYPE_TXT),
            std::vector<std::string>{"\"1.0.1\""});
}

TEST(DnsZoneRecords, UpdatesAreIncrementalPerService) {
  ZoneFixture f;
  f.zone.upsert_service(cluster_ip_service("shop", "web", {"10.96.0.12"}, {{"http", PortProtocol::TCP, 80}}));
  f.zone.upsert_service(cluster_ip_service("shop", "cart", {"10.96.0.13"}));
  auto names = f.zone.name_count();
  f.zone.upsert_service(cluster_ip_service("shop", "web", {"10.96.0.14"}, {{"http", PortProtocol::TCP, 80}}));
  EXPECT_EQ(f.zone.name_count(), names) << "the old PTR name went, the new one came";
  EXPECT_EQ(f.ask("web.shop.svc.cluster.local", KNOT_RRTYPE_A).answers(KNOT_RRTYPE_A), std::vector<std::string>{"10.96.0.14"});
  EXPECT_EQ(f.ask("12.0.96.10.in-addr.arpa", KNOT_RRTYPE_PTR).rcode, KNOT_RCODE_NXDOMAIN);
  f.zone.remove_service("shop", "web");
  EXPECT_EQ(f.ask("web.shop.svc.cluster.local", KNOT_RRTYPE_A).rcode, KNOT_RCODE_NXDOMAIN);
  EXPECT_EQ(f.ask("_http._tcp.web.shop.svc.cluster.local", KNOT_RRTYPE_SRV).rcode, KNOT_RCODE_NXDOMAIN);
  EXPECT_EQ(f.ask("cart.shop.svc.cluster.local", KNOT_RRTYPE_A).answers(KNOT_RRTYPE_A), std::vector<std::string>{"10.96.0.13"});
}

TEST(DnsZoneRecords, AnyReturnsEveryTypeAtTheName) {
  ZoneFixture f;
  f.zone.upsert_service(cluster_ip_service("shop", "web", {"10.96.0.12", "fd00:96::12"}));
  auto any = f.ask("web.shop.svc.cluster.local", KNOT_RRTYPE_ANY);
  EXPECT_EQ(any.answer.size(), 2u);
}

}  // namespace
}  // namespace skiff::dns::test
