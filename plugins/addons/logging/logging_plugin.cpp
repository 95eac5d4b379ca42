// logging: cluster-level logs. Owns the JetStream stream the nodes' shippers publish every
// container's lines to (retention by age and bytes, replicated with the NATS cluster) and
// answers queries over it — by namespace, pod (deleted ones too), container, labels, node,
// time, text or regular expression, oldest or newest first, and live — on
// skiff.<c>.logging.query, which the apiserver serves as logging.skiff.io/v1 podlogs.
#include "log_query_service.hpp"
#include "log_stream_owner.hpp"
#include "logging_settings.hpp"
#include "skiff/sdk/jetstream.hpp"
#include "skiff/sdk/plugin.hpp"

namespace skiff::logging {
namespace {

using namespace skiff::sdk;

class LoggingPlugin final : public Plugin {
 public:
  static Manifest manifest() {
    Manifest m;
    m.name = "logging";
    m.kind = "addon";
    m.version = "0.1.0";
    m.description = "Cluster logs kept in a JetStream stream after pods and nodes are gone, queried as logging.skiff.io";
    m.config = config_table();
    return m;
  }

  explicit LoggingPlugin(Context& context) : context_(context) {}

  void start() override {
    settings_ = read_settings(context_.config());
    js_ = context_.bus().jetstream();
    owner_ = std::make_unique<LogStreamOwner>(*js_, context_.subjects(), settings_, context_.log());
    service_ = std::make_unique<LogQueryService>(context_.bus(), context_.subjects(), settings_, context_.log());
    service_->start();
    try {
      StreamState state = owner_->ensure();
      context_.log().info("log stream {} ({} replicas, at most {} bytes, {} h); serving {}",
                          context_.subjects().log_stream(), state.replicas, state.max_bytes,
                          state.max_age.count() / 3600, context_.subjects().logging("query"));
    } catch (const Error& e) {
      // The node keeps running; the health check creates the stream once JetStream answers.
      context_.log().error("cannot create the log stream {}: {}", context_.subjects().log_stream(), e.status().message);
    }
  }

  void stop() override {
    if (service_) service_->stop();
  }

  Health health() override {
    if (!owner_ || !service_) return Health::failing("not started");
    try {
      StreamState state = owner_->check();
      return Health::ok(std::to_string(state.messages) + " lines, " + std::to_string(state.bytes) + " bytes kept; " +
                        std::to_string(service_->follows_open()) + " live tails");
    } catch (const Error& e) {
      return Health::degraded("the log stream cannot be read: " + e.status().message);
    }
  }

 private:
  Context& context_;
  Settings settings_;
  std::unique_ptr<JetStream> js_;
  std::unique_ptr<LogStreamOwner> owner_;
  std::unique_ptr<LogQueryService> service_;
};

}  // namespace
}  // namespace skiff::logging

SKIFF_PLUGIN(skiff::logging::LoggingPlugin)
