// Cluster logging, the node's side (issue 21): every container of this node's pods, in every
// runtime the node uses, is followed (container_log_follower.hpp), its lines batched
// (log_batcher.hpp) and stored in the cluster's JetStream log stream (log_publisher.hpp) on
// skiff.<c>.logs.<ns>.<pod>.<pod uid>.<container>, with each container's position kept on disk
// (log_positions.hpp) and a disk buffer (log_disk_buffer.hpp) while the stream is away.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "container_log_follower.hpp"
#include "log_publisher.hpp"
#include "pod_feed.hpp"
#include "runtime_set.hpp"

namespace skiff::kubelet {

struct ShipperOptions {
  std::string cluster;
  std::string node;
  std::string state_dir;  // positions and the disk buffer: <data dir>/logs
  std::size_t max_line_bytes = 64 * 1024;
  std::size_t batch_lines = 500;
  std::chrono::milliseconds batch_interval{200};
  std::uint64_t buffer_bytes = 256ull << 20;
  std::chrono::milliseconds discover_period{1000};  // how often the runtimes' containers are listed
  std::chrono::milliseconds publish_timeout{5000};
};

class LogShipper {
 public:
  // `classes` and `pods` outlive the shipper.
  LogShipper(sdk::Bus& bus, const sdk::Subjects& subjects, const RuntimeClasses& classes, const PodFeed& pods,
             sdk::Metrics& metrics, ShipperOptions options, spdlog::logger& log);
  ~LogShipper();

  void start();
  // Stops following, ships what was read (a while, when the stream is away) and saves positions.
  void stop();
  logging::v1::ShipperStats stats() const;
  // Before the kubelet removes a container: its log read to the end (a container that came and
  // went between two listings gets its follower now), waiting at most `timeout`.
  void drain_container(const sdk::RuntimeClient& runtime, const std::string& container_id,
                       std::chrono::milliseconds timeout = std::chrono::seconds(2));

 private:
  void discover_loop();
  void discover();
  void follow(const sdk::RuntimeClient& runtime, const runtime::v1::ContainerStatus& container);
  void forget_finished(const std::set<std::string>& listed);
  void publish_loop();
  logging::v1::LogLine metadata_of(const runtime::v1::ContainerStatus& container) const;

  sdk::Bus& bus_;
  const sdk::Subjects& subjects_;
  const PodFeed& pods_;
  ShipperOptions options_;
  spdlog::logger& log_;
  RuntimeSet runtimes_;
  ShipperCounters counters_;
  std::unique_ptr<sdk::JetStream> stream_;
  LogPositions positions_;
  LogDiskBuffer buffer_;
  LogBatcher batcher_;
  std::unique_ptr<LogPublisher> publisher_;
  std::mutex mutex_;  // guards followers_ and finished_
  std::map<std::string, std::unique_ptr<ContainerLogFollower>> followers_;  // by container id
  std::set<std::string> finished_;  // read to their end; forgotten once the runtime has them no more
  std::atomic<bool> stopping_{false};
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  std::thread discoverer_, publisher_thread_;
};

}  // namespace skiff::kubelet
