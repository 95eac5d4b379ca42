// store-etcd: the cluster state on an etcd v3 cluster — Skiff's HA store. Any number of
// instances (one per master) serve the same etcd; one of them publishes the watch events.
#include <spdlog/spdlog.h>

#include <memory>

#include "etcd_client.hpp"
#include "etcd_store_service.hpp"
#include "key_layout.hpp"
#include "skiff/sdk/config_binding.hpp"
#include "skiff/sdk/object_bytes.hpp"
#include "skiff/sdk/plugin.hpp"
#include "skiff/sdk/store/serve_store.hpp"
#include "watch_relay.hpp"

namespace skiff::store_etcd {
namespace {

using namespace skiff::sdk;

struct Settings {
  std::vector<std::string> endpoints;
  std::optional<std::string> prefix;
  std::chrono::milliseconds request_timeout{};
  std::chrono::milliseconds lease_ttl{};
  std::chrono::milliseconds compaction_interval{};
  std::int64_t history_length = 0;
  std::optional<std::string> ca_file, cert_file, key_file, username, password;
  int read_workers = 0;
};

const ConfigMap<Settings>& config_map() {
  static const ConfigMap<Settings> map{
      bind_key("endpoints", &Settings::endpoints, "[127.0.0.1:2379]",
               "etcd members as ADDRESS:PORT (or http(s)://ADDRESS:PORT), tried in order; the local member first"),
      bind_key("prefix", &Settings::prefix, "", "where the cluster's keys live in etcd (default: /skiff/<cluster>)"),
      bind_key("request_timeout", &Settings::request_timeout, "5s",
               "longest wait for etcd on one call; then the API answers 503 (etcd down or without quorum)")
          .range("100ms", "5m"),
      bind_key("lease_ttl", &Settings::lease_ttl, "3s",
               "lease of the watch publisher role: how long a dead publisher keeps it (etcd's minimum is about 2s)")
          .range("1s", "1m"),
      bind_key("compaction_interval", &Settings::compaction_interval, "5m",
               "compact etcd's history every interval to the revision of one interval ago, as kube-apiserver does; "
               "0s: never")
          .range("0s", "24h"),
      bind_key("history_length", &Settings::history_length, "10000", "watch events kept for watchers to resume from")
          .at_least(1),
      bind_key("ca_file", &Settings::ca_file, "", "TLS: the CA of etcd's serving certificates (turns TLS on)"),
      bind_key("cert_file", &Settings::cert_file, "", "TLS: client certificate (etcd --client-cert-auth)"),
      bind_key("key_file", &Settings::key_file, "", "TLS: the client certificate's key"),
      bind_key("username", &Settings::username, "", "etcd auth: the user (needs read-write on the prefix)"),
      bind_key("password", &Settings::password, "", "etcd auth: the user's password"),
      // Each read waits on an etcd round trip (a linearizable read goes through the leader), not on a CPU.
      bind_key("read_workers", &Settings::read_workers, "32", "parallel handlers for get, list and history")
          .range(1, 256),
  };
  return map;
}

EtcdSettings etcd_settings(const Settings& s) {
  EtcdSettings out;
  out.endpoints = s.endpoints;
  out.ca_file = s.ca_file.value_or("");
  out.cert_file = s.cert_file.value_or("");
  out.key_file = s.key_file.value_or("");
  out.username = s.username.value_or("");
  out.password = s.password.value_or("");
  out.request_timeout = s.request_timeout;
  return out;
}

class StoreEtcdPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "store-etcd";
    m.kind = "store";
    m.version = "0.1.0";
    m.description = "Revisioned, watchable cluster state on an etcd v3 cluster (highly available)";
    m.provides = {{kStoreCapability, true}};
    m.config = config_map().table();
    return m;
  }

  explicit StoreEtcdPlugin(Context& context) : context_(context) {}

  void start() override {
    Settings settings = config_map().read(context_.config());
    client_ = std::make_unique<EtcdClient>(etcd_settings(settings));
    layout_ = std::make_unique<KeyLayout>(settings.prefix.value_or("/skiff/" + context_.node().cluster));
    RelaySettings relay;
    relay.history_length = static_cast<std::size_t>(settings.history_length);
    relay.lease_ttl = std::chrono::duration_cast<std::chrono::seconds>(settings.lease_ttl);
    relay.compaction_interval = settings.compaction_interval;
    relay.identity = context_.node().node + "/" + sdk::new_uid();
    // Reads the state first: etcd out of reach fails the start here, with the endpoints named.
    relay_ = std::make_unique<WatchRelay>(*client_, *layout_, context_.bus(), context_.subjects(), relay, context_.log());
    service_ = std::make_unique<EtcdStoreService>(*client_, *layout_, *relay_);
    server_ = serve_store(context_, *service_, {settings.read_workers});
    context_.log().info("serving {} on etcd {} under {} ({})", context_.subjects().store("*"), client_->endpoints(),
                        layout_->objects(), relay_->publishing() ? "publishing watch events" : "standing by");
  }

  void stop() override {
    server_.reset();
    if (relay_) relay_->stop();  // hands the publisher role over at once
    service_.reset();
    relay_.reset();
    layout_.reset();
    client_.reset();
  }

  Health health() override {
    if (!relay_) return Health::failing("not started");
    try {
      auto revision = relay_->latest_change();
      return Health::ok("revision " + std::to_string(revision) + (relay_->publishing() ? ", publishing" : ", standby"));
    } catch (const Error& e) {
      return Health::failing(e.what());
    }
  }

 private:
  Context& context_;
  std::unique_ptr<EtcdClient> client_;
  std::unique_ptr<KeyLayout> layout_;
  std::unique_ptr<WatchRelay> relay_;
  std::unique_ptr<EtcdStoreService> service_;
  std::unique_ptr<StoreServer> server_;
};

}  // namespace
}  // namespace skiff::store_etcd

SKIFF_PLUGIN(skiff::store_etcd::StoreEtcdPlugin)
