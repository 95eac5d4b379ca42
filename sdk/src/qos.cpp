// A pod's QoS class from its containers' cpu and memory requests and limits.
#include "skiff/sdk/qos.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>

#include "skiff/sdk/quantity.hpp"

namespace skiff::sdk {

namespace core = api::core::v1;

namespace {

using Quantities = google::protobuf::Map<std::string, std::string>;

constexpr std::array<const char*, 2> kQosResources = {"cpu", "memory"};

// The quantity named `name` in thousandths, when it is there and above zero (the only
// quantities QoS counts).
std::optional<std::int64_t> above_zero(const Quantities& quantities, const std::string& name) {
  auto it = quantities.find(name);
  if (it == quantities.end()) return std::nullopt;
  auto milli = parse_quantity_milli(it->second);
  if (!milli || *milli <= 0) return std::nullopt;
  return milli;
}

void add(std::map<std::string, std::int64_t>& totals, const std::string& name, std::int64_t milli) {
  std::int64_t& total = totals[name];
  total = milli > std::numeric_limits<std::int64_t>::max() - total ? std::numeric_limits<std::int64_t>::max() : total + milli;
}

// The pod's cpu and memory requests and limits, added up over its containers.
struct Totals {
  std::map<std::string, std::int64_t> requests, limits;
  bool every_container_limits_both = true;

  void add_container(const core::Container& container) {
    const auto& resources = container.resources();
    int limited = 0;
    for (const std::string name : kQosResources) {
      auto limit = above_zero(resources.limits(), name);
      // A request left unset is the limit: the API's defaulting, whether or not it ran.
      auto request = resources.requests().count(name) ? above_zero(resources.requests(), name) : limit;
      if (limit) {
        add(limits, name, *limit);
        ++limited;
      }
      if (request) add(requests, name, *request);
    }
    if (limited < static_cast<int>(kQosResources.size())) every_container_limits_both = false;
  }
};

}  // namespace

std::string qos_class(const core::PodSpec& spec) {
  Totals totals;
  for (const auto& container : spec.containers()) totals.add_container(container);
  for (const auto& container : spec.init_containers()) totals.add_container(container);
  if (totals.requests.empty() && totals.limits.empty()) return "BestEffort";
  if (totals.every_container_limits_both && totals.requests == totals.limits) return "Guaranteed";
  return "Burstable";
}

}  // namespace skiff::sdk
