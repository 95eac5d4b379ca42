// Keys and defaults as kube-vip's ARP mode: a 4 s lease renewed every 500 ms, so a dead
// holder's address moves within about 5 s. The holder gives up after 2 s without a renewal: with
// 1 s the address moved whenever the store paused for a second (an etcd member rejoining).
#include "vip_settings.hpp"

#include <charconv>

#include "skiff/sdk/cidr.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::vip {
namespace {

using sdk::bind_key;

const sdk::ConfigMap<Settings>& config_map() {
  static const sdk::ConfigMap<Settings> map{
      bind_key("address", &Settings::address, std::nullopt,
               "the virtual IP with its LAN's prefix (10.213.15.5/24; no prefix: /32) that one live master answers"),
      bind_key("interface", &Settings::interface, "eth0", "the interface the address is added to and announced on"),
      bind_key("lease_name", &Settings::lease_name, "skiff-vip", "the Lease in kube-system the masters elect the holder by"),
      bind_key("lease_duration", &Settings::lease_duration, "4s",
               "how long the others wait after the holder's last renewal before one takes the address")
          .range("1s", "5m"),
      bind_key("renew_deadline", &Settings::renew_deadline, "2s",
               "a holder that cannot renew for this long removes the address (must be below lease_duration)")
          .range("100ms", "5m"),
      bind_key("retry_period", &Settings::retry_period, "500ms", "how often the lease is renewed or tried")
          .range("50ms", "1m"),
      bind_key("garp_count", &Settings::garp_count, "3",
               "gratuitous ARPs sent when the address arrives, so neighbours' ARP caches move to this master")
          .range(1, 20),
      bind_key("garp_interval", &Settings::garp_interval, "200ms", "between two gratuitous ARPs").range("10ms", "5s"),
  };
  return map;
}

[[noreturn]] void invalid(const std::string& message) { throw sdk::Error(sdk::Status::Invalid(message)); }

}  // namespace

sdk::ConfigTable config_table() { return config_map().table(); }

void parse_address(Settings& settings) {
  std::string_view text = settings.address;
  auto slash = text.find('/');
  auto ip = sdk::parse_ipv4(text.substr(0, slash));
  int prefix = 32;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (error != std::errc() || end != digits.data() + digits.size() || prefix < 1 || prefix > 32) ip.reset();
  }
  if (!ip || *ip == 0)
    invalid("config address: '" + settings.address + "' is not an IPv4 address with an optional prefix "
            "(e.g. 10.213.15.5/24, an unused address of the masters' LAN)");
  settings.ip = *ip;
  settings.prefix = prefix;
}

Settings read_settings(const sdk::Config& config) {
  Settings settings = config_map().read(config);
  parse_address(settings);
  if (settings.renew_deadline >= settings.lease_duration)
    invalid("config renew_deadline: must be below lease_duration (" + std::to_string(settings.lease_duration.count()) +
            "ms), or a holder that cannot renew keeps the address after another master took it");
  if (settings.retry_period >= settings.renew_deadline)
    invalid("config retry_period: must be below renew_deadline (" + std::to_string(settings.renew_deadline.count()) +
            "ms), or the holder cannot renew in time");
  return settings;
}

}  // namespace skiff::vip
