// RuncRuntime's containers, images, streams and the restart path.
#include "runc_runtime.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "container_record.hpp"
#include "exec_session.hpp"
#include "cri_log.hpp"
#include "log_file_reader.hpp"
#include "oci_spec.hpp"
#include "overlay_rootfs.hpp"
#include "cgroup_stats.hpp"
#include "skiff/sdk/runtime/labels.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::runc {

namespace fs = std::filesystem;
namespace rt = runtime::v1;
using sdk::Error;
using sdk::Status;
using namespace std::chrono_literals;

namespace {

// How long a stop waits after SIGKILL for the monitor's exit record.
constexpr auto kKillWait = 10s;
constexpr auto kCreateTimeout = 60s;

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (!line.empty()) out.push_back(line);
  return out;
}

}  // namespace

RuncRuntime::RuncRuntime(RuncCli& runc, ImageStore& store, ImageService& images, runtime_common::PodNetwork& network,
                         RuncRuntimeOptions options)
    : runc_(runc), store_(store), images_(images), network_(network), options_(std::move(options)) {
  for (const char* dir : {"/sandboxes", "/containers", "/logs"}) fs::create_directories(options_.data_dir + dir);
  runc_version_ = runc_.version();
}

rt::VersionResponse RuncRuntime::version() {
  rt::VersionResponse v;
  v.set_runtime_name("runc");
  v.set_runtime_version(runc_version_);
  v.set_api_version("v1");
  return v;
}

rt::StatusResponse RuncRuntime::status() {
  rt::StatusResponse s;
  bool runc_there = fs::exists(runc_.binary());
  s.set_ready(runc_there);
  s.set_message(runc_there ? "runc " + runc_version_ + "; pod network from " + options_.network_source
                           : runc_.binary() + " is missing (apt-get install runc)");
  return s;
}

rt::ImageResponse RuncRuntime::image(const rt::ImageRequest& request) {
  return images_.ensure(request.image(), request.pull_policy());
}

std::vector<std::string> RuncRuntime::ids_in(const std::string& dir) const {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec))
    if (entry.is_directory(ec)) ids.push_back(entry.path().filename().string());
  return ids;
}

rt::ContainerStatus RuncRuntime::load_container(const std::string& id) const {
  rt::ContainerStatus status;
  if (id.empty() || id.find('/') != std::string::npos ||
      !load_message(ContainerFiles{container_dir(id)}.status_file(), status))
    throw Error(Status::NotFound("no container " + id + " on this runtime"));
  return status;
}

std::string RuncRuntime::log_path_for(const rt::CreateContainerRequest& request) const {
  const auto& pod = request.sandbox_config();
  return options_.data_dir + "/logs/" + pod.namespace_() + "_" + pod.pod_name() + "_" + pod.pod_uid() + "/" +
         request.config().name() + "/" + std::to_string(request.config().attempt()) + ".log";
}

std::string RuncRuntime::make_bundle(const std::string& id, const rt::CreateContainerRequest& request,
                                     const ImageRecord& image, const rt::Sandbox& sandbox) {
  std::string dir = container_dir(id);
  std::vector<std::string> layers;
  for (const auto& digest : image.layers) layers.push_back(store_.layer_path(digest));
  mount_overlay_rootfs(dir, layers);
  ContainerSpecInputs inputs{&request.config(), &image.config, sandbox_namespaces(sandbox),
                             sandbox.config().hostname(), dir + "/rootfs", options_.cgroup_parent + "/" + id,
                             options_.init};
  if (sandbox.config().host_network()) inputs.hostname.clear();
  inputs.host_pid = sandbox.config().host_pid();
  inputs.host_ipc = sandbox.config().host_ipc();
  write_small_file(dir + "/config.json", container_spec(inputs));
  std::string layer_list;
  for (const auto& digest : image.layers) layer_list += digest + "\n";
  write_small_file(ContainerFiles{dir}.layers_file(), layer_list);
  return dir;
}

rt::CreateContainerResponse RuncRuntime::create_container(const rt::CreateContainerRequest& request) {
  if (!request.config().target_container_id().empty())
    throw Error(Status{501, "NotImplemented",
                       "runtime-runc cannot start a container in another container's PID namespace "
                       "(an ephemeral container's targetContainerName): debug without --target, or use the "
                       "docker or containerd runtime"});
  rt::Sandbox sandbox = load_sandbox(request.sandbox_id());
  if (sandbox.state() != "READY")
    throw Error(Status::Conflict("sandbox " + request.sandbox_id() + " is stopped: no new containers in it"));
  auto image = images_.find(request.config().image());
  if (!image)
    throw Error(Status{404, "ErrImagePull", "image \"" + request.config().image() + "\" is not present on runc"});
  std::string id = new_runtime_id();
  ContainerFiles files{container_dir(id)};
  fs::create_directories(files.dir);
  try {
    make_bundle(id, request, *image, sandbox);
    std::string log_path = log_path_for(request);
    fs::create_directories(fs::path(log_path).parent_path());
    write_small_file(files.log_path_file(), log_path);
    rt::ContainerStatus status;
    status.set_id(id);
    status.set_name(request.config().name());
    status.set_image(request.config().image());
    status.set_image_ref(image->id);
    status.set_created_at(sdk::now_rfc3339());
    status.set_sandbox_id(request.sandbox_id());
    for (const auto& [key, value] : sdk::container_labels(request)) (*status.mutable_labels())[key] = value;
    runc_.create_with_monitor({options_.monitor, files.dir, id, log_path, options_.log_max_bytes,
                               options_.log_max_files, "/sys/fs/cgroup/memory" + options_.cgroup_parent + "/" + id},
                              kCreateTimeout);
    save_message(files.status_file(), status);  // only now is it listed: never seen half-made
  } catch (...) {
    try {
      runc_.run({"delete", "--force", id});
    } catch (const Error&) {
    }
    unmount_overlay_rootfs(files.dir);
    std::error_code ec;
    fs::remove_all(files.dir, ec);
    throw;
  }
  rt::CreateContainerResponse response;
  response.set_container_id(id);
  return response;
}

void RuncRuntime::start_container(const std::string& container_id) {
  auto status = container_status(container_id);
  if (status.state() != "CREATED")
    throw Error(Status::Conflict("container " + container_id + " is " + status.state() + ", not CREATED"));
  ContainerFiles files{container_dir(container_id)};
  write_small_file(files.started_file(), sdk::format_rfc3339(sdk::WallClock::now()));
  try {
    runc_.run({"start", container_id});
  } catch (...) {
    fs::remove(files.started_file());
    throw;
  }
}

bool RuncRuntime::wait_for_exit(const std::string& id, std::chrono::milliseconds timeout) const {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (container_status_state(id) != "EXITED") {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

void RuncRuntime::stop_container(const std::string& container_id, std::int64_t timeout_seconds) {
  auto state = container_status(container_id).state();
  if (state == "EXITED") return;
  auto kill = [&](const char* signal) {
    try {
      runc_.run({"kill", container_id, signal});
    } catch (const Error&) {
      // it ended meanwhile: the exit record tells
    }
  };
  if (timeout_seconds > 0 && state == "RUNNING") {
    kill("TERM");
    if (wait_for_exit(container_id, std::chrono::seconds(timeout_seconds))) return;
  }
  kill("KILL");
  if (!wait_for_exit(container_id, kKillWait))
    throw Error(Status::Internal("container " + container_id + " did not end after SIGKILL"));
}

void RuncRuntime::remove_container(const std::string& container_id) {
  rt::ContainerStatus status;
  try {
    status = container_status(container_id);
  } catch (const Error&) {
    return;  // removed already
  }
  if (status.state() != "EXITED") stop_container(container_id, 0);
  try {
    runc_.run({"delete", "--force", container_id});
  } catch (const Error& e) {
    if (e.status().code != 404) throw;
  }
  ContainerFiles files{container_dir(container_id)};
  std::string log_path = read_small_file(files.log_path_file());
  unmount_overlay_rootfs(files.dir);
  fs::remove_all(files.dir);
  std::error_code ec;
  if (!log_path.empty()) fs::remove(log_path, ec);
}

std::string RuncRuntime::container_status_state(const std::string& id) const {
  return derive_container_status(ContainerFiles{container_dir(id)}, load_container(id)).state();
}

rt::ContainerStatus RuncRuntime::container_status(const std::string& container_id) {
  return derive_container_status(ContainerFiles{container_dir(container_id)}, load_container(container_id));
}

rt::ListContainersResponse RuncRuntime::list_containers(const rt::ListContainersRequest& request) {
  rt::ListContainersResponse response;
  for (const auto& id : ids_in(options_.data_dir + "/containers")) {
    rt::ContainerStatus status;
    if (!load_message(ContainerFiles{container_dir(id)}.status_file(), status)) continue;  // being made or removed
    if (!request.sandbox_id().empty() && status.sandbox_id() != request.sandbox_id()) continue;
    if (!labels_match(status.labels(), request.labels())) continue;
    *response.add_containers() = derive_container_status(ContainerFiles{container_dir(id)}, std::move(status));
  }
  return response;
}

// The cgroup runc made from the spec's cgroupsPath; the writable layer is the overlay's upper dir
// (walked at most every 30 s).
rt::StatsResponse RuncRuntime::stats(const std::string& container_id) {
  load_container(container_id);
  using namespace runtime_common;
  static const CgroupVersion version = cgroup_version();
  auto stats = read_cgroup_stats(cgroup_dirs(options_.cgroup_parent + "/" + container_id, version));
  auto layer = layer_usage_.measure(container_dir(container_id) + "/upper");
  stats.set_rootfs_used_bytes(layer.bytes);
  stats.set_rootfs_inodes_used(layer.inodes);
  return stats;
}

sdk::StreamBody RuncRuntime::logs(const rt::LogsRequest& request) {
  load_container(request.container_id());
  std::string path = read_small_file(ContainerFiles{container_dir(request.container_id())}.log_path_file());
  runtime_common::LogReadOptions options;
  options.follow = request.follow();
  options.tail = request.tail_lines();
  options.timestamps = request.timestamps();
  options.not_before_nanos = runtime_common::logs_not_before_nanos(request.since_seconds(), request.since_time_unix_nano());
  std::string id = request.container_id();
  return [this, path, options, id](sdk::RuntimeStream& stream) {
    runtime_common::read_cri_log(
        path, options,
        {[&](int fd, std::string_view data) { stream.write(fd, data); },
         [&] {
           try {
             return container_status_state(id) == "EXITED";
           } catch (const Error&) {
             return true;  // removed
           }
         },
         [&] { return stream.stopped(); }});
    return 0;
  };
}

// A container's stdio belongs to its monitor, which writes it to the log and shares it with no one.
sdk::StreamBody RuncRuntime::attach(const rt::AttachRequest& request) {
  load_container(request.container_id());  // 404 for an unknown one first
  throw Error(Status::NotImplemented("attach is not supported by runtime-runc: a container's output goes to its log "
                                     "through the monitor, which has no way to share its stdio; use kubectl logs -f, "
                                     "or kubectl exec -it, instead"));
}

sdk::StreamBody RuncRuntime::exec(const rt::ExecRequest& request) {
  auto state = container_status(request.container_id()).state();
  if (state != "RUNNING")
    throw Error(Status::Conflict("container " + request.container_id() + " is " + state + ": exec needs it running"));
  if (request.command().empty()) throw Error(Status::BadRequest("exec needs a command"));
  ExecSpec spec;
  spec.tty = request.tty();
  spec.argv = runc_.exec_argv(request.container_id(), {request.command().begin(), request.command().end()}, spec.tty);
  spec.with_stdin = request.stdin();
  return [spec](sdk::RuntimeStream& stream) { return run_exec_session(spec, stream); };
}

std::string RuncRuntime::adopt() {
  std::set<std::string> known;
  for (const auto& id : ids_in(options_.data_dir + "/containers")) known.insert(id);
  std::size_t running = 0, exited = 0, orphans = 0;
  boost::system::error_code ec;
  auto listed = boost::json::parse(runc_.run({"list", "--format", "json"}), ec);
  if (!ec && listed.is_array())
    for (const auto& c : listed.as_array()) {
      std::string id(c.at("id").as_string());
      if (known.contains(id)) continue;
      runc_.run({"delete", "--force", id});
      ++orphans;
    }
  for (const auto& id : known) {
    try {
      (container_status_state(id) == "EXITED" ? exited : running)++;
    } catch (const Error&) {
    }
  }
  std::size_t lost = 0;
  for (const auto& id : ids_in(options_.data_dir + "/sandboxes")) {
    rt::Sandbox sandbox;
    if (!load_message(sandbox_dir(id) + "/sandbox.pb", sandbox) || sandbox.state() != "READY") continue;
    auto ns = sandbox_namespaces(sandbox);
    if (namespace_pinned(ns.ipc)) continue;
    sandbox.set_state("NOTREADY");  // its namespaces are gone (a reboot): the kubelet makes a new one
    save_message(sandbox_dir(id) + "/sandbox.pb", sandbox);
    ++lost;
  }
  return std::to_string(running) + " containers running and " + std::to_string(exited) + " exited adopted, " +
         std::to_string(orphans) + " unknown to the records deleted, " + std::to_string(lost) +
         " sandboxes whose namespaces were gone marked NOTREADY";
}

std::size_t RuncRuntime::collect_garbage() {
  std::set<std::string> in_use;
  for (const auto& id : ids_in(options_.data_dir + "/containers"))
    for (const auto& layer : lines_of(read_small_file(ContainerFiles{container_dir(id)}.layers_file())))
      in_use.insert(layer);
  return store_.garbage_collect(in_use);
}

}  // namespace skiff::runc
