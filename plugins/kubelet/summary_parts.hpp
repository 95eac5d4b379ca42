// The Summary's pieces from raw readings: a container's, a pod's (its containers summed) and
// the node's figures, and a network's default interface (eth0) inline as the kubelet's JSON has it.
#pragma once

#include <google/protobuf/repeated_field.h>

#include "node_usage.hpp"
#include "runtime_readings.hpp"
#include "skiff/api/stats/v1alpha1/stats.pb.h"

namespace skiff::kubelet {

namespace stats = api::stats::v1alpha1;

stats::ContainerStats container_stats(const ContainerReading& reading, std::uint64_t nano_cores);

// CPU time, memory and ephemeral storage of a pod as the sum of its containers' (its CPU rate
// is the caller's: the pod's own counter over time).
void sum_containers(stats::PodStats& pod, const std::string& time);

stats::NetworkStats network_stats(const google::protobuf::RepeatedPtrField<runtime::v1::InterfaceStats>& interfaces,
                                  const std::string& time);

// Node CPU (nano_cores computed by the caller), memory (working set = MemTotal − MemFree −
// Inactive(file), the root cgroup's usage − total_inactive_file that cAdvisor reports, read
// from /proc/meminfo), network, and the filesystem of the kubelet's data dir.
stats::NodeStats node_stats(const std::string& node, const NodeUsage& usage, const std::string& time,
                            std::uint64_t nano_cores);

}  // namespace skiff::kubelet
