// Addresses as names: PTR owners under in-addr.arpa and ip6.arpa, which reverse names fall in
// the CIDRs we are authoritative for, and the dashed form of pod and endpoint names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster_objects.hpp"
#include "dns_name.hpp"
#include "zone_config.hpp"

namespace skiff::dns {

// 10.96.0.12 → 12.0.96.10.in-addr.arpa.; fd00::1 → 1.0.0.0…0.0.d.f.ip6.arpa.
WireName reverse_name(const IpAddress& address);

// The apex of the reverse zone `qname` falls in, when one of `cidrs` covers it: the name with
// as many address labels as the CIDR's prefix needs (10.96.0.0/12 → 100.10.in-addr.arpa. for
// 5.0.100.10.in-addr.arpa.). A name with too few labels to tell (10.in-addr.arpa. for a /12)
// is not ours.
std::optional<WireName> reverse_apex(std::string_view qname, const std::vector<ReverseCidr>& cidrs);

// 10.244.1.5 → "10-244-1-5"; fd00::5 → "fd00--5" (the form CoreDNS uses).
std::string dashed_address(const IpAddress& address);
// The reverse: nullopt unless the label is exactly such a form.
std::optional<IpAddress> address_from_dashed(std::string_view label);

}  // namespace skiff::dns
