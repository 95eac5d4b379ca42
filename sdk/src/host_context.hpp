// The Context a plugin gets when the kernel creates it, built from the C host struct.
#pragma once

#include <memory>
#include <mutex>
#include <thread>

#include "skiff/abi/plugin_abi.h"
#include "skiff/sdk/context.hpp"

namespace skiff::sdk::detail {

// A logger whose records go to the kernel through the host's log callback, at its level.
std::shared_ptr<spdlog::logger> host_logger(const skiff_host& host, const std::string& name);

class HostContext final : public Context {
 public:
  // Connects the plugin's bus; throws Error naming what is wrong.
  explicit HostContext(const skiff_host& host);
  ~HostContext() override;

  const std::string& name() const override { return name_; }
  const NodeIdentity& node() const override { return node_; }
  const Subjects& subjects() const override { return subjects_; }
  const std::string& data_dir() const override { return data_dir_; }
  const std::string& node_data_dir() const override { return node_data_dir_; }
  const Config& config() const override { return config_; }
  std::uint32_t api_version() const override { return api_version_; }
  spdlog::logger& log() const override { return *logger_; }
  Bus& bus() override { return *bus_; }
  boost::asio::io_context& executor() override;
  Metrics& metrics() override;

  // Stops and joins the executor thread: after this no plugin code runs on it.
  void stop_executor();

 private:
  std::string name_;
  NodeIdentity node_;
  Subjects subjects_;
  std::string data_dir_;
  std::string node_data_dir_;
  Config config_;
  std::uint32_t api_version_;
  std::shared_ptr<spdlog::logger> logger_;
  BusPtr bus_;

  struct Executor;
  std::mutex executor_mutex_;
  std::unique_ptr<Executor> executor_;

  std::once_flag metrics_served_;
  Metrics metrics_;
  Subscription metrics_subscription_;
};

}  // namespace skiff::sdk::detail
