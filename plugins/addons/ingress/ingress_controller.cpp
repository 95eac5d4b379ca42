// One key, one worker: a pass reads the informers' caches as they are and rebuilds every route
// (a table of a few thousand routes takes milliseconds; the proxy swaps it atomically).
#include "ingress_controller.hpp"

#include <spdlog/logger.h>

#include "ingress_class_setup.hpp"

namespace skiff::ingress {

namespace core = api::core::v1;
namespace discovery = api::discovery::v1;
namespace net = api::networking::v1;

namespace {

constexpr const char* kKey = "pass";
constexpr const char* kServiceIndex = "service";
constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";
constexpr std::chrono::milliseconds kNotSynced{50};
constexpr std::chrono::milliseconds kRetry{1000};

sdk::InformerOptions keeping_tls_only() {
  sdk::InformerOptions options;
  options.transform = slim_secret;
  return options;
}

// A Node as far as Ingress status goes: its addresses.
sdk::InformerOptions keeping_addresses_only() {
  sdk::InformerOptions options;
  options.transform = [](google::protobuf::Message& message) {
    auto& node = static_cast<core::Node&>(message);
    core::Node slim;
    *slim.mutable_metadata()->mutable_name() = node.metadata().name();
    *slim.mutable_metadata()->mutable_resource_version() = node.metadata().resource_version();
    *slim.mutable_status()->mutable_addresses() = node.status().addresses();
    node.Swap(&slim);
  };
  return options;
}

sdk::EventRecorderOptions recorder_options(const std::string& node) {
  sdk::EventRecorderOptions options;
  options.component = "skiff-ingress";
  options.host = node;
  return options;
}

template <class T>
void on_any_change(sdk::Informer<T>& informer, std::function<void()> changed) {
  informer.add_handlers([changed](const auto&) { changed(); }, [changed](const auto&, const auto&) { changed(); },
                        [changed](const auto&) { changed(); });
}

// The RouteTable's problems name their Ingress as "namespace/name: …".
void add_table_problems(const RouteTable& table, std::vector<std::pair<IngressPtr, std::vector<IngressProblem>>>& found) {
  for (const auto& text : table.problems())
    for (auto& [ingress, problems] : found)
      if (text.starts_with(ingress->metadata().namespace_() + "/" + ingress->metadata().name() + ": "))
        problems.push_back({"RouteRefused", text});
}

std::string plural(std::size_t n, const char* one) { return std::to_string(n) + " " + one + (n == 1 ? "" : "s"); }

}  // namespace

IngressController::IngressController(sdk::Bus& bus, const sdk::Subjects& subjects, ControllerOptions options,
                                     ProxyServer& proxy, spdlog::logger& log)
    : options_(std::move(options)),
      proxy_(proxy),
      log_(log),
      api_(bus, subjects),
      events_(api_, recorder_options(options_.node), &log),
      problems_(events_, log),
      status_(api_, options_.node, options_.status_addresses, log),
      ingresses_(bus, subjects, sdk::api_source(bus, subjects), {}, &log),
      classes_(bus, subjects, sdk::api_source(bus, subjects), {}, &log),
      services_(bus, subjects, sdk::api_source(bus, subjects), {}, &log),
      slices_(bus, subjects, sdk::api_source(bus, subjects), {}, &log),
      secrets_(bus, subjects, sdk::api_source(bus, subjects), keeping_tls_only(), &log),
      nodes_(bus, subjects, sdk::api_source(bus, subjects), keeping_addresses_only(), &log) {
  slices_.add_index(kServiceIndex, sdk::index_by_namespaced_label(kServiceNameLabel));
  auto changed = [this] { this->changed(); };
  on_any_change(ingresses_, changed);
  on_any_change(classes_, changed);
  on_any_change(services_, changed);
  on_any_change(slices_, changed);
  on_any_change(secrets_, changed);
  nodes_.add_handlers([](const auto&) {}, [](const auto&, const auto&) {},
                      [this](const auto& node) { node_deleted(*node); });
}

IngressController::~IngressController() { stop(); }

void IngressController::start() {
  for (auto* informer : {&ingresses_.shared(), &classes_.shared(), &services_.shared(), &slices_.shared(),
                         &secrets_.shared(), &nodes_.shared()})
    informer->start();
  queue_.run(1, [this](const std::string&) { return pass(); });
  queue_.add(kKey);
}

void IngressController::stop() {
  queue_.stop();
  for (auto* informer : {&nodes_.shared(), &secrets_.shared(), &slices_.shared(), &services_.shared(),
                         &classes_.shared(), &ingresses_.shared()})
    informer->stop();
}

bool IngressController::synced() const {
  return ingresses_.has_synced() && classes_.has_synced() && services_.has_synced() && slices_.has_synced() &&
         secrets_.has_synced() && nodes_.has_synced();
}

std::string IngressController::state() const {
  std::lock_guard lock(state_mutex_);
  return state_;
}

ObjectLookup IngressController::lookup() const {
  ObjectLookup lookup;
  lookup.service = [this](const std::string& ns, const std::string& name) { return services_.get(ns, name); };
  lookup.slices = [this](const std::string& ns, const std::string& name) {
    return slices_.by_index(kServiceIndex, ns + "/" + name);
  };
  lookup.secret = [this](const std::string& ns, const std::string& name) { return secrets_.get(ns, name); };
  return lookup;
}

std::vector<IngressPtr> IngressController::served_ingresses(std::vector<IngressPtr>& others) const {
  auto ingress_class = [this](const std::string& name) { return classes_.get("", name); };
  std::vector<IngressPtr> served;
  for (auto& ingress : ingresses_.list())
    (is_served(*ingress, options_.ingress_class, ingress_class) ? served : others).push_back(ingress);
  order_oldest_first(served);
  return served;
}

bool IngressController::pass() {
  if (!synced()) {
    queue_.add_after(kKey, kNotSynced);
    return true;
  }
  ensure_class();
  std::vector<IngressPtr> others;
  auto served = served_ingresses(others);
  auto objects = lookup();
  std::vector<IngressValues> values;
  std::vector<std::pair<IngressPtr, std::vector<IngressProblem>>> found;
  for (const auto& ingress : served) {
    auto adapted = adapt_ingress(*ingress, objects, options_.route_defaults);
    values.push_back(std::move(adapted.values));
    found.emplace_back(ingress, std::move(adapted.problems));
  }
  auto table = std::make_shared<const RouteTable>(values);
  add_table_problems(*table, found);
  for (const auto& refused : proxy_.set_routes(table))
    if (refused_certificates_.insert(refused).second) log_.warn("TLS certificate refused: {}", refused);
  ++passes_;
  problems_.report(found);
  bool complete = write_statuses(served, others) && (class_ready_ || !options_.create_class);
  {
    std::lock_guard lock(state_mutex_);
    state_ = plural(served.size(), "Ingress") + " served, " + plural(table->route_count(), "route") + ", " +
             plural(problems_.standing(), "problem");
  }
  if (!complete) queue_.add_after(kKey, kRetry);
  return true;
}

void IngressController::ensure_class() {
  if (class_ready_ || !options_.create_class) return;
  try {
    class_ready_ = ensure_ingress_class(api_, options_.ingress_class, options_.default_class, log_);
  } catch (const std::exception& e) {
    log_.warn("IngressClass {} not made yet (retrying): {}", options_.ingress_class, e.what());
  }
}

bool IngressController::write_statuses(const std::vector<IngressPtr>& served, const std::vector<IngressPtr>& others) {
  try {
    if (status_.addresses().empty()) return served.empty();  // the Node is not registered yet
  } catch (const std::exception& e) {
    log_.warn("this node's address for Ingress status not known yet: {}", e.what());
    return false;
  }
  bool complete = true;
  auto reconcile = [&](const IngressPtr& ingress, bool present, const std::vector<std::string>& departed = {}) {
    try {
      status_.reconcile(*ingress, present, departed);
    } catch (const sdk::Error& e) {
      complete = false;
      if (e.status().code != 409 && e.status().code != 404)
        log_.warn("status of Ingress {}/{} not written (retrying): {}", ingress->metadata().namespace_(),
                  ingress->metadata().name(), e.what());
    }
  };
  auto departed = departed_addresses();
  for (const auto& ingress : served) reconcile(ingress, true, departed);
  for (const auto& ingress : others) reconcile(ingress, false);
  return complete;
}

void IngressController::node_deleted(const core::Node& node) {
  std::string ip = node_internal_ip(node);
  if (ip.empty()) return;
  {
    std::lock_guard lock(departed_mutex_);
    departed_.insert(ip);
  }
  changed();
}

std::vector<std::string> IngressController::departed_addresses() {
  std::set<std::string> in_use(status_.addresses().begin(), status_.addresses().end());
  for (const auto& node : nodes_.list()) in_use.insert(node_internal_ip(*node));
  std::lock_guard lock(departed_mutex_);
  std::erase_if(departed_, [&](const std::string& ip) { return in_use.count(ip) > 0; });  // a Node came back with it
  return {departed_.begin(), departed_.end()};
}

}  // namespace skiff::ingress
