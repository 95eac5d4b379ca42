// The search-path short circuit (CoreDNS's autopath): a pod's resolver tries `<name>.<ns>.svc.
// <zone>`, `<name>.svc.<zone>`, `<name>.<zone>` and `<name>.` in turn; when the first fails we
// know which one will answer and can answer it at once, behind a CNAME from the asked name.
#pragma once

#include <optional>
#include <string_view>

#include "cluster_zone.hpp"
#include "zone_lookup.hpp"

namespace skiff::dns {

// The name whose answer the client would end up with, or nullopt when short-circuiting would
// not be exact. It is exact only when all of these hold:
//  - the short circuit is on and the node appends no search domains of its own (those the
//    server cannot try itself without knowing their answers);
//  - the client is a known pod (one pod has its address, not on the host network) whose search
//    list is the standard one, and `qname` is `<name>.<its namespace>.svc.<zone>`: the first
//    element of that list; a query ending in `svc.<zone>` or `<zone>` alone may be a literal
//    name as well as a later search element, so it is not touched;
//  - `qname` does not exist (NXDOMAIN), so the client would go on.
// Then the target is the first of `<name>.svc.<zone>` and `<name>.<zone>` that exists, else
// `<name>.` when `<name>` has fewer dots than ndots (with more, the client asked `<name>.`
// first and it failed), unless `<name>.` is ours and does not exist either.
std::optional<WireName> autopath_target(const ZoneView& zone, std::string_view qname, const std::optional<ClientPod>& client,
                                        LookupScratch& scratch);

}  // namespace skiff::dns
