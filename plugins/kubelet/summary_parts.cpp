// Builds the Summary's messages from runtime and /proc readings.
#include "summary_parts.hpp"

#include "skiff/sdk/time.hpp"

namespace skiff::kubelet {

namespace {

stats::CPUStats cpu(const std::string& time, std::uint64_t cumulative, std::uint64_t nano_cores) {
  stats::CPUStats out;
  out.set_time(time);
  out.set_usage_core_nano_seconds(cumulative);
  out.set_usage_nano_cores(nano_cores);
  return out;
}

}  // namespace

stats::ContainerStats container_stats(const ContainerReading& reading, std::uint64_t nano_cores) {
  const auto& s = reading.stats;
  stats::ContainerStats out;
  out.set_name(reading.name);
  out.set_start_time(reading.started_at);
  *out.mutable_cpu() = cpu(s.timestamp(), s.cpu_usage_nanos(), nano_cores);
  auto* memory = out.mutable_memory();
  memory->set_time(s.timestamp());
  memory->set_usage_bytes(s.memory_usage_bytes());
  memory->set_working_set_bytes(s.memory_working_set_bytes());
  memory->set_rss_bytes(s.memory_rss_bytes());
  memory->set_page_faults(s.page_faults());
  memory->set_major_page_faults(s.major_page_faults());
  if (s.memory_limit_bytes() > 0)
    memory->set_available_bytes(s.memory_limit_bytes() > s.memory_working_set_bytes()
                                    ? s.memory_limit_bytes() - s.memory_working_set_bytes()
                                    : 0);
  auto* rootfs = out.mutable_rootfs();
  rootfs->set_time(s.timestamp());
  rootfs->set_used_bytes(s.rootfs_used_bytes());
  rootfs->set_inodes_used(s.rootfs_inodes_used());
  return out;
}

void sum_containers(stats::PodStats& pod, const std::string& time) {
  auto* cpu_sum = pod.mutable_cpu();
  auto* memory = pod.mutable_memory();
  auto* storage = pod.mutable_ephemeral_storage();
  cpu_sum->set_time(time);
  memory->set_time(time);
  storage->set_time(time);
  std::uint64_t used = 0, inodes = 0;
  for (const auto& c : pod.containers()) {
    cpu_sum->set_usage_core_nano_seconds(cpu_sum->usage_core_nano_seconds() + c.cpu().usage_core_nano_seconds());
    memory->set_usage_bytes(memory->usage_bytes() + c.memory().usage_bytes());
    memory->set_working_set_bytes(memory->working_set_bytes() + c.memory().working_set_bytes());
    memory->set_rss_bytes(memory->rss_bytes() + c.memory().rss_bytes());
    memory->set_page_faults(memory->page_faults() + c.memory().page_faults());
    memory->set_major_page_faults(memory->major_page_faults() + c.memory().major_page_faults());
    used += c.rootfs().used_bytes();
    inodes += c.rootfs().inodes_used();
  }
  storage->set_used_bytes(used);
  storage->set_inodes_used(inodes);
}

stats::NetworkStats network_stats(const google::protobuf::RepeatedPtrField<runtime::v1::InterfaceStats>& interfaces,
                                  const std::string& time) {
  stats::NetworkStats out;
  out.set_time(time);
  for (const auto& i : interfaces) {
    auto* each = out.add_interfaces();
    each->set_name(i.name());
    each->set_rx_bytes(i.rx_bytes());
    each->set_rx_errors(i.rx_errors());
    each->set_tx_bytes(i.tx_bytes());
    each->set_tx_errors(i.tx_errors());
    // The default interface inline: eth0 when there is one, else the first.
    if (i.name() == "eth0" || out.name().empty()) {
      out.set_name(i.name());
      out.set_rx_bytes(i.rx_bytes());
      out.set_rx_errors(i.rx_errors());
      out.set_tx_bytes(i.tx_bytes());
      out.set_tx_errors(i.tx_errors());
    }
  }
  return out;
}

stats::NodeStats node_stats(const std::string& node, const NodeUsage& usage, const std::string& time,
                            std::uint64_t nano_cores) {
  stats::NodeStats out;
  out.set_node_name(node);
  if (usage.boot_time > 0)
    out.set_start_time(sdk::format_rfc3339(sdk::WallClock::time_point(std::chrono::seconds(usage.boot_time))));
  *out.mutable_cpu() = cpu(time, usage.cpu_nanos, nano_cores);
  auto* memory = out.mutable_memory();
  const auto& m = usage.memory;
  std::uint64_t used = m.total > m.free ? m.total - m.free : 0;
  memory->set_time(time);
  memory->set_available_bytes(m.available);
  memory->set_usage_bytes(used);
  memory->set_working_set_bytes(used > m.inactive_file ? used - m.inactive_file : 0);
  google::protobuf::RepeatedPtrField<runtime::v1::InterfaceStats> interfaces(usage.interfaces.begin(), usage.interfaces.end());
  *out.mutable_network() = network_stats(interfaces, time);
  if (usage.fs) {
    auto* fs = out.mutable_fs();
    fs->set_time(time);
    fs->set_capacity_bytes(usage.fs->capacity);
    fs->set_available_bytes(usage.fs->available);
    fs->set_used_bytes(usage.fs->used);
    fs->set_inodes(usage.fs->inodes);
    fs->set_inodes_free(usage.fs->inodes_free);
    fs->set_inodes_used(usage.fs->inodes - usage.fs->inodes_free);
  }
  return out;
}

}  // namespace skiff::kubelet
