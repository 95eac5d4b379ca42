// The identity leases of the apiservers, read and written through ApiCore (unvalidated: the
// apiserver's own objects).
#include "apiserver_leases.hpp"

#include <algorithm>

#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {

namespace coordination = api::coordination::v1;
namespace pb = google::protobuf;

namespace {

constexpr const char* kNamespace = "kube-system";

const sdk::ResourceType& leases() { return *sdk::find_resource("leases.coordination.k8s.io"); }

std::string lease_name(const std::string& node) { return "apiserver-" + node; }

bool expired(const coordination::Lease& lease, std::chrono::system_clock::time_point now) {
  auto renewed = sdk::parse_rfc3339(lease.spec().renew_time());
  if (!renewed) return true;
  return *renewed + std::chrono::seconds(lease.spec().lease_duration_seconds()) < now;
}

}  // namespace

coordination::Lease apiserver_lease(const ApiserverLeaseOptions& options, std::chrono::system_clock::time_point now) {
  coordination::Lease lease;
  auto* meta = lease.mutable_metadata();
  meta->set_name(lease_name(options.node));
  meta->set_namespace_(kNamespace);
  (*meta->mutable_labels())[kApiserverIdentityLabel] = "kube-apiserver";
  (*meta->mutable_labels())["kubernetes.io/hostname"] = options.node;
  (*meta->mutable_annotations())[kApiserverAddressAnnotation] = options.address;
  lease.mutable_spec()->set_holder_identity(lease_name(options.node));
  lease.mutable_spec()->set_lease_duration_seconds(static_cast<int>(options.lease_duration.count()));
  lease.mutable_spec()->set_renew_time(sdk::format_rfc3339_micro(now));
  return lease;
}

std::vector<std::string> live_addresses(const std::vector<coordination::Lease>& all,
                                        std::chrono::system_clock::time_point now) {
  std::vector<std::string> addresses;
  for (const auto& lease : all) {
    auto address = lease.metadata().annotations().find(kApiserverAddressAnnotation);
    if (address == lease.metadata().annotations().end() || address->second.empty() || expired(lease, now)) continue;
    addresses.push_back(address->second);
  }
  std::sort(addresses.begin(), addresses.end());
  addresses.erase(std::unique(addresses.begin(), addresses.end()), addresses.end());
  return addresses;
}

ApiserverLeases::ApiserverLeases(ApiCore& api, ApiserverLeaseOptions options) : api_(api), options_(std::move(options)) {}

void ApiserverLeases::renew() {
  coordination::Lease desired = apiserver_lease(options_, std::chrono::system_clock::now());
  WriteOptions write;
  write.unvalidated = true;
  try {
    api_.modify(leases(), kNamespace, desired.metadata().name(), [&](const pb::Message& current) {
      auto next = std::make_shared<coordination::Lease>(static_cast<const coordination::Lease&>(current));
      *next->mutable_metadata()->mutable_labels() = desired.metadata().labels();
      (*next->mutable_metadata()->mutable_annotations())[kApiserverAddressAnnotation] = options_.address;
      *next->mutable_spec() = desired.spec();
      return next;
    }, "", write);
  } catch (const sdk::Error& e) {
    if (e.status().code != 404) throw;
    api_.create(leases(), kNamespace, std::make_shared<coordination::Lease>(desired), write);
  }
}

std::vector<std::string> ApiserverLeases::live() {
  ListQuery query;
  query.namespace_ = kNamespace;
  query.label_selector = std::string(kApiserverIdentityLabel) + "=kube-apiserver";
  std::vector<coordination::Lease> found;
  for (const auto& object : api_.list(leases(), query).items)
    found.push_back(static_cast<const coordination::Lease&>(*object));
  std::vector<std::string> addresses = live_addresses(found, std::chrono::system_clock::now());
  if (std::find(addresses.begin(), addresses.end(), options_.address) == addresses.end()) {
    addresses.push_back(options_.address);
    std::sort(addresses.begin(), addresses.end());
  }
  return addresses;
}

void ApiserverLeases::release() {
  try {
    api_.erase(leases(), kNamespace, lease_name(options_.node), {});
  } catch (const sdk::Error& e) {
    if (e.status().code != 404) throw;
  }
}

}  // namespace skiff::apiserver
