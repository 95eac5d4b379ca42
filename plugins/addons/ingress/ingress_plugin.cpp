// ingress: the cluster's HTTP(S) entrance on every node — Ingresses of the class `skiff` served
// by an in-memory reverse proxy whose routes are swapped live as the cluster changes.
#include <spdlog/logger.h>

#include <memory>
#include <mutex>

#include "exported_metrics.hpp"
#include "ingress_controller.hpp"
#include "ingress_settings.hpp"
#include "skiff/sdk/plugin.hpp"

namespace skiff::ingress {
namespace {

using namespace skiff::sdk;

class IngressPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "ingress";
    m.kind = "addon";
    m.version = "0.1.0";
    m.description = "Ingress controller on every node: HTTP/HTTPS reverse proxy, routes changed in memory";
    m.config = config_table();
    return m;
  }

  explicit IngressPlugin(Context& context) : context_(context) {}

  void start() override {
    settings_ = read_settings(context_.config());
    metrics_ = std::make_unique<ExportedMetrics>(context_.metrics());
    access_log_ = std::make_unique<LoggedAccess>(context_.log());
    proxy_ = std::make_unique<ProxyServer>(proxy_config(settings_), settings_.access_log ? access_log_.get() : nullptr,
                                           metrics_.get());
    try {
      proxy_->start();
    } catch (const std::exception& e) {
      // The node stays up without its ingress (as the DNS addon without its address).
      std::lock_guard lock(mutex_);
      error_ = std::string(e.what()) + " (set the ingress addon's http_port, https_port or listen)";
      context_.log().error("Ingresses not served on this node: {}", error_);
      proxy_.reset();
      return;
    }
    auto controller = std::make_unique<IngressController>(context_.bus(), context_.subjects(), controller_options(),
                                                          *proxy_, context_.log());
    controller->start();
    {
      std::lock_guard lock(mutex_);
      controller_ = std::move(controller);
    }
    context_.log().info("listening on {} port {} (HTTP) and {} (HTTPS)", listen_text(), settings_.http_port,
                        settings_.https_port);
  }

  void stop() override {
    std::unique_ptr<IngressController> controller;
    {
      std::lock_guard lock(mutex_);
      controller = std::move(controller_);
    }
    if (controller) controller->stop();
    controller.reset();  // it uses the proxy
    if (proxy_) proxy_->stop();
    proxy_.reset();
  }

  Health health() override {
    std::lock_guard lock(mutex_);
    if (!error_.empty()) return Health::failing(error_);
    if (!controller_) return Health::failing("not started");
    if (!controller_->synced()) return Health::degraded("waiting for Ingresses, Services, EndpointSlices and Secrets");
    return Health::ok(controller_->state());
  }

 private:
  ControllerOptions controller_options() const {
    ControllerOptions options;
    options.node = context_.node().node;
    options.ingress_class = settings_.ingress_class;
    options.create_class = settings_.create_class;
    options.default_class = settings_.default_class;
    options.route_defaults = route_defaults(settings_);
    options.status_addresses = specific_listen_addresses(settings_);
    return options;
  }

  std::string listen_text() const {
    std::string text;
    for (const auto& address : settings_.listen) text += (text.empty() ? "" : ", ") + address;
    return text;
  }

  Context& context_;
  Settings settings_;
  std::unique_ptr<ExportedMetrics> metrics_;
  std::unique_ptr<LoggedAccess> access_log_;
  std::unique_ptr<ProxyServer> proxy_;
  std::unique_ptr<IngressController> controller_;
  std::mutex mutex_;
  std::string error_;
};

}  // namespace
}  // namespace skiff::ingress

SKIFF_PLUGIN(skiff::ingress::IngressPlugin)
