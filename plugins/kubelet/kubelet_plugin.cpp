// kubelet: runs the pods bound to this node through the node's runtime plugin. With
// `nodes: N` one process runs N kubelets (node names <node_prefix>-0 …), each with its own
// runtime subjects — how hollow nodes on runtime-sim make scale tests cheap.
#include <arpa/inet.h>
#include <spdlog/logger.h>

#include <atomic>

#include "kubelet_server.hpp"
#include "log_shipper.hpp"
#include "node_agent.hpp"
#include "proxy_presence.hpp"
#include "skiff/sdk/capabilities.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/hollow_nodes.hpp"
#include "skiff/sdk/plugin.hpp"
#include "skiff/sdk/quantity.hpp"

namespace skiff::kubelet {
namespace {

using namespace skiff::sdk;

struct Settings {
  int max_pods = 0;
  std::optional<std::string> cpu;
  std::optional<std::string> memory;
  std::map<std::string, std::string> labels;
  std::optional<std::string> node_ip;
  std::vector<std::string> register_with_taints;
  std::string cloud_provider;
  std::chrono::milliseconds lease_interval{};
  std::chrono::milliseconds status_interval{};
  std::chrono::milliseconds relist_period{};
  std::chrono::milliseconds restart_backoff{};
  std::chrono::milliseconds restart_backoff_max{};
  int workers = 0;
  std::vector<std::string> cluster_dns;
  std::string cluster_domain;
  std::string resolv_conf;
  std::optional<std::string> server_address;
  std::string tls_cert_file;
  std::string tls_key_file;
  bool log_shipping = true;
  int log_max_line_bytes = 0;
  int log_batch_lines = 0;
  std::chrono::milliseconds log_batch_interval{};
  std::string log_buffer_bytes;
};

const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("max_pods", &Settings::max_pods, "110", "pods this node accepts (its pods capacity)").range(1, 10000),
      bind_key("cpu", &Settings::cpu, "", "CPU capacity to report (default: the machine's)"),
      bind_key("memory", &Settings::memory, "", "memory capacity to report (default: the machine's)"),
      bind_key("labels", &Settings::labels, "{}", "more node labels (the profile's labels and roles are always added)"),
      bind_key("node_ip", &Settings::node_ip, "",
               "the node's InternalIP (default: the first IPv4 address of an interface that is not loopback, a bridge "
               "or a veth)"),
      bind_key("register_with_taints", &Settings::register_with_taints, "[]",
               "taints the node is created with, key[=value]:Effect (as kubelet's --register-with-taints)"),
      bind_key("cloud_provider", &Settings::cloud_provider, "",
               "\"external\": a cloud-controller-manager initialises the node, so it registers with the taint "
               "node.cloudprovider.kubernetes.io/uninitialized=true:NoSchedule (as kubelet's --cloud-provider=external)")
          .one_of({"", "external"}),
      bind_key("lease_interval", &Settings::lease_interval, "10s", "how often the node's Lease is renewed (its heartbeat)")
          .range("100ms", "10m"),
      bind_key("status_interval", &Settings::status_interval, "1m",
               "how often the node's status is rewritten when nothing changed")
          .range("1s", "1h"),
      bind_key("relist_period", &Settings::relist_period, "1s",
               "how often the runtime's containers are compared with the pods")
          .range("10ms", "10m"),
      bind_key("restart_backoff", &Settings::restart_backoff, "10s",
               "first wait before restarting a crashed container (doubles)")
          .range("10ms", "1h"),
      bind_key("restart_backoff_max", &Settings::restart_backoff_max, "5m", "the longest such wait").range("10ms", "24h"),
      bind_key("workers", &Settings::workers, "8", "pods synced at once").range(1, 256),
      bind_key("cluster_dns", &Settings::cluster_dns, "[10.96.0.10]",
               "the cluster DNS addresses pods with dnsPolicy ClusterFirst ask (as kubelet's --cluster-dns; [] falls "
               "back to Default)"),
      bind_key("cluster_domain", &Settings::cluster_domain, "cluster.local",
               "the cluster's DNS domain, searched by ClusterFirst pods (as kubelet's --cluster-domain)"),
      bind_key("resolv_conf", &Settings::resolv_conf, "/etc/resolv.conf",
               "the node's resolver file that Default pods copy and ClusterFirst pods take search domains from (as "
               "kubelet's --resolv-conf; \"\" for none)"),
      bind_key("server_address", &Settings::server_address, "",
               "where the HTTPS endpoint (metrics, stats) listens, host:port (default: <node InternalIP>:10250, as "
               "kubelet's --address and --port; port 0 picks a free one; not served with nodes > 1)"),
      bind_key("tls_cert_file", &Settings::tls_cert_file, "",
               "the HTTPS endpoint's certificate (default: one generated for the node into <data dir>/pki, signed by "
               "a CA of its own there)"),
      bind_key("tls_key_file", &Settings::tls_key_file, "", "the key of tls_cert_file"),
      bind_key("log_shipping", &Settings::log_shipping, "true",
               "ship every container's log lines to the cluster's JetStream log stream (cluster logging; always off "
               "with nodes > 1)"),
      bind_key("log_max_line_bytes", &Settings::log_max_line_bytes, "65536",
               "a longer log line is shipped in parts of at most this many bytes")
          .range(1024, 1 << 20),
      bind_key("log_batch_lines", &Settings::log_batch_lines, "500", "log lines sent to the stream in one batch at most")
          .range(1, 100000),
      bind_key("log_batch_interval", &Settings::log_batch_interval, "200ms",
               "the longest a read log line waits for its batch to fill")
          .range("1ms", "1m"),
      bind_key("log_buffer_bytes", &Settings::log_buffer_bytes, "256Mi",
               "disk space (under <data dir>/logs) for log lines while the log stream is away; when full, new lines "
               "are dropped and counted (skiff_log_lines_dropped_total)"),
  };
  return map;
}

// The cluster DNS addresses must be IPs: they become nameserver lines in every pod.
DnsSettings dns_settings(const Settings& settings) {
  for (const auto& ip : settings.cluster_dns) {
    unsigned char bytes[16];
    if (inet_pton(AF_INET, ip.c_str(), bytes) != 1 && inet_pton(AF_INET6, ip.c_str(), bytes) != 1)
      throw Error(Status::Invalid("kubelet config cluster_dns: '" + ip + "' is not an IP address (the cluster DNS "
                                  "Service's ClusterIP, e.g. 10.96.0.10)"));
  }
  return DnsSettings{settings.cluster_dns, settings.cluster_domain, settings.resolv_conf};
}

class KubeletPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "kubelet";
    m.kind = "kubelet";
    m.version = "0.1.0";
    m.description = "Runs the pods bound to this node through its runtime plugin; serves their logs and exec";
    m.provides = {{capability::kKubelet, true}};
    m.requires_capabilities = {capability::kRuntime};
    m.config = hollow_node_keys("kubelets in this process");
    ConfigTable own = config_map().table();
    m.config.insert(m.config.end(), own.begin(), own.end());
    return m;
  }

  explicit KubeletPlugin(Context& context) : context_(context) {}

  void start() override {
    Settings settings = config_map().read(context_.config());
    std::vector<std::string> names = hollow_node_names(context_);
    AgentOptions options;
    options.node.max_pods = settings.max_pods;
    if (settings.cpu) options.node.cpu = *settings.cpu;
    if (settings.memory) options.node.memory = *settings.memory;
    options.node.labels = context_.node().labels;
    for (const auto& taint : settings.register_with_taints) options.node.register_with_taints.push_back(parse_taint(taint));
    if (settings.cloud_provider == "external")
      options.node.register_with_taints.push_back(parse_taint("node.cloudprovider.kubernetes.io/uninitialized=true:NoSchedule"));
    for (const auto& [key, value] : settings.labels) options.node.labels[key] = value;
    options.node.lease_interval = settings.lease_interval;
    options.node.status_interval = settings.status_interval;
    options.node.proxy_running = proxy_presence(context_.bus(), context_.subjects());
    options.relist_period = settings.relist_period;
    options.sync.restart_backoff = settings.restart_backoff;
    options.sync.restart_backoff_max = settings.restart_backoff_max;
    options.sync.pods_dir = context_.data_dir() + "/pods";
    options.workers = settings.workers;
    options.sync.dns = dns_settings(settings);
    options.sync.before_container_removed = [this](const sdk::RuntimeClient& runtime, const std::string& id) {
      if (LogShipper* shipper = shipper_ready_.load()) shipper->drain_container(runtime, id);
    };
    Machine machine = read_machine();
    if (settings.node_ip) machine.internal_ip = *settings.node_ip;
    options.node.kubelet_port = serve_https(settings, names, machine);
    feed_ = std::make_unique<PodFeed>(context_.bus(), context_.subjects(), names, context_.log());
    runtime_classes_ = std::make_unique<RuntimeClasses>(context_.bus(), context_.subjects(),
                                                        sdk::api_source(context_.bus(), context_.subjects()),
                                                        sdk::InformerOptions{}, &context_.log());
    for (const auto& name : names) {
      AgentOptions mine = options;
      mine.node.name = name;
      mine.sweep_pod_dirs = names.size() == 1;  // several nodes share one pods directory
      agents_.push_back(
          std::make_unique<NodeAgent>(context_.bus(), context_.subjects(), *feed_, *runtime_classes_, mine, machine,
                                      context_.log()));
    }
    // The pods first: an agent's first relist must not take its pods' containers for strangers.
    runtime_classes_->start();
    if (!runtime_classes_->wait_for_sync(std::chrono::seconds(60)))
      throw Error(Status::Unavailable("kubelet: the RuntimeClass list did not arrive"));
    feed_->start();
    for (auto& agent : agents_) agent->start();
    start_log_shipping(settings, names);
    if (names.size() == 1) context_.log().info("node {} ready: {} pods bound to it", names.front(), feed_->size());
    else context_.log().info("{} nodes ready ({} … {}): {} pods known", names.size(), names.front(), names.back(), feed_->size());
  }

  void stop() override {
    if (shipper_) shipper_->stop();  // ships what it read while the runtimes still answer
    if (feed_) feed_->stop();  // no pod events into agents being stopped
    for (auto& agent : agents_) agent->stop();
    agents_.clear();
    shipper_ready_ = nullptr;  // the pod workers asked the stopped shipper (it answers at once) until now
    shipper_.reset();
    if (server_) server_->stop();
    server_.reset();
    feed_.reset();
    if (runtime_classes_) runtime_classes_->stop();
    runtime_classes_.reset();
  }

  Health health() override {
    std::size_t pods = 0;
    for (const auto& agent : agents_) pods += agent->pods();
    std::string shipping;
    if (shipper_) {
      auto s = shipper_->stats();
      shipping = ", log lines shipped " + std::to_string(s.lines_shipped()) + ", buffered " +
                 std::to_string(s.lines_buffered()) + ", dropped " + std::to_string(s.lines_dropped());
    }
    return Health::ok(std::to_string(agents_.size()) + (agents_.size() == 1 ? " node, " : " nodes, ") +
                      std::to_string(pods) + " pods" + shipping);
  }

 private:
  // Cluster logging from a real node (hollow nodes ship nothing: their logs are synthetic).
  void start_log_shipping(const Settings& settings, const std::vector<std::string>& names) {
    if (!settings.log_shipping || names.size() != 1) return;
    auto buffer = parse_quantity(settings.log_buffer_bytes);
    if (!buffer || *buffer < (1 << 20))
      throw Error(Status::Invalid("kubelet config log_buffer_bytes: '" + settings.log_buffer_bytes +
                                  "' is not a size of at least 1Mi (e.g. 256Mi, 2Gi)"));
    ShipperOptions options;
    options.cluster = context_.node().cluster;
    options.node = names.front();
    options.state_dir = context_.data_dir() + "/logs";
    options.max_line_bytes = static_cast<std::size_t>(settings.log_max_line_bytes);
    options.batch_lines = static_cast<std::size_t>(settings.log_batch_lines);
    options.batch_interval = settings.log_batch_interval;
    options.buffer_bytes = static_cast<std::uint64_t>(*buffer);
    shipper_ = std::make_unique<LogShipper>(context_.bus(), context_.subjects(), *runtime_classes_, *feed_,
                                            context_.metrics(), options, context_.log());
    shipper_->start();
    shipper_ready_ = shipper_.get();
  }

  // The HTTPS endpoint of a single node; returns its port (0: not served, hollow nodes).
  int serve_https(const Settings& settings, const std::vector<std::string>& names, const Machine& machine) {
    if (names.size() != 1) return 0;
    std::string ip = machine.internal_ip.empty() ? "127.0.0.1" : machine.internal_ip;
    ServerSettings server;
    server.address = settings.server_address ? *settings.server_address
                     : ip.find(':') != std::string::npos ? "[" + ip + "]:10250"
                                                         : ip + ":10250";
    server.tls_cert_file = settings.tls_cert_file;
    server.tls_key_file = settings.tls_key_file;
    server.pki_dir = context_.data_dir() + "/pki";
    server.node = names.front();
    server.node_ip = ip;
    server_ = std::make_unique<KubeletServer>(context_.bus(), context_.subjects(), server, context_.log());
    server_->start();
    return server_->port();
  }

  Context& context_;
  std::unique_ptr<KubeletServer> server_;
  std::unique_ptr<PodFeed> feed_;
  std::unique_ptr<RuntimeClasses> runtime_classes_;  // shared by the agents
  std::vector<std::unique_ptr<NodeAgent>> agents_;
  std::unique_ptr<LogShipper> shipper_;
  std::atomic<LogShipper*> shipper_ready_{nullptr};  // what the pod workers' removal hook asks
};

}  // namespace
}  // namespace skiff::kubelet

SKIFF_PLUGIN(skiff::kubelet::KubeletPlugin)
