// Answering one name and type from the zone, as RFC 1034 §4.3.2 and RFC 2308 say: the records,
// or NODATA (the name exists, with other types or only names below it), or NXDOMAIN, with the
// SOA in authority for both negatives; CNAMEs followed while they stay in our zones.
#pragma once

#include "knot.hpp"

#include <deque>
#include <optional>
#include <string_view>
#include <vector>

#include "cluster_zone.hpp"
#include "response_builder.hpp"

namespace skiff::dns {

struct AnswerSet {
  knot_rrset_t rrset;
  bool owner_is_qname = false;  // written as a pointer to the question: the client's case
};

// Names and record sets made up for one lookup (reverse SOAs, insecure pod records).
struct LookupScratch {
  std::deque<WireName> names;
  std::deque<OwnedRdataset> sets;
};

// Valid while the zone's read lock is held: the sets point into the zone.
struct LocalAnswer {
  bool ours = false;  // false: the name is in no zone we answer for
  std::uint16_t rcode = KNOT_RCODE_NOERROR;
  std::vector<AnswerSet> answer, authority, additional;
  std::optional<WireName> external_target;  // a CNAME led out of our zones, to this name
};

// The apex of the zone we answer `name` in: the cluster zone or a covered reverse zone.
std::optional<WireName> authority_apex(const ZoneView& zone, std::string_view name);

// Whether a lookup of `name` would not be NXDOMAIN (it must be in one of our zones).
bool name_exists(const ZoneView& zone, std::string_view name, LookupScratch& scratch);

LocalAnswer lookup(const ZoneView& zone, std::string_view qname, std::uint16_t qtype, LookupScratch& scratch);

// Writes the answer's sections; records beyond the size limit set TC (ResponseBuilder).
void write_local_answer(ResponseBuilder& response, const LocalAnswer& answer);

}  // namespace skiff::dns
