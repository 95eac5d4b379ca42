// Candidates in the client's own order; the first that exists is where its search would stop.
#include "autopath.hpp"

namespace skiff::dns {

std::optional<WireName> autopath_target(const ZoneView& zone, std::string_view qname, const std::optional<ClientPod>& client,
                                        LookupScratch& scratch) {
  const auto& config = zone.settings.config;
  if (!config.autopath || !config.host_search_domains.empty()) return std::nullopt;
  if (!client || !client->standard_search_path) return std::nullopt;
  auto own_namespace = wire_name(client->namespace_);
  if (!own_namespace) return std::nullopt;
  auto first_search = concatenate(*own_namespace, zone.settings.services);
  if (!first_search) return std::nullopt;
  auto depth = depth_below(qname, *first_search);
  if (!depth || *depth == 0) return std::nullopt;
  if (name_exists(zone, qname, scratch)) return std::nullopt;
  // <name> as a wire name of its own: qname's leading labels and a root.
  WireName name(qname.substr(0, qname.size() - first_search->size()));
  name.push_back('\0');
  for (const auto* suffix : {&zone.settings.services, &zone.settings.apex}) {
    auto candidate = concatenate(name, *suffix);
    if (candidate && name_exists(zone, *candidate, scratch)) return candidate;
  }
  std::size_t dots = *depth - 1;
  if (dots >= config.ndots) return std::nullopt;
  if (authority_apex(zone, name) && !name_exists(zone, name, scratch)) return std::nullopt;
  return name;
}

}  // namespace skiff::dns
