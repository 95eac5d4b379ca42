// The lookup walks at most a few CNAME hops; every set it returns points at zone memory or at
// the scratch, never at temporaries.
#include "zone_lookup.hpp"

#include <algorithm>

#include "reverse_names.hpp"

namespace skiff::dns {

namespace {

constexpr int max_cname_hops = 8;

// What one name holds: the stored node, or records made up for it.
struct NameData {
  bool exists = false;
  const knot_dname_t* owner = nullptr;
  std::vector<std::pair<std::uint16_t, const knot_rdataset_t*>> sets;

  const knot_rdataset_t* find(std::uint16_t type) const {
    for (const auto& [set_type, set] : sets) {
      if (set_type == type) return set;
    }
    return nullptr;
  }
};

const knot_dname_t* as_dname(std::string_view wire) { return reinterpret_cast<const knot_dname_t*>(wire.data()); }

std::string_view stable_name(std::string_view name, LookupScratch& scratch) {
  return scratch.names.emplace_back(name);
}

// Insecure pod records: any dashed address under any namespace of pod.<zone>.
void synthesize_pod_name(const ZoneView& zone, std::string_view name, NameData& data, LookupScratch& scratch) {
  if (zone.settings.config.pod_records != PodRecords::Insecure) return;
  auto depth = depth_below(name, zone.settings.pods);
  if (depth == 1u) data.exists = true;
  if (depth != 2u) return;
  auto address = address_from_dashed(labels_of(name).front());
  if (!address) return;
  data.exists = true;
  data.owner = as_dname(stable_name(name, scratch));
  auto rdata = address_rdata(*address);
  auto& set = scratch.sets.emplace_back();
  set.assign({rdata});
  data.sets.emplace_back(address_type(*address), &set.get());
}

NameData name_data(const ZoneView& zone, std::string_view name, LookupScratch& scratch) {
  NameData data;
  if (const NameNode* node = zone.store.find(name)) {
    data.exists = true;
    for (const auto& records : node->types) data.sets.emplace_back(records.type, &records.wire.get());
    if (!data.sets.empty()) data.owner = as_dname(stable_name(name, scratch));
    return data;
  }
  // Always there, even before any Service or pod: the parents of everything we serve.
  if (name == zone.settings.services || name == zone.settings.pods) data.exists = true;
  synthesize_pod_name(zone, name, data, scratch);
  return data;
}

knot_rrset_t make_rrset(const knot_dname_t* owner, std::uint16_t type, const knot_rdataset_t* set, std::uint32_t ttl) {
  knot_rrset_t rrset;
  knot_rrset_init(&rrset, const_cast<knot_dname_t*>(owner), type, KNOT_CLASS_IN, ttl);
  rrset.rrs = *set;
  return rrset;
}

// The SOA of the zone `apex` names, its TTL capped by the negative TTL (RFC 2308 §5).
void add_negative_soa(const ZoneView& zone, std::string_view apex, LocalAnswer& answer, LookupScratch& scratch) {
  auto ttl = std::min(zone.settings.config.ttl, zone.settings.config.negative_ttl);
  const knot_rdataset_t* set = nullptr;
  if (apex == zone.settings.apex) {
    if (const NameNode* node = zone.store.find(apex)) {
      if (const TypeRecords* soa = node->find(KNOT_RRTYPE_SOA)) set = &soa->wire.get();
    }
  }
  if (!set) {  // a reverse zone's apex: the cluster zone's SOA under that name
    auto& made = scratch.sets.emplace_back();
    made.assign({soa_rdata(zone.settings.soa)});
    set = &made.get();
  }
  answer.authority.push_back({make_rrset(as_dname(stable_name(apex, scratch)), KNOT_RRTYPE_SOA, set, ttl), false});
}

std::string_view first_name_in(const knot_rdataset_t* set, std::size_t offset) {
  const knot_rdata_t* rdata = knot_rdataset_at(set, 0);
  return {reinterpret_cast<const char*>(rdata->data) + offset, rdata->len - offset};
}

// Addresses of the names SRV and NS records point at, when they are ours.
void add_additional(const ZoneView& zone, LocalAnswer& answer, LookupScratch& scratch) {
  std::vector<std::string_view> targets;
  for (const auto& set : answer.answer) {
    std::size_t offset = set.rrset.type == KNOT_RRTYPE_SRV ? 6 : set.rrset.type == KNOT_RRTYPE_NS ? 0 : std::string_view::npos;
    if (offset == std::string_view::npos) continue;
    const knot_rdata_t* rdata = set.rrset.rrs.rdata;
    for (std::uint16_t i = 0; i < set.rrset.rrs.count; ++i, rdata = knot_rdataset_next(const_cast<knot_rdata_t*>(rdata))) {
      targets.emplace_back(reinterpret_cast<const char*>(rdata->data) + offset, rdata->len - offset);
    }
  }
  std::sort(targets.begin(), targets.end());
  targets.erase(std::unique(targets.begin(), targets.end()), targets.end());
  for (auto target : targets) {
    const NameNode* node = zone.store.find(target);
    if (!node) continue;
    for (auto type : {KNOT_RRTYPE_A, KNOT_RRTYPE_AAAA}) {
      if (const TypeRecords* records = node->find(type)) {
        auto owner = as_dname(stable_name(target, scratch));
        answer.additional.push_back({make_rrset(owner, type, &records->wire.get(), zone.settings.config.ttl), false});
      }
    }
  }
}

}  // namespace

std::optional<WireName> authority_apex(const ZoneView& zone, std::string_view name) {
  if (is_at_or_below(name, zone.settings.apex)) return zone.settings.apex;
  return reverse_apex(name, zone.settings.reverse_cidrs);
}

bool name_exists(const ZoneView& zone, std::string_view name, LookupScratch& scratch) {
  return name_data(zone, name, scratch).exists;
}

LocalAnswer lookup(const ZoneView& zone, std::string_view qname, std::uint16_t qtype, LookupScratch& scratch) {
  LocalAnswer answer;
  auto apex = authority_apex(zone, qname);
  if (!apex) return answer;
  answer.ours = true;
  auto ttl = zone.settings.config.ttl;
  std::vector<std::string_view> visited;
  std::string_view name = qname;
  for (int hop = 0; hop <= max_cname_hops; ++hop) {
    NameData data = name_data(zone, name, scratch);
    if (!data.exists) {
      answer.rcode = KNOT_RCODE_NXDOMAIN;  // after a CNAME: the target's (RFC 6604)
      add_negative_soa(zone, *apex, answer, scratch);
      return answer;
    }
    const knot_rdataset_t* cname = data.find(KNOT_RRTYPE_CNAME);
    if (cname && qtype != KNOT_RRTYPE_CNAME) {
      answer.answer.push_back({make_rrset(data.owner, KNOT_RRTYPE_CNAME, cname, ttl), hop == 0});
      visited.push_back(name);
      name = first_name_in(cname, 0);
      if (std::find(visited.begin(), visited.end(), name) != visited.end()) return answer;  // a loop: stop here
      apex = authority_apex(zone, name);
      if (!apex) {
        answer.external_target = WireName(name);
        return answer;
      }
      continue;
    }
    for (const auto& [type, set] : data.sets) {
      if (type == qtype || qtype == KNOT_RRTYPE_ANY) answer.answer.push_back({make_rrset(data.owner, type, set, ttl), hop == 0});
    }
    bool found = std::any_of(answer.answer.begin(), answer.answer.end(),
                             [&](const AnswerSet& set) { return set.rrset.owner == data.owner; });
    if (!found) add_negative_soa(zone, *apex, answer, scratch);  // NODATA
    add_additional(zone, answer, scratch);
    return answer;
  }
  return answer;  // too many hops: the chain so far
}

void write_local_answer(ResponseBuilder& response, const LocalAnswer& answer) {
  for (const auto& set : answer.answer) {
    // Several records: rotated per response so clients spread over them.
    static thread_local std::uint16_t rotation = 0;
    std::uint16_t rotate = set.rrset.rrs.count > 1 ? rotation++ : 0;
    response.put(KNOT_ANSWER, set.rrset, set.owner_is_qname ? KNOT_COMPR_HINT_QNAME : KNOT_COMPR_HINT_NONE, rotate);
  }
  for (const auto& set : answer.authority) response.put(KNOT_AUTHORITY, set.rrset);
  for (const auto& set : answer.additional) response.put(KNOT_ADDITIONAL, set.rrset);
}

}  // namespace skiff::dns
