// dns: the cluster's DNS on every node — the zone fed by informers, answered from memory on the
// cluster DNS address (node-local, NOTRACK) and on the node's address for nodes without it.
#include <spdlog/logger.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "dns_server.hpp"
#include "dns_settings.hpp"
#include "exported_metrics.hpp"
#include "kube_dns_registration.hpp"
#include "local_address.hpp"
#include "local_subnet.hpp"
#include "notrack_table.hpp"
#include "skiff/sdk/plugin.hpp"
#include "zone_feeder.hpp"

namespace skiff::dns {
namespace {

using namespace skiff::sdk;

std::unique_ptr<DnsServer> start_server(const Settings& settings, const std::string& address, const Responder& responder,
                                        Forwarder& forwarder, DnsMetrics& metrics) {
  ServerConfig config;
  config.listen.push_back({boost::asio::ip::make_address(address), static_cast<std::uint16_t>(settings.port)});
  config.workers = static_cast<unsigned>(settings.workers);
  auto server = std::make_unique<DnsServer>(config, responder, &forwarder, metrics);
  server->start();
  return server;
}

class DnsPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "dns";
    m.kind = "addon";
    m.version = "0.1.0";
    m.description = "Cluster DNS on every node: Services and pods from memory, node-local, search paths short-circuited";
    m.config = config_table();
    return m;
  }

  explicit DnsPlugin(Context& context) : context_(context) {}

  // `skiffd cleanup dns`, or the addon taken out of the node's profile.
  static void cleanup(const CleanupContext& context) {
    Settings settings = read_settings(context.config);
    remove_table(settings.nft_table);
    if (settings.node_local)
      remove_local_address(settings.interface, boost::asio::ip::make_address_v4(settings.cluster_dns_ip));
    context.log.info("table ip {} and {} on {} removed", settings.nft_table, settings.cluster_dns_ip, settings.interface);
  }

  void start() override {
    settings_ = read_settings(context_.config());
    zone_ = std::make_unique<ClusterZone>(zone_config(settings_));
    metrics_ = std::make_unique<ExportedMetrics>(context_.metrics());
    forwarder_ = std::make_unique<UpstreamForwarder>(forwarder_config(settings_), *metrics_);
    responder_ = std::make_unique<Responder>(*zone_, ResponderOptions{true, static_cast<std::uint16_t>(settings_.udp_payload)});
    feeder_ = std::make_unique<ZoneFeeder>(context_.bus(), context_.subjects(), *zone_, context_.log());
    feeder_->start();
    bring_up_ = std::thread([this] { bring_up(); });
  }

  void stop() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (bring_up_.joinable()) bring_up_.join();
    // First the address and rules go, so pods' queries turn to other nodes through the proxy.
    if (zone_) withdraw_node_local();
    if (registration_) registration_->stop(true);
    local_server_.reset();
    node_server_.reset();
    if (feeder_) feeder_->stop();
    forwarder_.reset();
  }

  Health health() override {
    std::lock_guard lock(mutex_);
    if (!zone_) return Health::failing("not started");
    if (!error_.empty()) return Health::failing(error_);
    if (!feeder_->synced()) return Health::degraded("waiting for Services, EndpointSlices and Pods from the API");
    std::string state = std::to_string(feeder_->services()) + " Services, " + std::to_string(feeder_->pods()) + " pods";
    if (settings_.node_local) state += local_server_ ? ", serving " + settings_.cluster_dns_ip : ", starting";
    if (registration_) state += "; " + registration_->state();
    return Health::ok(state);
  }

 private:
  // Serves only once the zone is complete: an empty zone would answer NXDOMAIN, which clients cache.
  void bring_up() {
    std::unique_lock lock(mutex_);
    while (!stopping_ && !feeder_->synced()) wake_.wait_for(lock, std::chrono::milliseconds(20));
    if (stopping_) return;
    try {
      if (settings_.node_local) serve_node_local();
    } catch (const std::exception& e) {
      error_ = e.what();
      context_.log().error("cluster DNS not served on this node (its pods ask other nodes' addons through the proxy): {}",
                           e.what());
      local_server_.reset();
      withdraw_node_local();  // an address nothing answers on would swallow the pods' queries
      return;
    }
    RegistrationOptions options{context_.node().node, settings_.cluster_dns_ip, settings_.create_service,
                                settings_.node_address != "none",
                                settings_.node_address == "none" ? "" : settings_.node_address};
    registration_ = std::make_unique<KubeDnsRegistration>(context_.bus(), context_.subjects(), options,
                                                          [this](const std::string& a) { return serve_node_address(a); },
                                                          context_.log());
    registration_->start();
  }

  void serve_node_local() {
    ensure_local_address(settings_.interface, boost::asio::ip::make_address_v4(settings_.cluster_dns_ip));
    local_server_ = start_server(settings_, settings_.cluster_dns_ip, *responder_, *forwarder_, *metrics_);
    std::lock_guard lock(table_mutex_);
    table_.table = settings_.nft_table;
    table_.local_address = settings_.cluster_dns_ip;
    apply(table_);
    context_.log().info("serving {}:{} on this node ({} Services, {} pods known)", settings_.cluster_dns_ip,
                        settings_.port, feeder_->services(), feeder_->pods());
  }

  // Called by the registration thread; false keeps this node out of kube-dns's endpoints.
  bool serve_node_address(const std::string& address) {
    try {
      node_server_.reset();
      node_server_ = start_server(settings_, address, *responder_, *forwarder_, *metrics_);
      std::lock_guard lock(table_mutex_);
      table_.table = settings_.nft_table;
      table_.node_address = address;
      table_.clients = settings_.node_address_clients;
      if (!settings_.cluster_cidr.empty()) table_.clients.push_back(settings_.cluster_cidr);
      if (auto subnet = local_subnet_of(address)) table_.clients.push_back(*subnet);
      apply(table_);
      return true;
    } catch (const std::exception& e) {
      node_server_.reset();
      context_.log().warn("not serving other nodes on {}:{} (set node_address, or \"none\"): {}", address, settings_.port,
                          e.what());
      return false;
    }
  }

  void withdraw_node_local() {
    try {
      remove_table(settings_.nft_table);
      // Without node_local the address (and a dummy interface of that name) was never ours.
      if (settings_.node_local)
        remove_local_address(settings_.interface, boost::asio::ip::make_address_v4(settings_.cluster_dns_ip));
    } catch (const std::exception& e) {
      context_.log().warn("node-local DNS address not removed (run `skiffd cleanup dns`): {}", e.what());
    }
  }

  Context& context_;
  Settings settings_;
  std::unique_ptr<ClusterZone> zone_;
  std::unique_ptr<ExportedMetrics> metrics_;
  std::unique_ptr<UpstreamForwarder> forwarder_;
  std::unique_ptr<Responder> responder_;
  std::unique_ptr<ZoneFeeder> feeder_;
  std::unique_ptr<DnsServer> local_server_;
  std::unique_ptr<DnsServer> node_server_;
  std::unique_ptr<KubeDnsRegistration> registration_;
  std::mutex table_mutex_;
  NotrackTable table_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::string error_;
  std::thread bring_up_;
};

}  // namespace
}  // namespace skiff::dns

SKIFF_PLUGIN(skiff::dns::DnsPlugin)
