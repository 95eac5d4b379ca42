// The store under the zone: one source replaced at a time, shared records counted, and names
// kept exactly while something is at or below them.
#include <gtest/gtest.h>
#include "knot.hpp"

#include "record_store.hpp"
#include "reverse_names.hpp"
#include "zone_fixture.hpp"

namespace skiff::dns::test {
namespace {

Record a_record(const std::string& owner, const std::string& address) {
  return {*wire_name(owner), KNOT_RRTYPE_A, address_rdata(ip(address))};
}

std::uint16_t a_count(const RecordStore& store, const std::string& owner) {
  const NameNode* node = store.find(*wire_name(owner));
  if (!node) return 0;
  const TypeRecords* records = node->find(KNOT_RRTYPE_A);
  return records ? records->wire.get().count : 0;
}

TEST(DnsRecordStore, ReplacingASourceTouchesOnlyItsRecords) {
  RecordStore store;
  store.replace("one", {a_record("a.x.test", "10.0.0.1"), a_record("b.x.test", "10.0.0.2")});
  store.replace("two", {a_record("a.x.test", "10.0.0.3")});
  EXPECT_EQ(a_count(store, "a.x.test"), 2);
  store.replace("one", {a_record("b.x.test", "10.0.0.2")});
  EXPECT_EQ(a_count(store, "a.x.test"), 1) << "two's record stays";
  EXPECT_EQ(a_count(store, "b.x.test"), 1);
  store.remove("two");
  EXPECT_EQ(store.find(*wire_name("a.x.test")), nullptr);
  EXPECT_EQ(store.source_count(), 1u);
}

TEST(DnsRecordStore, TheSameRecordFromTwoSourcesStaysUntilBothAreGone) {
  RecordStore store;
  store.replace("one", {a_record("shared.test", "10.0.0.1")});
  store.replace("two", {a_record("shared.test", "10.0.0.1"), a_record("shared.test", "10.0.0.1")});
  EXPECT_EQ(a_count(store, "shared.test"), 1);
  store.remove("one");
  EXPECT_EQ(a_count(store, "shared.test"), 1);
  store.remove("two");
  EXPECT_EQ(a_count(store, "shared.test"), 0);
}

TEST(DnsRecordStore, AncestorsExistWhileSomethingIsBelowThem) {
  RecordStore store;
  store.replace("deep", {a_record("a.b.c.test", "10.0.0.1")});
  EXPECT_NE(store.find(*wire_name("b.c.test")), nullptr);
  EXPECT_NE(store.find(*wire_name("c.test")), nullptr);
  EXPECT_FALSE(store.find(*wire_name("b.c.test"))->has_records());
  store.replace("deep", {a_record("x.c.test", "10.0.0.1")});
  EXPECT_EQ(store.find(*wire_name("b.c.test")), nullptr);
  EXPECT_NE(store.find(*wire_name("c.test")), nullptr);
  store.remove("deep");
  EXPECT_EQ(store.name_count(), 0u) << "nothing left behind";
}

TEST(DnsRecordStore, AnUnchangedResyncChangesNothing) {
  RecordStore store;
  std::vector<Record> records{a_record("a.test", "10.0.0.1"), a_record("a.test", "10.0.0.2")};
  store.replace("s", records);
  const auto* before = store.find(*wire_name("a.test"))->find(KNOT_RRTYPE_A)->wire.get().rdata;
  std::reverse(records.begin(), records.end());
  store.replace("s", records);
  EXPECT_EQ(store.find(*wire_name("a.test"))->find(KNOT_RRTYPE_A)->wire.get().rdata, before) << "not rebuilt";
}

TEST(DnsReverseNames, AddressesAndApexes) {
  EXPECT_EQ(text_name(reverse_name(ip("10.96.0.12"))), "12.0.96.10.in-addr.arpa.");
  EXPECT_EQ(text_name(reverse_name(ip("fd00::1"))),
            "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.");
  std::vector<ReverseCidr> cidrs{{ip("10.96.0.0"), 12}, {ip("10.96.5.0"), 24}, {ip("fd00::"), 64}};
  auto apex = [&](const std::string& name) {
    auto found = reverse_apex(*wire_name(name), cidrs);
    return found ? text_name(*found) : std::string();
  };
  EXPECT_EQ(apex("1.2.100.10.in-addr.arpa"), "100.10.in-addr.arpa.");
  EXPECT_EQ(apex("1.5.96.10.in-addr.arpa"), "5.96.10.in-addr.arpa.") << "the most specific CIDR";
  EXPECT_EQ(apex("1.2.112.10.in-addr.arpa"), "") << "10.112 is outside 10.96.0.0/12";
  EXPECT_EQ(apex("10.in-addr.arpa"), "") << "too few labels to be inside the /12";
  EXPECT_EQ(apex("x.1.2.100.10.in-addr.arpa"), "100.10.in-addr.arpa.") << "below an address: ours, and nonexistent";
  EXPECT_EQ(apex("01.100.10.in-addr.arpa"), "100.10.in-addr.arpa.") << "not an octet, but below our apex";
  EXPECT_EQ(apex("0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa"), "0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.");
  EXPECT_EQ(apex("0.0.0.0.0.0.0.0.0.0.0.0.0.0.e.f.ip6.arpa"), "");
  EXPECT_EQ(apex("example.com"), "");
}

TEST(DnsReverseNames, DashedAddresses) {
  EXPECT_EQ(dashed_address(ip("10.244.1.5")), "10-244-1-5");
  EXPECT_EQ(dashed_address(ip("fd00::5")), "fd00--5");
  EXPECT_EQ(address_from_dashed("10-244-1-5"), ip("10.244.1.5"));
  EXPECT_EQ(address_from_dashed("fd00--5"), ip("fd00::5"));
  EXPECT_FALSE(address_from_dashed("10-244-1"));
  EXPECT_FALSE(address_from_dashed("010-244-1-5"));
  EXPECT_FALSE(address_from_dashed("web"));
}

}  // namespace
}  // namespace skiff::dns::test
