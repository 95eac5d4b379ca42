// Everything a plugin may use, handed to its constructor: no globals.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/config.hpp"
#include "skiff/sdk/metrics.hpp"
#include "skiff/sdk/subjects.hpp"

namespace spdlog {
class logger;
}
namespace boost::asio {
class io_context;
}

namespace skiff::sdk {

struct NodeIdentity {
  std::string cluster;
  std::string node;
  std::map<std::string, std::string> labels;  // the profile's, and node-role.kubernetes.io/<role>
};

class Context {
 public:
  virtual ~Context() = default;

  // This plugin instance's name in the profile (a plugin may be loaded under several names).
  virtual const std::string& name() const = 0;
  virtual const NodeIdentity& node() const = 0;
  virtual const Subjects& subjects() const = 0;
  // The plugin's own state directory, created by the kernel.
  virtual const std::string& data_dir() const = 0;
  // The node's data dir, for files shared with users and tools (the admin kubeconfig).
  virtual const std::string& node_data_dir() const = 0;
  // The validated config block: every declared key present, defaults applied.
  virtual const Config& config() const = 0;
  // The SDK API version the kernel negotiated with this plugin.
  virtual std::uint32_t api_version() const = 0;
  // Lines carry the plugin's name; the level comes from the profile.
  virtual spdlog::logger& log() const = 0;
  // This plugin's own bus connection.
  virtual Bus& bus() = 0;
  // An io_context run by one thread of the plugin's own, started on first use and stopped
  // after the plugin's stop().
  virtual boost::asio::io_context& executor() = 0;
  virtual Metrics& metrics() = 0;
};

}  // namespace skiff::sdk
