// Services are translated again whenever they, one of their slices, or a pod naming them as
// subdomain changes; pods go into the zone on their own (pod records, client index).
#include "zone_feeder.hpp"

#include <spdlog/logger.h>

#include "object_adapter.hpp"

namespace skiff::dns {

namespace core = api::core::v1;
namespace discovery = api::discovery::v1;

namespace {

constexpr const char* kServiceIndex = "service";
constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";

sdk::InformerOptions keeping(std::function<void(google::protobuf::Message&)> transform) {
  sdk::InformerOptions options;
  options.transform = std::move(transform);
  return options;
}

std::string slice_service_name(const discovery::EndpointSlice& slice) {
  auto found = slice.metadata().labels().find(kServiceNameLabel);
  return found == slice.metadata().labels().end() ? "" : found->second;
}

}  // namespace

ZoneFeeder::ZoneFeeder(sdk::Bus& bus, const sdk::Subjects& subjects, ClusterZone& zone, spdlog::logger& log)
    : zone_(zone),
      log_(log),
      services_(bus, subjects, sdk::api_source(bus, subjects), keeping(slim_service), &log),
      slices_(bus, subjects, sdk::api_source(bus, subjects), {}, &log),
      pods_(bus, subjects, sdk::api_source(bus, subjects), keeping(slim_pod), &log) {
  auto service_event = [this](const auto& s) { refresh_service(s->metadata().namespace_(), s->metadata().name()); };
  services_.add_handlers(service_event, [service_event](const auto&, const auto& s) { service_event(s); },
                         [this](const auto& s) {
                           std::lock_guard lock(refresh_mutex_);
                           zone_.remove_service(s->metadata().namespace_(), s->metadata().name());
                         });
  slices_.add_index(kServiceIndex, sdk::index_by_namespaced_label(kServiceNameLabel));
  auto slice_event = [this](const std::shared_ptr<const discovery::EndpointSlice>& slice) {
    if (auto name = slice_service_name(*slice); !name.empty()) refresh_service(slice->metadata().namespace_(), name);
  };
  slices_.add_handlers(slice_event, [slice_event](const auto& old, const auto& now) {
    if (slice_service_name(*old) != slice_service_name(*now)) slice_event(old);
    slice_event(now);
  }, slice_event);
  pods_.add_handlers([this](const auto& p) { pod_changed(*p); }, [this](const auto&, const auto& p) { pod_changed(*p); },
                     [this](const auto& p) { pod_gone(*p); });
}

ZoneFeeder::~ZoneFeeder() { stop(); }

void ZoneFeeder::start() {
  pods_.start();
  slices_.start();
  services_.start();
}

void ZoneFeeder::stop() {
  services_.stop();
  slices_.stop();
  pods_.stop();
}

bool ZoneFeeder::synced() const { return services_.has_synced() && slices_.has_synced() && pods_.has_synced(); }

void ZoneFeeder::refresh_service(const std::string& namespace_, const std::string& name) {
  std::lock_guard lock(refresh_mutex_);
  auto service = services_.get(namespace_, name);
  if (!service) return;  // its slices may come first; the Service's own event brings it in
  auto slices = slices_.by_index(kServiceIndex, namespace_ + "/" + name);
  auto lookup = [this](const std::string& ns, const std::string& pod) { return pods_.get(ns, pod); };
  try {
    zone_.upsert_service(to_dns_service(*service, slices, lookup));
  } catch (const std::exception& e) {
    log_.warn("Service {}/{} has no DNS records: {}", namespace_, name, e.what());
  }
}

void ZoneFeeder::pod_changed(const core::Pod& pod) {
  if (auto value = to_dns_pod(pod))
    zone_.upsert_pod(*value);
  else
    zone_.remove_pod(pod.metadata().namespace_(), pod.metadata().name());
  // A pod's hostname under its subdomain's headless Service.
  if (!pod.spec().subdomain().empty()) refresh_service(pod.metadata().namespace_(), pod.spec().subdomain());
}

void ZoneFeeder::pod_gone(const core::Pod& pod) {
  zone_.remove_pod(pod.metadata().namespace_(), pod.metadata().name());
  if (!pod.spec().subdomain().empty()) refresh_service(pod.metadata().namespace_(), pod.spec().subdomain());
}

}  // namespace skiff::dns
