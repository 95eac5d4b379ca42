// The programmer against the real kernel, in a namespace of the test's own: what it says it
// wrote is what `nft` lists, cleanup removes the table, a refused batch names its object and
// the next apply rebuilds, bad states are refused by name, and a large table takes small deltas.
#include <gtest/gtest.h>

#include "command.hpp"
#include "netns.hpp"
#include "nft_listing.hpp"
#include "nft_programmer.hpp"
#include "skiff/sdk/status.hpp"
#include "test_ports.hpp"

namespace {

using namespace skiff;
using namespace skiff::test;
using proxy::Endpoint;
using proxy::Protocol;

constexpr const char* kTable = "skiff-proxy-test";
const Endpoint kA{ip("10.244.1.2"), 8080};
const Endpoint kB{ip("10.244.2.2"), 8080};

proxy::ProxyState three_services() {
  proxy::ProxyState state;
  auto web = node_port("10.96.0.10", 80, 30080, {kA, kB});
  web.external_ips = {ip("203.0.113.10")};
  state.ports["default/web:http/TCP"] = web;
  auto dns = cluster_port("10.96.0.53", 53, {kA}, Protocol::udp);
  dns.affinity_seconds = 600;
  state.ports["default/dns:dns/UDP"] = dns;
  state.ports["default/idle:http/TCP"] = node_port("10.96.0.20", 80, 30081, {});
  return state;
}

NftListing listed() {
  auto listing = list_table(kTable);
  if (!listing) throw std::runtime_error(std::string("table ip ") + kTable + " is missing");
  return *listing;
}

void expect_counts_match(const proxy::NftProgrammer& programmer, const NftListing& listing) {
  EXPECT_EQ(programmer.chain_count(), listing.chains.size()) << listing.text;
  EXPECT_EQ(programmer.rule_count(), listing.rule_count) << listing.text;
  EXPECT_EQ(programmer.element_count(), listing.element_count) << listing.text;
}

std::string refusal_of(proxy::NftProgrammer& programmer, const proxy::ProxyState& state, std::string& reason) {
  try {
    programmer.apply(state);
  } catch (const sdk::Error& e) {
    reason = e.status().reason;
    return e.status().message;
  }
  return "";
}

TEST(NftTable, WhatIsAppliedIsWhatTheKernelLists) {
  Netns node;
  node.run([&] {
    proxy::NftProgrammer programmer(lab_options(kTable));
    auto stats = programmer.apply(three_services());
    EXPECT_TRUE(stats.full);
    EXPECT_EQ(stats.ports_changed, 3u);
    EXPECT_GT(stats.messages, 0u);
    NftListing listing = listed();
    expect_counts_match(programmer, listing);
    EXPECT_EQ(listing.chains.at("nat-prerouting").at("hook"), "prerouting");
    EXPECT_EQ(listing.chains.at("nat-output").at("prio"), -100);
    EXPECT_EQ(listing.chains.at("nat-postrouting").at("hook"), "postrouting");
    for (const char* filter : {"filter-input", "filter-forward", "filter-output"})
      EXPECT_EQ(listing.chains.at(filter).at("prio"), -1) << filter;
    EXPECT_EQ(listing.elements_of("service-ips"), 3u);  // web's cluster and external IP, dns
    EXPECT_EQ(listing.elements_of("service-nodeports"), 1u);
    EXPECT_EQ(listing.elements_of("no-endpoint-services"), 1u);  // idle
    EXPECT_EQ(listing.elements_of("no-endpoint-nodeports"), 1u);
    EXPECT_EQ(listing.elements_of("endpoint-ranges-0"), 2u) << "web's two ranges; its external traffic shares them";
    std::string web = listing.chain_text("svc-" + proxy::nft::port_id("default/web:http/TCP"));
    EXPECT_NE(web.find("comment \"default/web:http/TCP\""), std::string::npos) << listing.text;
    EXPECT_NE(web.find("numgen random mod 65536"), std::string::npos) << listing.text;
    EXPECT_NE(web.find("@endpoint-ranges-0"), std::string::npos) << listing.text;
    std::string dns = listing.chain_text("svc-" + proxy::nft::port_id("default/dns:dns/UDP"));
    EXPECT_NE(dns.find("update @affinity"), std::string::npos) << listing.text;
    EXPECT_NE(dns.find("dnat to 10.244.1.2:8080"), std::string::npos) << listing.text;

    auto again = programmer.apply(three_services());
    EXPECT_EQ(again.messages, 0u) << "nothing changed, nothing sent";
  });
}

TEST(NftTable, CleanupLeavesNoTableAndMayRunTwice) {
  Netns node;
  node.run([&] {
    proxy::NftProgrammer programmer(lab_options(kTable));
    programmer.apply(three_services());
    programmer.cleanup();
    EXPECT_FALSE(list_table(kTable));
    EXPECT_EQ(programmer.rule_count(), 0u);
    programmer.cleanup();
    EXPECT_TRUE(programmer.apply(three_services()).full) << "after cleanup the table is made anew";
    expect_counts_match(programmer, listed());
  });
}

// Someone removed an element behind the proxy's back: the delta that deletes it is refused as a
// whole, the message names the element, and the next apply recreates the table.
TEST(NftTable, ARefusedDeltaNamesTheObjectAndTheNextApplyRebuilds) {
  Netns node;
  node.run([&] {
    proxy::NftProgrammer programmer(lab_options(kTable));
    programmer.apply(three_services());
    auto result = run_command({"nft", "delete element ip skiff-proxy-test service-ips { 10.96.0.53 . udp . 53 }"});
    ASSERT_EQ(result.exit_code, 0) << result.both();
    auto without_dns = three_services();
    without_dns.ports.erase("default/dns:dns/UDP");
    std::string reason;
    std::string message = refusal_of(programmer, without_dns, reason);
    EXPECT_NE(message.find("delete element 10.96.0.53 . udp . 53 from service-ips: No such file or directory"),
              std::string::npos)
        << message;
    EXPECT_EQ(listed().chains.size(), programmer.chain_count()) << "nothing of the refused batch applied";

    auto stats = programmer.apply(without_dns);
    EXPECT_TRUE(stats.full);
    NftListing listing = listed();
    expect_counts_match(programmer, listing);
    EXPECT_EQ(listing.elements_of("service-ips"), 2u);
  });
}

TEST(NftTable, StatesThatCannotBeProgrammedAreRefusedByName) {
  Netns node;
  node.run([&] {
    proxy::NftProgrammer programmer(lab_options(kTable));
    programmer.apply(three_services());
    auto before = listed().text;

    auto twice = three_services();
    twice.ports["other/web:http/TCP"] = cluster_port("10.96.0.10", 80, {kA});
    std::string reason;
    std::string message = refusal_of(programmer, twice, reason);
    EXPECT_EQ(reason, "Invalid");
    EXPECT_NE(message.find("10.96.0.10 . tcp . 80 is claimed by both default/web:http/TCP and other/web:http/TCP"),
              std::string::npos)
        << message;

    auto bad = three_services();
    bad.ports["default/web:http/TCP"].cluster_endpoints.push_back({ip("10.244.3.3"), 0});
    message = refusal_of(programmer, bad, reason);
    EXPECT_NE(message.find("service port default/web:http/TCP has cluster endpoint 10.244.3.3:0"), std::string::npos)
        << message;
    EXPECT_EQ(listed().text, before);
    EXPECT_FALSE(programmer.apply(three_services()).full) << "a refused state leaves the model as it was";
  });
}

// This kernel has no SCTP sockets, but its nftables takes SCTP service ports (untested traffic).
TEST(NftTable, SctpPortsAreAccepted) {
  Netns node;
  node.run([&] {
    proxy::NftProgrammer programmer(lab_options(kTable));
    proxy::ProxyState state;
    state.ports["default/sig:sig/SCTP"] = node_port("10.96.0.30", 3868, 30868, {kA});
    state.ports["default/sig:sig/SCTP"].protocol = Protocol::sctp;
    programmer.apply(state);
    NftListing listing = listed();
    expect_counts_match(programmer, listing);
    EXPECT_NE(listing.text.find("10.96.0.30 . sctp . 3868"), std::string::npos) << listing.text;
    EXPECT_NE(listing.text.find("10.244.1.2 . 8080"), std::string::npos) << listing.text;
  });
}

// 5000 service ports × 2 endpoints (a NodePort on every tenth) in one transaction; then an
// endpoint change touches no rule: its range element replaced (delete + add) and the hairpin
// element of the old address swapped for the new one's — 4 messages.
proxy::ProxyState large_state(int ports) {
  proxy::ProxyState state;
  for (int i = 0; i < ports; ++i) {
    auto cluster_ip = static_cast<std::uint32_t>(ip("10.96.0.0") + 1 + i);
    std::vector<Endpoint> endpoints{{static_cast<std::uint32_t>(ip("10.245.0.0") + 2 * i), 8080},
                                    {static_cast<std::uint32_t>(ip("10.245.0.0") + 2 * i + 1), 8080}};
    proxy::ServicePort port;
    port.port = 80;
    port.cluster_ips = {cluster_ip};
    port.cluster_endpoints = endpoints;
    if (i % 10 == 0) {
      port.node_port = static_cast<std::uint16_t>(30000 + i / 10);
      port.external_endpoints = endpoints;
    }
    state.ports["ns" + std::to_string(i % 50) + "/svc" + std::to_string(i) + ":http/TCP"] = port;
  }
  return state;
}

TEST(NftTable, ALargeTableTakesSmallDeltas) {
  Netns node;
  node.run([&] {
    proxy::NftProgrammer programmer(lab_options(kTable));
    auto state = large_state(5000);
    auto cold = programmer.apply(state);
    EXPECT_TRUE(cold.full);
    NftListing listing = listed();
    expect_counts_match(programmer, listing);
    EXPECT_EQ(listing.elements_of("service-ips"), 5000u);
    std::size_t ranges = 0;
    for (std::uint32_t shard = 0; shard < proxy::nft::kRangeShards; ++shard)
      ranges += listing.elements_of("endpoint-ranges-" + std::to_string(shard));
    EXPECT_EQ(ranges, 10000u);

    const std::string key = "ns7/svc2007:http/TCP";
    auto& port = state.ports.at(key);
    Endpoint old_endpoint = port.cluster_endpoints[1];
    port.cluster_endpoints[1] = {ip("10.246.0.9"), 8080};
    auto rules_before = programmer.rule_count();
    auto delta = programmer.apply(state);
    EXPECT_FALSE(delta.full);
    EXPECT_EQ(delta.ports_changed, 1u);
    EXPECT_EQ(delta.messages, 4u);
    EXPECT_EQ(programmer.rule_count(), rules_before);

    listing = listed();
    expect_counts_match(programmer, listing);
    EXPECT_NE(listing.text.find("10.246.0.9 . 8080"), std::string::npos);
    EXPECT_EQ(listing.text.find(sdk::format_ipv4(old_endpoint.ip) + " . 8080"), std::string::npos);

    state.ports.erase(key);  // a removed port: its address, ranges and hairpins (a message each), its chain
    auto removal = programmer.apply(state);
    EXPECT_EQ(removal.messages, 4u);
    expect_counts_match(programmer, listed());
  });
}

}  // namespace
