// Every write is get-then-create-or-update, so any number of nodes may run the same pass.
#include "kube_dns_registration.hpp"

#include <spdlog/logger.h>

#include <google/protobuf/util/message_differencer.h>

#include "kube_dns_objects.hpp"

namespace skiff::dns {

namespace core = api::core::v1;
namespace discovery = api::discovery::v1;

namespace {

constexpr std::chrono::seconds kRetry{1};
constexpr std::chrono::seconds kInterval{10};

bool not_found(const sdk::Error& e) { return e.status().code == 404; }

}  // namespace

KubeDnsRegistration::KubeDnsRegistration(sdk::Bus& bus, const sdk::Subjects& subjects, RegistrationOptions options,
                                         std::function<bool(const std::string&)> serve, spdlog::logger& log)
    : api_(bus, subjects), options_(std::move(options)), serve_(std::move(serve)), log_(log) {}

KubeDnsRegistration::~KubeDnsRegistration() { stop(false); }

void KubeDnsRegistration::start() { thread_ = std::thread([this] { run(); }); }

void KubeDnsRegistration::stop(bool withdraw) {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (!withdraw || served_address_.empty()) return;
  try {
    api_.erase<discovery::EndpointSlice>(kDnsNamespace, std::string(kDnsServiceName) + "-" + options_.node);
  } catch (const std::exception& e) {
    log_.warn("this node's kube-dns EndpointSlice stays (delete it by hand if the addon is gone for good): {}", e.what());
  }
}

std::string KubeDnsRegistration::state() const {
  std::lock_guard lock(mutex_);
  if (complete_) return served_address_.empty() ? "registered" : "serving other nodes on " + served_address_ + ":53";
  return last_error_.empty() ? "registering" : "registering: " + last_error_;
}

void KubeDnsRegistration::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    bool done = pass();
    lock.lock();
    complete_ = done;
    wake_.wait_for(lock, done ? kInterval : kRetry, [this] { return stopping_; });
  }
}

bool KubeDnsRegistration::pass() {
  try {
    if (options_.create_service) ensure_service();
    bool done = !options_.serve_node_address || ensure_node_slice();
    std::lock_guard lock(mutex_);
    last_error_.clear();
    return done;
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex_);
    last_error_ = e.what();
    return false;
  }
}

void KubeDnsRegistration::ensure_service() {
  try {
    auto existing = api_.get<core::Service>(kDnsNamespace, kDnsServiceName);
    if (existing.spec().cluster_ip() != options_.cluster_dns_ip && !warned_address_) {
      warned_address_ = true;
      log_.error("Service {}/{} has clusterIP {}, not the cluster DNS address {} pods are given: delete it (the addon "
                 "makes it again) or set the addon's cluster_dns_ip and the kubelets' cluster_dns to its address",
                 kDnsNamespace, kDnsServiceName, existing.spec().cluster_ip(), options_.cluster_dns_ip);
    }
    return;
  } catch (const sdk::Error& e) {
    if (!not_found(e)) throw;
  }
  try {
    api_.create(kube_dns_service(options_.cluster_dns_ip));
    log_.info("created Service {}/{} at {}", kDnsNamespace, kDnsServiceName, options_.cluster_dns_ip);
  } catch (const sdk::Error& e) {
    if (e.status().code != 409) throw;  // another node's addon was first
  }
}

// False until the Node exists and its address is served.
bool KubeDnsRegistration::ensure_node_slice() {
  core::Node node;
  try {
    node = api_.get<core::Node>("", options_.node);
  } catch (const sdk::Error& e) {
    if (!not_found(e)) throw;
    return false;  // the kubelet registers it
  }
  std::string address = options_.node_address.empty() ? node_internal_ip(node) : options_.node_address;
  if (address.empty()) return false;
  if (address != served_address_) {
    if (!serve_(address)) return false;
    served_address_ = address;
  }
  auto desired = node_endpoint_slice(node, address);
  try {
    auto stored = api_.get<discovery::EndpointSlice>(kDnsNamespace, desired.metadata().name());
    namespace pbu = google::protobuf::util;
    bool same_owner = stored.metadata().owner_references_size() == 1 &&
                      stored.metadata().owner_references(0).uid() == node.metadata().uid();
    if (same_owner && stored.endpoints_size() == 1 &&
        pbu::MessageDifferencer::Equals(stored.endpoints(0), desired.endpoints(0)) && stored.ports_size() == desired.ports_size())
      return true;
    *stored.mutable_endpoints() = desired.endpoints();
    *stored.mutable_ports() = desired.ports();
    *stored.mutable_metadata()->mutable_owner_references() = desired.metadata().owner_references();  // a Node made again
    api_.update(stored);
  } catch (const sdk::Error& e) {
    if (!not_found(e)) throw;
    api_.create(desired);
    log_.info("nodes without the DNS addon reach this one at {}:53 (EndpointSlice {}/{})", address, kDnsNamespace,
              desired.metadata().name());
  }
  return true;
}

}  // namespace skiff::dns
