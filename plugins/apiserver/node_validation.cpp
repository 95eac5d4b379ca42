// ValidateNode's podCIDRs rules and ValidateNodeUpdate's set-once rules.
#include "node_validation.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>

#include "go_values.hpp"

namespace skiff::apiserver {
namespace {

namespace core = api::core::v1;

enum class Family { V4, V6 };

// The family of "address/prefix", or nullopt when it is not a CIDR (Kubernetes' ParseCIDR).
std::optional<Family> cidr_family(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  std::string address = text.substr(0, slash), prefix_text = text.substr(slash + 1);
  unsigned prefix = 0;
  auto [end, error] = std::from_chars(prefix_text.data(), prefix_text.data() + prefix_text.size(), prefix);
  if (prefix_text.empty() || error != std::errc{} || end != prefix_text.data() + prefix_text.size()) return std::nullopt;
  unsigned char bytes[sizeof(in6_addr)];
  if (inet_pton(AF_INET, address.c_str(), bytes) == 1 && prefix <= 32) return Family::V4;
  if (inet_pton(AF_INET6, address.c_str(), bytes) == 1 && prefix <= 128) return Family::V6;
  return std::nullopt;
}

void check_pod_cidrs(FieldErrors& errors, const core::NodeSpec& spec) {
  const auto& cidrs = spec.pod_cidrs();
  std::set<Family> families;
  for (int i = 0; i < cidrs.size(); ++i) {
    auto family = cidr_family(cidrs[i]);
    if (!family) errors.invalid("spec.podCIDRs[" + std::to_string(i) + "]", go_strings(cidrs), "must be valid CIDR");
    else families.insert(*family);
  }
  if (cidrs.size() < 2) return;
  if (cidrs.size() > 2 || families.size() != 2)
    errors.invalid("spec.podCIDRs", go_strings(cidrs), "may specify no more than one CIDR for each IP family");
  std::set<std::string> seen;
  for (int i = 0; i < cidrs.size(); ++i)
    if (!seen.insert(cidrs[i]).second) errors.duplicate("spec.podCIDRs[" + std::to_string(i) + "]", quoted(cidrs[i]));
}

bool same(const google::protobuf::RepeatedPtrField<std::string>& a, const google::protobuf::RepeatedPtrField<std::string>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

}  // namespace

void check_node(FieldErrors& errors, const core::Node& node, const core::Node* old) {
  check_pod_cidrs(errors, node.spec());
  if (!old) return;
  // The controller-manager may give a node a CIDR once; after that it stays (pods have its addresses).
  if (!old->spec().pod_cidrs().empty() && !same(old->spec().pod_cidrs(), node.spec().pod_cidrs()))
    errors.forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid");
  if (!old->spec().provider_id().empty() && old->spec().provider_id() != node.spec().provider_id())
    errors.forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid");
}

}  // namespace skiff::apiserver
