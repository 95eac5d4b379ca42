// Updates take the exclusive lock only for the store's own work; records are computed first.
#include "cluster_zone.hpp"

#include "knot.hpp"

#include <algorithm>
#include <mutex>

#include "object_records.hpp"

namespace skiff::dns {

namespace {

// SOA and NS at the apex, the nameserver's addresses, and the schema version.
std::vector<Record> apex_records(const ZoneSettings& settings) {
  std::vector<Record> records{{settings.apex, KNOT_RRTYPE_SOA, soa_rdata(settings.soa)},
                              {settings.apex, KNOT_RRTYPE_NS, name_rdata(settings.nameserver)}};
  for (const auto& address : settings.config.nameserver_addresses) {
    records.push_back({settings.nameserver, address_type(address), address_rdata(address)});
  }
  // The schema version this server implements (Kubernetes DNS specification 1.0.1).
  if (settings.config.schema_version_record) records.push_back({settings.version_name, KNOT_RRTYPE_TXT, txt_rdata("1.0.1")});
  return records;
}

}  // namespace

ClusterZone::ClusterZone(const ZoneConfig& config) : settings_(config) { store_.replace("zone-apex", apex_records(settings_)); }

void ClusterZone::upsert_service(const Service& service) {
  auto records = service_records(service, settings_);
  std::unique_lock lock(mutex_);
  store_.replace(service_source(service.namespace_, service.name), std::move(records));
}

void ClusterZone::remove_service(std::string_view namespace_, std::string_view name) {
  std::unique_lock lock(mutex_);
  store_.remove(service_source(namespace_, name));
}

void ClusterZone::upsert_pod(const Pod& pod) {
  auto records = pod_records(pod, settings_);
  auto key = pod_source(pod.namespace_, pod.name);
  std::unique_lock lock(mutex_);
  store_.replace(key, std::move(records));
  clients_.upsert(key, pod);
}

void ClusterZone::remove_pod(std::string_view namespace_, std::string_view name) {
  auto key = pod_source(namespace_, name);
  std::unique_lock lock(mutex_);
  store_.remove(key);
  clients_.remove(key);
}

std::optional<ClientPod> ClusterZone::client_pod(const IpAddress& address) const {
  std::shared_lock lock(mutex_);
  return clients_.find(address);
}

std::size_t ClusterZone::name_count() const {
  std::shared_lock lock(mutex_);
  return store_.name_count();
}

}  // namespace skiff::dns
