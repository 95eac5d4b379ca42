// apiserver: the front door — Kubernetes' REST API over HTTP(S) for kubectl and friends, and
// the same operations on the bus for Skiff's own components.
#include <arpa/inet.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <thread>

#include "api_core.hpp"
#include "auth.hpp"
#include "bus_api.hpp"
#include "crd_controller.hpp"
#include "custom_resources.hpp"
#include "http_names.hpp"
#include "ip_allocator.hpp"
#include "kubeconfig.hpp"
#include "kubernetes_service_loop.hpp"
#include "crd_openapi.hpp"
#include "namespace_defaults.hpp"
#include "rbac_bootstrap.hpp"
#include "rbac_cache.hpp"
#include "request_metrics.hpp"
#include "rest_api.hpp"
#include "service_account_tokens.hpp"
#include "skiff/sdk/duration.hpp"
#include "skiff/sdk/node_address.hpp"
#include "skiff/sdk/capabilities.hpp"
#include "skiff/sdk/plugin.hpp"
#include "skiff/sdk/quantity.hpp"
#include "skiff/sdk/store_client.hpp"
#include "token_review_service.hpp"
#include "watch_fanout.hpp"

namespace skiff::apiserver {
namespace {

using namespace skiff::sdk;

std::pair<std::string, int> split_address(const std::string& address) {
  auto colon = address.rfind(':');
  if (colon == std::string::npos) throw Error(Status::Invalid("config address: '" + address + "' lacks a :port"));
  try {
    return {address.substr(0, colon), std::stoi(address.substr(colon + 1))};
  } catch (const std::exception&) {
    throw Error(Status::Invalid("config address: '" + address + "' has no numeric port"));
  }
}

bool is_ip(const std::string& text) {
  unsigned char bytes[16];
  return inet_pton(AF_INET, text.c_str(), bytes) == 1 || inet_pton(AF_INET6, text.c_str(), bytes) == 1;
}

// What the `kubernetes` Service's endpoints list: advertise_address, else the listen address
// unless it is a wildcard (then the node's own IPv4 address, where pods reach the API; 127.0.0.1
// on a machine without one).
std::string advertise_address(const Config& config, const std::string& host) {
  if (config.has("advertise_address")) {
    std::string address = config.get_string("advertise_address");
    if (!is_ip(address) || address == "0.0.0.0" || address == "::")
      throw Error(Status::Invalid("config advertise_address: '" + address +
                                  "' is not an IP address the apiserver can be reached on (the `kubernetes` Service's "
                                  "endpoint; e.g. the node's InternalIP)"));
    return address;
  }
  if (is_ip(host) && host != "0.0.0.0" && host != "::") return host;
  std::string own = node_ipv4();
  return own.empty() ? "127.0.0.1" : own;
}

class ApiServerPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "apiserver";
    m.kind = "apiserver";
    m.version = "0.1.0";
    m.description = "Kubernetes-compatible API over HTTP(S) for kubectl, and over the bus for Skiff's components";
    m.provides = {{capability::kApiServer, true}};
    m.requires_capabilities = {capability::kStore};
    m.config = {
        {"address", ConfigType::String, "127.0.0.1:6443", "where the HTTP API listens (host:port; port 0 picks one)"},
        {"tls", ConfigType::Bool, "true", "serve HTTPS (a CA and certificate are generated on first start)"},
        {"tls_cert_file", ConfigType::String, "", "use this certificate instead of generating one"},
        {"tls_key_file", ConfigType::String, "", "the key of tls_cert_file"},
        {"tokens_file", ConfigType::String, "", "bearer tokens (token,user,uid,groups); default <data dir>/tokens.csv"},
        {"service_account_issuer", ConfigType::String, "https://kubernetes.default.svc.cluster.local",
         "the `iss` of service account tokens, and the audience the API accepts them for"},
        {"service_account_key_file", ConfigType::String, "",
         "the EC P-256 key that signs service account tokens (default <data dir>/pki/service-account.key, made on "
         "first start; every apiserver of a cluster needs the same one)"},
        {"kubeconfig", ConfigType::String, "", "where to write the admin kubeconfig (default <node data dir>/kubeconfig)"},
        {"extra_sans", ConfigType::List, "[]",
         "more IPs and DNS names the generated serving certificate is valid for (a VIP in front of several masters)"},
        {"advertise_host", ConfigType::String, "", "the host clients use in the kubeconfig (default: the listen host)"},
        {"advertise_address", ConfigType::String, "",
         "the IP the `kubernetes` Service's endpoints list (default: the listen address; the node's IPv4 address "
         "when that is 0.0.0.0)"},
        {"kubernetes_version", ConfigType::String, "v1.33.0", "the version /version reports (kubectl picks its version by it)"},
        {"service_cidr", ConfigType::String, "10.96.0.0/12", "where Service cluster IPs come from"},
        {"node_port_range", ConfigType::String, "30000-32767", "where NodePorts come from"},
        {"max_body", ConfigType::String, "3Mi", "largest request body accepted"},
        {"bookmark_interval", ConfigType::Duration, "60s", "how often idle watches that ask for bookmarks get one"},
        {"bus_workers", ConfigType::Int, "4", "parallel handlers for the internal bus API"},
        {"default_toleration_seconds", ConfigType::Int, "300",
         "how long new pods tolerate a not-ready or unreachable node (DefaultTolerationSeconds admission)"},
    };
    return m;
  }

  explicit ApiServerPlugin(Context& context) : context_(context) {}

  void start() override {
    const Config& config = context_.config();
    auto [host, port] = split_address(config.get_string("address"));
    std::string advertised = advertise_address(config, host);
    auto max_body = parse_quantity(config.get_string("max_body"));
    if (!max_body || *max_body <= 0) throw Error(Status::Invalid("config max_body: not a size"));
    std::string range = config.get_string("node_port_range");
    auto dash = range.find('-');
    if (dash == std::string::npos) throw Error(Status::Invalid("config node_port_range: expected FIRST-LAST"));

    std::string tokens_file = config.has("tokens_file") ? config.get_string("tokens_file") : context_.data_dir() + "/tokens.csv";
    tokens_ = std::make_unique<TokenAuthenticator>(tokens_file);
    std::filesystem::create_directories(context_.data_dir() + "/pki");
    std::string key_file = config.has("service_account_key_file") ? config.get_string("service_account_key_file")
                                                                  : context_.data_dir() + "/pki/service-account.key";

    HttpServerOptions http;
    http.host = host;
    http.port = port;
    http.max_body = static_cast<std::size_t>(*max_body);
    std::string ca_pem;
    if (config.get_bool("tls")) {
      if (config.has("tls_cert_file")) {
        http.tls_cert_file = config.get_string("tls_cert_file");
        http.tls_key_file = config.get_string("tls_key_file");
        ca_pem = read_file(http.tls_cert_file);  // pods trust what the apiserver presents
      } else {
        // In-cluster clients check the certificate against the `kubernetes` Service's address and names.
        std::vector<std::string> ips = {"127.0.0.1", IpAllocator(config.get_string("service_cidr")).first_address()};
        for (const auto& own : {host, advertised})
          if (own != "0.0.0.0" && std::find(ips.begin(), ips.end(), own) == ips.end()) ips.push_back(own);
        std::vector<std::string> names = {"localhost", "skiff-apiserver", context_.node().node, "kubernetes",
                                          "kubernetes.default", "kubernetes.default.svc",
                                          "kubernetes.default.svc.cluster.local"};
        for (const auto& san : config.get_list("extra_sans"))
          (is_ip(san) ? ips : names).push_back(san);
        TlsFiles files = ensure_certificates({context_.data_dir() + "/pki", "apiserver", "skiff-ca", names, ips});
        http.tls_cert_file = files.server_cert;
        http.tls_key_file = files.server_key;
        ca_pem = read_file(files.ca_cert);
      }
    }

    store_ = std::make_unique<StoreClient>(context_.bus(), context_.subjects());
    cluster_ips_ = std::make_unique<IpAllocator>(config.get_string("service_cidr"));
    node_ports_ = std::make_unique<PortAllocator>(std::stoi(range.substr(0, dash)), std::stoi(range.substr(dash + 1)));
    api_ = std::make_unique<ApiCore>(*store_, *cluster_ips_, *node_ports_, context_.log());
    api_->set_default_toleration_seconds(config.get_int("default_toleration_seconds"));
    api_->bootstrap();
    api_->on_namespace_terminating([this] {
      std::lock_guard lock(mutex_);
      wake_pending_ = true;
      wake_.notify_all();
    });
    ServiceAccountTokenOptions token_options;
    token_options.issuer = config.get_string("service_account_issuer");
    service_account_tokens_ =
        std::make_unique<ServiceAccountTokens>(*api_, JwtSigner::load_or_create(key_file), token_options);
    authenticators_ = std::make_unique<AuthenticatorChain>(
        std::vector<const BearerAuthenticator*>{tokens_.get(), service_account_tokens_.get()});
    watches_ = std::make_unique<WatchFanout>(
        context_.bus(), context_.subjects(), *store_, *api_,
        &context_.metrics().gauge("skiff_apiserver_watches", "watches open over HTTP"));

    RestOptions rest;
    rest.version.git_version = config.get_string("kubernetes_version");
    rest.bookmark_interval = config.get_duration("bookmark_interval");
    rest_ = std::make_unique<RestApi>(*api_, *watches_, authenticators_.get(), service_account_tokens_.get(), context_.bus(), context_.subjects(), context_.metrics(), rest,
                                      context_.log());
    crds_ = std::make_unique<CrdController>(*api_, *watches_, custom_registry_, context_.log());
    custom_ = std::make_unique<CustomResources>(*api_, *watches_, custom_registry_, [this] { crds_->refresh(); });
    custom_->set_watch_options({rest.bookmark_interval, rest.max_watch});
    rest_->set_custom_resources(custom_.get());
    api_->set_extra_namespaced_types([this] {
      std::vector<ResourceType> types;
      for (const auto& crd : custom_registry_.all())
        if (crd->namespaced) types.push_back(crd->type);
      return types;
    });
    // The OpenAPI documents follow the served CRDs (rebuilt only when their schemas change).
    custom_registry_.on_replace([this](const std::vector<ServedCustomResourcePtr>& served) {
      OpenApiModel model = openapi_model_of_crds(served);
      std::string signature = boost::json::serialize(model.definitions);
      std::lock_guard lock(openapi_mutex_);
      if (signature == openapi_signature_) return;
      openapi_signature_ = signature;
      rest_->openapi().set_extra(std::move(model));
    });
    crds_->start();
    // RBAC: the default roles first, then the authorizer's snapshot, before the first request.
    ensure_default_rbac(*api_, context_.log());
    authorizer_ = std::make_unique<RbacAuthorizer>();
    rbac_cache_ = std::make_unique<RbacCache>(context_.bus(), context_.subjects(), *api_, *authorizer_, context_.log());
    rbac_cache_->start();
    rest_->set_authorizer(authorizer_.get());
    http.on_complete = [&metrics = context_.metrics()](const HttpRequest& request, unsigned status,
                                                       std::chrono::steady_clock::duration elapsed) {
      record_request(metrics, request, status, elapsed);
    };
    server_ = std::make_unique<HttpServer>(http, [this](const HttpRequest& req, HttpResponder& res) { rest_->handle(req, res); },
                                           context_.log());
    server_->start();
    std::string advertise = config.has("advertise_host") ? config.get_string("advertise_host")
                            : host == "0.0.0.0"           ? "127.0.0.1"
                                                          : host;
    std::string url = std::string(http.tls_cert_file.empty() ? "http" : "https") + "://" + advertise + ":" +
                      std::to_string(server_->port());
    rest_->set_server_address(advertise + ":" + std::to_string(server_->port()));
    kubernetes_service_ = std::make_unique<KubernetesService>(
        *api_, KubernetesServiceOptions{cluster_ips_->first_address(), advertised, server_->port()},
        context_.log());
    apiserver_leases_ = std::make_unique<ApiserverLeases>(*api_, ApiserverLeaseOptions{context_.node().node, advertised});
    kubernetes_service_loop_ = std::make_unique<KubernetesServiceLoop>(
        context_.bus(), context_.subjects(), *kubernetes_service_, context_.log(), apiserver_leases_.get());
    kubernetes_service_loop_->start();
    namespace_defaults_ = std::make_unique<NamespaceDefaults>(*api_, ca_pem);
    namespace_defaults_loop_ =
        std::make_unique<NamespaceDefaultsLoop>(context_.bus(), context_.subjects(), *namespace_defaults_, context_.log());
    namespace_defaults_loop_->start();
    bus_api_ = std::make_unique<BusApi>(context_.bus(), context_.subjects(), *api_, static_cast<int>(config.get_int("bus_workers")),
                                        service_account_tokens_.get());
    token_reviews_ = std::make_unique<TokenReviewService>(context_.bus(), context_.subjects(), *authenticators_);
    finalizer_ = std::thread([this] { finalize_namespaces(); });

    kubeconfig_path_ = config.has("kubeconfig") ? config.get_string("kubeconfig") : context_.node_data_dir() + "/kubeconfig";
    write_kubeconfig(kubeconfig_path_, {url, ca_pem, tokens_->admin_token()});
    url_ = url;
    context_.log().info("serving the Kubernetes API on {}; kubeconfig: {}", url, kubeconfig_path_);
  }

  void stop() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (finalizer_.joinable()) finalizer_.join();
    kubernetes_service_loop_.reset();  // removes this apiserver from the endpoints (other masters live on)
    apiserver_leases_.reset();
    namespace_defaults_loop_.reset();
    kubernetes_service_.reset();
    if (bus_api_) bus_api_->stop();
    token_reviews_.reset();
    if (server_) server_->stop();
    server_.reset();
    rest_.reset();
    if (crds_) crds_->stop();
    crds_.reset();
    custom_.reset();
    rbac_cache_.reset();
    watches_.reset();
    bus_api_.reset();
  }

  Health health() override {
    if (!server_) return Health::failing("not serving");
    return Health::ok("serving " + url_);
  }

 private:
  // Namespaces being deleted are emptied, then removed (Kubernetes' namespace lifecycle).
  void finalize_namespaces() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      int busy = 0;
      try {
        busy = api_->finalize_namespaces();
      } catch (const std::exception& e) {
        context_.log().warn("namespace cleanup: {}", e.what());
      }
      lock.lock();
      // Polls too: a namespace's contents may still be going away (pods in their grace period).
      wake_.wait_for(lock, busy > 0 ? std::chrono::milliseconds(500) : std::chrono::milliseconds(2000),
                     [&] { return stopping_ || wake_pending_; });
      wake_pending_ = false;
    }
  }

  Context& context_;
  std::unique_ptr<TokenAuthenticator> tokens_;
  std::unique_ptr<ServiceAccountTokens> service_account_tokens_;
  std::unique_ptr<AuthenticatorChain> authenticators_;
  std::unique_ptr<StoreClient> store_;
  std::unique_ptr<IpAllocator> cluster_ips_;
  std::unique_ptr<PortAllocator> node_ports_;
  std::unique_ptr<ApiCore> api_;
  std::unique_ptr<WatchFanout> watches_;
  CustomResourceRegistry custom_registry_;
  std::mutex openapi_mutex_;  // the CRD schemas last published in OpenAPI
  std::string openapi_signature_;
  std::unique_ptr<CrdController> crds_;
  std::unique_ptr<CustomResources> custom_;
  std::unique_ptr<RbacAuthorizer> authorizer_;
  std::unique_ptr<RbacCache> rbac_cache_;
  std::unique_ptr<RestApi> rest_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<BusApi> bus_api_;
  std::unique_ptr<TokenReviewService> token_reviews_;
  std::unique_ptr<KubernetesService> kubernetes_service_;
  std::unique_ptr<ApiserverLeases> apiserver_leases_;
  std::unique_ptr<KubernetesServiceLoop> kubernetes_service_loop_;
  std::unique_ptr<NamespaceDefaults> namespace_defaults_;
  std::unique_ptr<NamespaceDefaultsLoop> namespace_defaults_loop_;
  std::thread finalizer_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool wake_pending_ = false;
  std::string kubeconfig_path_;
  std::string url_;
};

}  // namespace
}  // namespace skiff::apiserver

SKIFF_PLUGIN(skiff::apiserver::ApiServerPlugin)
