// What the plugin keeps on disk of each sandbox and container, so that everything survives a
// restart of skiffd (and a kill -9): the static part as written at creation, and the state
// derived each time from files the monitor and runc leave — the exit record, the pid files, the
// start mark — and from whether the container's process and its monitor still live.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "exit_record.hpp"
#include "skiff/runtime/v1/runtime.pb.h"

namespace skiff::runc {

// A container's dir: status.pb (the static fields), meta (log path, layers), config.json,
// rootfs/upper/work, started, exit, container.pid, monitor.pid.
struct ContainerFiles {
  std::string dir;

  std::string status_file() const { return dir + "/status.pb"; }
  std::string started_file() const { return dir + "/started"; }
  std::string exit_file() const { return dir + "/exit"; }
  std::string log_path_file() const { return dir + "/log-path"; }
  std::string layers_file() const { return dir + "/layers"; }
  std::string container_pid_file() const { return dir + "/container.pid"; }
  std::string monitor_pid_file() const { return dir + "/monitor.pid"; }
};

std::string read_small_file(const std::string& path);
// Written beside and renamed: a crash leaves the old content or the new.
void write_small_file(const std::string& path, const std::string& text);
void save_message(const std::string& path, const google::protobuf::Message& message);
// False when the file is missing or does not parse.
bool load_message(const std::string& path, google::protobuf::Message& message);

// A new sandbox or container id: 32 random hex digits.
std::string new_runtime_id();
// True when `have` holds every pair of `want`.
bool labels_match(const google::protobuf::Map<std::string, std::string>& have,
                  const google::protobuf::Map<std::string, std::string>& want);

// True while process `pid` exists and is not a zombie.
bool process_alive(int pid);

// The container's status: the static fields with state, times, exit code and reason filled in.
// Exited when the monitor recorded an exit; running while its process or its monitor lives
// (the monitor records the exit right after); created before start; exited with 255 and reason
// "Unknown" when both are gone without a record (the monitor was killed).
runtime::v1::ContainerStatus derive_container_status(const ContainerFiles& files, runtime::v1::ContainerStatus status);

}  // namespace skiff::runc
