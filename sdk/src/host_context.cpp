// Builds a plugin's Context: logger bridged to the kernel, own bus connection, lazy executor.
#include "host_context.hpp"

#include <cstddef>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include "skiff/sdk/bus_options.hpp"
#include "skiff/sdk/node_identity.hpp"

namespace skiff::sdk::detail {
namespace {

// Hands each record to the kernel through the C callback; the kernel formats it.
class HostLogSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
 public:
  HostLogSink(void* context, void (*log)(void*, int32_t, const char*, size_t)) : context_(context), log_(log) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    if (log_) log_(context_, static_cast<int32_t>(msg.level), msg.payload.data(), msg.payload.size());
  }
  void flush_() override {}

 private:
  void* context_;
  void (*log_)(void*, int32_t, const char*, size_t);
};

std::string text(const char* value) { return value ? value : ""; }

// Only from a kernel whose skiff_host has the field (an older one's struct is shorter).
std::map<std::string, std::string> node_labels(const skiff_host& host) {
  std::map<std::string, std::string> labels;
  if (host.struct_size < offsetof(skiff_host, node_labels) + sizeof(host.node_labels) || !host.node_labels) return labels;
  std::string all = host.node_labels;
  std::size_t at = 0;
  while (at < all.size()) {
    auto end = all.find('\n', at);
    if (end == std::string::npos) end = all.size();
    std::string line = all.substr(at, end - at);
    auto eq = line.find('=');
    if (eq != std::string::npos) labels[line.substr(0, eq)] = line.substr(eq + 1);
    at = end + 1;
  }
  return labels;
}
std::string text(const char* value, size_t size) { return value ? std::string(value, size) : ""; }

}  // namespace

std::shared_ptr<spdlog::logger> host_logger(const skiff_host& host, const std::string& name) {
  auto logger = std::make_shared<spdlog::logger>(name, std::make_shared<HostLogSink>(host.log_context, host.log));
  logger->set_level(static_cast<spdlog::level::level_enum>(host.log_level));
  return logger;
}

struct HostContext::Executor {
  boost::asio::io_context io{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work = boost::asio::make_work_guard(io);
  std::thread thread;
};

HostContext::HostContext(const skiff_host& host)
    : name_(text(host.instance_name)),
      node_{text(host.cluster_name), text(host.node_name), node_labels(host)},
      subjects_(node_.cluster, node_.node),
      data_dir_(text(host.data_dir)),
      node_data_dir_(text(host.node_data_dir)),
      config_(text(host.config_yaml, host.config_size)),
      api_version_(host.api_version) {
  logger_ = host_logger(host, name_);
  BusOptions options = BusOptions::from_yaml(text(host.bus_yaml, host.bus_size));
  if (options.connection_name.empty()) options.connection_name = node_.node + "/" + name_;
  // A node's own bus user reaches the API only through its node-scoped subject.
  if (auto node = node_of_bus_user(options.user)) {
    if (*node != node_.node)
      throw Error(Status::BadRequest("bus.user '" + options.user + "' is node " + *node + "'s, but this node is " +
                                     node_.node + "; use the credentials `skiffd node-credentials " + node_.node +
                                     "` printed"));
    subjects_.scope_api_to_node();
  }
  bus_ = connect_bus(options, [logger = logger_](std::string_view warning) { logger->warn("{}", warning); });
}

HostContext::~HostContext() {
  stop_executor();
  metrics_subscription_.cancel();
}

boost::asio::io_context& HostContext::executor() {
  std::lock_guard lock(executor_mutex_);
  if (!executor_) {
    executor_ = std::make_unique<Executor>();
    executor_->thread = std::thread([this, io = &executor_->io] {
      try {
        io->run();
      } catch (const std::exception& e) {
        // A handler that throws would otherwise end the thread silently and stall the plugin.
        logger_->critical("unhandled exception on the executor: {}", e.what());
        std::terminate();
      }
    });
  }
  return executor_->io;
}

void HostContext::stop_executor() {
  std::unique_ptr<Executor> executor;
  {
    std::lock_guard lock(executor_mutex_);
    executor = std::move(executor_);
  }
  if (!executor) return;
  executor->work.reset();
  executor->io.stop();
  if (executor->thread.joinable()) executor->thread.join();
}

Metrics& HostContext::metrics() {
  std::call_once(metrics_served_, [this] {
    metrics_subscription_ = bus_->serve(subjects_.plugin_metrics(name_), "", [this](Request request) {
      request.reply(metrics_.prometheus_text());
    });
  });
  return metrics_;
}

}  // namespace skiff::sdk::detail
