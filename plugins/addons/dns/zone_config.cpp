// Checking a ZoneConfig: names must be names, CIDRs CIDRs, TTLs sane.
#include "zone_config.hpp"

#include <charconv>
#include <chrono>
#include <stdexcept>

namespace skiff::dns {

namespace {

ReverseCidr parse_cidr(const std::string& text) {
  auto fail = [&] {
    throw std::invalid_argument("dns reverse_cidrs: \"" + text +
                                "\" is not a CIDR: write the network and prefix, like 10.96.0.0/12 or fd00::/108");
  };
  auto slash = text.find('/');
  if (slash == std::string::npos) fail();
  boost::system::error_code error;
  auto network = boost::asio::ip::make_address(text.substr(0, slash), error);
  unsigned prefix = 0;
  auto digits = std::string_view(text).substr(slash + 1);
  auto [end, parse_error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
  if (error || parse_error != std::errc{} || end != digits.data() + digits.size()) fail();
  if (prefix > (network.is_v4() ? 32u : 128u)) fail();
  return {network, prefix};
}

}  // namespace

ZoneSettings::ZoneSettings(const ZoneConfig& given) : config(given) {
  apex = wire_name_or_throw(config.zone, "dns zone");
  if (apex.size() == 1) throw std::invalid_argument("dns zone: the cluster domain cannot be the root; use cluster.local");
  services = *concatenate(wire_name_or_throw("svc", "label"), apex);
  pods = *concatenate(wire_name_or_throw("pod", "label"), apex);
  auto nameserver_name = concatenate(wire_name_or_throw("ns.dns", "label"), apex);
  auto version = concatenate(wire_name_or_throw("dns-version", "label"), apex);
  auto mailbox = concatenate(wire_name_or_throw("hostmaster", "label"), apex);
  if (!nameserver_name || !version || !mailbox) throw std::invalid_argument("dns zone: \"" + config.zone + "\" is too long");
  nameserver = *nameserver_name;
  version_name = *version;
  if (config.ttl > 86400) throw std::invalid_argument("dns ttl: at most 86400 seconds (a day)");
  if (config.negative_ttl > 86400) throw std::invalid_argument("dns negative_ttl: at most 86400 seconds (a day)");
  if (config.ndots == 0 || config.ndots > 15) throw std::invalid_argument("dns ndots: between 1 and 15, as resolv.conf allows");
  soa.primary = nameserver;
  soa.mailbox = *mailbox;
  // Nothing transfers this zone; the serial only has to be plausible.
  soa.serial = static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  soa.minimum = config.negative_ttl;
  for (const auto& text : config.reverse_cidrs) reverse_cidrs.push_back(parse_cidr(text));
  for (const auto& domain : config.host_search_domains) wire_name_or_throw(domain, "dns host_search_domains entry");
}

}  // namespace skiff::dns
