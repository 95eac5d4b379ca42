// One simulated node's runtime in memory: sandboxes, containers, their logs, and the exits and
// files of their simulated processes.
#include "sim_runtime.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>

#include "skiff/sdk/cidr.hpp"
#include "skiff/sdk/duration.hpp"
#include "skiff/sdk/quantity.hpp"
#include "skiff/sdk/runtime/labels.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::sim {

using sdk::Error;
using sdk::Status;

namespace {

constexpr std::int64_t kImageBytes = 5 << 20;

std::string rfc3339(Clock::time_point t) { return t == Clock::time_point{} ? "" : sdk::format_rfc3339_micro(t); }

// A stable fake digest, so an image keeps its ref across calls and nodes.
std::string digest_of(const std::string& image) {
  std::string out = "sha256:";
  for (std::uint64_t seed : {0xcbf29ce484222325ull, 0x84222325cbf29ce4ull, 0x9e3779b97f4a7c15ull, 0x2545f4914f6cdd1dull}) {
    std::uint64_t h = seed;
    for (unsigned char c : image) h = (h ^ c) * 0x100000001b3ull;
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    out += hex;
  }
  return out;
}

std::string joined(const google::protobuf::RepeatedPtrField<std::string>& parts) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " ") + p;
  return out;
}

bool matches(const std::map<std::string, std::string>& labels, const google::protobuf::Map<std::string, std::string>& want) {
  for (const auto& [k, v] : want) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

[[noreturn]] void bad_knob(const rt::ContainerConfig& config, const std::string& key, const std::string& value,
                          const std::string& want) {
  throw Error(Status::BadRequest("runtime-sim: container " + config.name() + ": " + key + "=\"" + value + "\" is not " +
                                 want + " (see plugins/runtime-sim/README.md)"));
}

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// The commands exec simulates, on a container's files: what they print and exit with;
// nullopt for any other command.
std::optional<ExecResult> run_simulated(std::set<std::string>& files, const std::vector<std::string>& command) {
  if (command.empty()) return std::nullopt;
  const std::string& name = command.front();
  std::vector<std::string> args(command.begin() + 1, command.end());
  if (name == "true") return ExecResult{};
  if (name == "false") return ExecResult{"", "", 1};
  if (name == "touch") {
    files.insert(args.begin(), args.end());
    return ExecResult{};
  }
  if (name == "rm") {
    bool force = !args.empty() && args.front() == "-f";
    if (force) args.erase(args.begin());
    ExecResult result;
    for (const auto& path : args)
      if (!files.erase(path) && !force) result = {"", "rm: can't remove '" + path + "': No such file or directory\n", 1};
    return result;
  }
  bool test = name == "test" && args.size() == 2 && (args[0] == "-e" || args[0] == "-f");
  if (!test && !(name == "cat" && !args.empty())) return std::nullopt;
  if (test) args.erase(args.begin());
  for (const auto& path : args)
    if (!files.count(path)) return ExecResult{"", test ? "" : "cat: can't open '" + path + "': No such file or directory\n", 1};
  return ExecResult{};
}

}  // namespace

bool image_unpullable(const std::string& image) {
  if (image.find("missing") != std::string::npos) return true;
  // Docker's rule: the first path part is a registry when it has a '.' or ':'.
  auto slash = image.find('/');
  if (slash == std::string::npos) return false;
  std::string registry = image.substr(0, slash);
  if (auto colon = registry.find(':'); colon != std::string::npos) registry.resize(colon);
  return registry.size() >= 8 && registry.compare(registry.size() - 8, 8, ".invalid") == 0;
}

SimRuntime::SimRuntime(SimRuntimeOptions options)
    : options_(std::move(options)),
      random_(std::random_device{}()),
      pulled_(options_.images.begin(), options_.images.end()) {}

rt::VersionResponse SimRuntime::version() {
  rt::VersionResponse v;
  v.set_runtime_name("sim");
  v.set_runtime_version(options_.version);
  v.set_api_version("v1");
  return v;
}

rt::StatusResponse SimRuntime::status() {
  rt::StatusResponse s;
  s.set_ready(true);
  s.set_message("simulated node " + options_.node);
  return s;
}

bool SimRuntime::image_present(const std::string& image) const {
  if (image_unpullable(image)) return false;
  return options_.images.empty() || pulled_.count(image);
}

rt::ImageResponse SimRuntime::image(const rt::ImageRequest& request) {
  const std::string& name = request.image();
  std::string policy = request.pull_policy().empty() ? "IfNotPresent" : request.pull_policy();
  std::lock_guard lock(mutex_);
  rt::ImageResponse out;
  out.set_image_ref(digest_of(name));
  out.set_size_bytes(kImageBytes);
  if (image_present(name) && policy != "Always") return out;
  // The same words as runtime-docker, so the kubelet and users see the same reasons.
  if (policy == "Never")
    throw Error(Status{404, "ErrImageNeverPull",
                       "Container image \"" + name + "\" is not present with pull policy of Never"});
  if (image_unpullable(name))
    throw Error(Status{502, "ErrImagePull", "Failed to pull image \"" + name + "\": manifest unknown (runtime-sim: "
                                            "names containing \"missing\" and .invalid registries never pull)"});
  pulled_.insert(name);
  out.set_pulled(true);
  return out;
}

std::string SimRuntime::new_id() {
  char hex[65];
  for (int i = 0; i < 4; ++i) std::snprintf(hex + 16 * i, 17, "%016llx", static_cast<unsigned long long>(random_()));
  return hex;
}

// The node's pod subnet: the one the kubelet passed on, else 10.<index/256>.<index%256>.0/24 —
// a /24 per node, so the nodes of one plugin never share an address.
sdk::Ipv4Cidr SimRuntime::subnet() const {
  if (pod_cidr_) return *pod_cidr_;
  return {static_cast<std::uint32_t>((10u << 24) | ((options_.index & 0xffff) << 8)), 24};
}

void SimRuntime::update_runtime_config(const rt::RuntimeConfigRequest& config) {
  if (config.pod_cidr().empty()) return;
  auto cidr = sdk::Ipv4Cidr::parse(config.pod_cidr());
  if (!cidr || cidr->prefix > 30)
    throw Error(Status::Invalid("pod_cidr '" + config.pod_cidr() + "' is not an IPv4 subnet of at least 4 addresses"));
  std::lock_guard lock(mutex_);
  pod_cidr_ = *cidr;
}

// The next free host after the last one given (a freed address is not reused at once),
// between the gateway (.1) and the broadcast address.
int SimRuntime::take_host() {
  int hosts = static_cast<int>(std::min<std::uint64_t>(subnet().size(), 65536)) - 3;  // .2 … last-1
  for (int step = 1; step <= hosts; ++step) {
    int host = (last_host_ - 2 + step) % hosts + 2;
    if (hosts_in_use_.insert(host).second) return last_host_ = host;
  }
  throw Error(Status::Unavailable("simulated node " + options_.node + ": the pod IPs of " + subnet().str() +
                                  " are all in use"));
}

rt::RunSandboxResponse SimRuntime::run_sandbox(const rt::RunSandboxRequest& request) {
  const auto& config = request.config();
  std::lock_guard lock(mutex_);
  Sandbox s;
  s.config = config;
  s.labels = sdk::sandbox_labels(config);
  if (!config.host_network()) {
    s.host = take_host();
    s.ip = sdk::format_ipv4(subnet().network + static_cast<std::uint32_t>(s.host));
  }
  s.created = Clock::now();
  std::string id = new_id();
  std::string ip = s.ip;
  sandboxes_.emplace(id, std::move(s));
  changed();
  rt::RunSandboxResponse out;
  out.set_sandbox_id(id);
  out.set_ip(ip);
  return out;
}

// Unknown sandboxes are fine to stop and remove: the kubelet retries both after a crash.
void SimRuntime::stop_sandbox(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = sandboxes_.find(id);
  if (it == sandboxes_.end()) return;
  settle();
  it->second.ready = false;
  for (auto& [cid, c] : containers_)
    if (c.sandbox_id == id) end_locked(c, 137, Clock::now(), "stopped");  // CRI: stopping a sandbox kills what runs in it
  changed();
}

void SimRuntime::remove_sandbox(const std::string& id) {
  std::lock_guard lock(mutex_);
  auto it = sandboxes_.find(id);
  if (it == sandboxes_.end()) return;
  std::erase_if(containers_, [&](const auto& entry) { return entry.second.sandbox_id == id; });
  hosts_in_use_.erase(it->second.host);
  sandboxes_.erase(it);
  changed();
}

const SimRuntime::Sandbox& SimRuntime::sandbox_at(const std::string& id) const {
  auto it = sandboxes_.find(id);
  if (it == sandboxes_.end()) throw Error(Status::NotFound("no such sandbox: " + id));
  return it->second;
}

rt::Sandbox SimRuntime::sandbox_status(const std::string& id) {
  std::lock_guard lock(mutex_);
  const Sandbox& s = sandbox_at(id);
  rt::Sandbox out;
  out.set_id(id);
  out.set_state(s.ready ? "READY" : "NOTREADY");
  out.set_ip(s.ip);
  out.mutable_labels()->insert(s.labels.begin(), s.labels.end());
  out.set_created_at(rfc3339(s.created));
  *out.mutable_config() = s.config;
  return out;
}

rt::ListSandboxesResponse SimRuntime::list_sandboxes(const rt::ListSandboxesRequest& request) {
  std::lock_guard lock(mutex_);
  rt::ListSandboxesResponse out;
  for (const auto& [id, s] : sandboxes_) {
    if (!matches(s.labels, request.labels())) continue;
    auto* o = out.add_sandboxes();
    o->set_id(id);
    o->set_state(s.ready ? "READY" : "NOTREADY");
    o->set_ip(s.ip);
    o->mutable_labels()->insert(s.labels.begin(), s.labels.end());
    o->set_created_at(rfc3339(s.created));
  }
  return out;
}

rt::CreateContainerResponse SimRuntime::create_container(const rt::CreateContainerRequest& request) {
  const auto& config = request.config();
  std::lock_guard lock(mutex_);
  sandbox_at(request.sandbox_id());
  if (!config.target_container_id().empty()) container_at(config.target_container_id());  // 404 when unknown
  if (!image_present(config.image()))
    throw Error(Status{404, "ErrImagePull", "image \"" + config.image() + "\" is not present: no such image"});
  Container c;
  c.config = config;
  c.sandbox_id = request.sandbox_id();
  c.labels = sdk::container_labels(request);
  c.created = Clock::now();
  c.cpu_millicores = options_.cpu_millicores;
  c.memory_bytes = options_.memory_bytes;
  for (const auto& kv : config.env()) {
    if (kv.key() == "SIM_EXIT_CODE") {
      int code = -1;
      auto [end, ec] = std::from_chars(kv.value().data(), kv.value().data() + kv.value().size(), code);
      if (ec != std::errc() || end != kv.value().data() + kv.value().size() || code < 0 || code > 255)
        bad_knob(config, kv.key(), kv.value(), "an exit code (0-255)");
      c.exits_with = code;
    } else if (kv.key() == "SIM_EXIT_AFTER") {
      auto after = sdk::parse_duration(kv.value());
      if (!after || after->count() < 0) bad_knob(config, kv.key(), kv.value(), "a duration (300ms, 2s)");
      c.exits_after = *after;
    } else if (kv.key() == "SIM_CPU_USAGE") {
      auto millis = sdk::parse_quantity_milli(kv.value());
      if (!millis || *millis < 0) bad_knob(config, kv.key(), kv.value(), "a CPU quantity (250m, 1.5)");
      c.cpu_millicores = *millis;
    } else if (kv.key() == "SIM_MEMORY_USAGE") {
      auto bytes = sdk::parse_quantity(kv.value());
      if (!bytes || *bytes < 0) bad_knob(config, kv.key(), kv.value(), "a memory quantity (64Mi, 1G)");
      c.memory_bytes = static_cast<std::uint64_t>(*bytes);
    } else if (kv.key() == "SIM_LOG_EVERY") {
      auto every = sdk::parse_duration(kv.value());
      if (!every || every->count() <= 0) bad_knob(config, kv.key(), kv.value(), "a duration above 0 (10ms, 1s)");
      c.log_every = *every;
    } else if (kv.key() == "SIM_LOG_LINE_BYTES") {
      std::size_t bytes = 0;
      auto [end, ec] = std::from_chars(kv.value().data(), kv.value().data() + kv.value().size(), bytes);
      if (ec != std::errc() || end != kv.value().data() + kv.value().size() || bytes > (16u << 20))
        bad_knob(config, kv.key(), kv.value(), "a byte count up to 16777216");
      c.log_line_bytes = bytes;
    } else if (kv.key() == "SIM_FILES") {
      for (auto& path : split(kv.value(), ',')) c.files.insert(std::move(path));
    }
  }
  std::string command = joined(config.command());
  if (!config.args().empty()) command += (command.empty() ? "" : " ") + joined(config.args());
  c.log.push_back({c.created, "sim: container " + config.name() + " created from image " + config.image() + "\n"});
  c.log.push_back({c.created, "sim: command: " + (command.empty() ? "(the image's)" : command) + "\n"});
  std::string id = new_id();
  containers_.emplace(id, std::move(c));
  changed();
  rt::CreateContainerResponse out;
  out.set_container_id(id);
  return out;
}

SimRuntime::Container& SimRuntime::container_at(const std::string& id) {
  auto it = containers_.find(id);
  if (it == containers_.end()) throw Error(Status::NotFound("no such container: " + id));
  return it->second;
}

const SimRuntime::Container& SimRuntime::container_at(const std::string& id) const {
  return const_cast<SimRuntime*>(this)->container_at(id);
}

void SimRuntime::start_container(const std::string& id) {
  std::lock_guard lock(mutex_);
  Container& c = container_at(id);
  if (c.state == "RUNNING") return;
  // CRI: a container starts once; a restart is a new container (the next attempt).
  if (c.state == "EXITED") throw Error(Status::Conflict("container " + id + " has exited; create a new one"));
  if (!sandbox_at(c.sandbox_id).ready)
    throw Error(Status::Conflict("container " + id + ": its sandbox " + c.sandbox_id + " is stopped"));
  c.state = "RUNNING";
  c.started = Clock::now();
  c.log.push_back({c.started, "sim: container " + c.config.name() + " started\n"});
  if (c.exits_with) exits_due_.emplace(c.started + c.exits_after, id);
  changed();
  settle();  // SIM_EXIT_AFTER 0: it has exited already
}

// A simulated process dies of SIGTERM (143) as `sleep` does under Docker, or of SIGKILL
// (137) when given no time.
void SimRuntime::stop_container(const std::string& id, std::int64_t timeout_seconds) {
  std::lock_guard lock(mutex_);
  settle();  // one that exited on its own meanwhile keeps its code
  end_locked(container_at(id), timeout_seconds > 0 ? 143 : 137, Clock::now(), "stopped");
  changed();
}

void SimRuntime::write_due_lines(Container& c, Clock::time_point until) {
  if (c.state != "RUNNING" || c.log_every.count() <= 0) return;
  while (true) {
    auto at = c.started + std::chrono::duration_cast<Clock::duration>(c.log_every * static_cast<std::int64_t>(c.lines_written + 1));
    if (at > until) return;
    std::string text = "sim: line " + std::to_string(++c.lines_written);
    if (text.size() < c.log_line_bytes) text.append(c.log_line_bytes - text.size(), '.');
    c.log.push_back({at, text + "\n"});
  }
}

void SimRuntime::end_locked(Container& c, int exit_code, Clock::time_point at, const char* how) {
  if (c.state != "RUNNING") return;  // a created container stays created, an exited one keeps its code
  write_due_lines(c, at);
  c.state = "EXITED";
  c.exit_code = exit_code;
  c.finished = at;
  c.log.push_back({c.finished, "sim: container " + c.config.name() + " " + how + " (exit code " +
                                   std::to_string(exit_code) + ")\n"});
}

void SimRuntime::settle() const {
  auto now = Clock::now();
  bool any = false;
  while (!exits_due_.empty() && exits_due_.begin()->first <= now) {
    auto [when, id] = *exits_due_.begin();
    exits_due_.erase(exits_due_.begin());
    auto it = containers_.find(id);
    if (it == containers_.end() || !it->second.exits_with) continue;
    end_locked(it->second, *it->second.exits_with, when, "exited");
    any = true;
  }
  if (any) changed();
}

void SimRuntime::remove_container(const std::string& id) {
  std::lock_guard lock(mutex_);
  container_at(id);
  containers_.erase(id);
  changed();
}

rt::ContainerStatus SimRuntime::status_of(const std::string& id, const Container& c) const {
  rt::ContainerStatus s;
  s.set_id(id);
  s.set_name(c.config.name());
  s.set_image(c.config.image());
  s.set_image_ref(digest_of(c.config.image()));
  s.set_state(c.state);
  s.set_created_at(rfc3339(c.created));
  s.set_started_at(rfc3339(c.started));
  s.set_finished_at(rfc3339(c.finished));
  s.set_exit_code(c.exit_code);
  if (c.state == "EXITED") s.set_reason(c.exit_code == 0 ? "Completed" : "Error");
  s.mutable_labels()->insert(c.labels.begin(), c.labels.end());
  s.set_sandbox_id(c.sandbox_id);
  return s;
}

rt::ContainerStatus SimRuntime::container_status(const std::string& id) {
  std::lock_guard lock(mutex_);
  settle();
  return status_of(id, container_at(id));
}

rt::ListContainersResponse SimRuntime::list_containers(const rt::ListContainersRequest& request) {
  std::lock_guard lock(mutex_);
  settle();
  rt::ListContainersResponse out;
  for (const auto& [id, c] : containers_) {
    if (!request.sandbox_id().empty() && c.sandbox_id != request.sandbox_id()) continue;
    if (!matches(c.labels, request.labels())) continue;
    *out.add_containers() = status_of(id, c);
  }
  return out;
}

rt::StatsResponse SimRuntime::stats(const std::string& id) {
  std::lock_guard lock(mutex_);
  settle();
  return stats_of(container_at(id), Clock::now());
}

rt::SandboxStatsResponse SimRuntime::sandbox_stats(const std::string& sandbox_id) {
  std::lock_guard lock(mutex_);
  return network_of(sandbox_at(sandbox_id), Clock::now());
}

// One pass under the lock, so a hollow node with 30 pods answers in one go.
rt::ListStatsResponse SimRuntime::list_stats(const rt::ListStatsRequest& request) {
  std::lock_guard lock(mutex_);
  settle();
  auto now = Clock::now();
  rt::ListStatsResponse out;
  auto add_container = [&](const std::string& id, const Container& c) {
    auto* entry = out.add_containers();
    entry->set_container_id(id);
    *entry->mutable_stats() = stats_of(c, now);
  };
  auto add_sandbox = [&](const std::string& id, const Sandbox& s) {
    auto* entry = out.add_sandboxes();
    entry->set_sandbox_id(id);
    *entry->mutable_stats() = network_of(s, now);
  };
  if (request.container_ids().empty())
    for (const auto& [id, c] : containers_) if (c.state == "RUNNING") add_container(id, c);
  for (const auto& id : request.container_ids())
    if (auto it = containers_.find(id); it != containers_.end()) add_container(id, it->second);
  if (request.sandbox_ids().empty())
    for (const auto& [id, s] : sandboxes_) if (s.ready) add_sandbox(id, s);
  for (const auto& id : request.sandbox_ids())
    if (auto it = sandboxes_.find(id); it != sandboxes_.end()) add_sandbox(id, it->second);
  return out;
}

LogsFrom SimRuntime::log_lines(const std::string& id, std::size_t from) const {
  std::lock_guard lock(mutex_);
  settle();
  auto& c = const_cast<Container&>(container_at(id));
  write_due_lines(c, Clock::now());
  LogsFrom out;
  if (c.state == "RUNNING" && c.log_every.count() > 0)
    out.next_line_due = c.started + std::chrono::duration_cast<Clock::duration>(c.log_every * static_cast<std::int64_t>(c.lines_written + 1));
  if (from < c.log.size()) out.lines.assign(c.log.begin() + static_cast<std::ptrdiff_t>(from), c.log.end());
  out.next = std::max(from, c.log.size());
  out.ended = c.state == "EXITED";
  return out;
}

void SimRuntime::check_running(const std::string& id) const {
  std::lock_guard lock(mutex_);
  settle();
  if (container_at(id).state != "RUNNING") throw Error(Status::Conflict("container " + id + " is not running"));
}

ExecResult SimRuntime::simulate_exec(const std::string& id, const std::vector<std::string>& command) {
  std::lock_guard lock(mutex_);
  settle();
  Container& c = container_at(id);
  if (c.state != "RUNNING") throw Error(Status::Conflict("container " + id + " is not running"));
  if (auto result = run_simulated(c.files, command)) return *result;
  std::string line;
  for (const auto& part : command) line += (line.empty() ? "" : " ") + part;
  return {line + "\n", "", 0};
}

std::uint64_t SimRuntime::changes() const {
  std::lock_guard lock(mutex_);
  return changes_;
}

void SimRuntime::wait_for_change(std::uint64_t seen, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  auto until = Clock::now() + timeout;
  // Not past the next exit due: nobody else may look in time to settle it.
  if (!exits_due_.empty()) until = std::min(until, exits_due_.begin()->first);
  changed_.wait_until(lock, until, [&] { return changes_ != seen; });
  settle();
}

void SimRuntime::poke() {
  std::lock_guard lock(mutex_);
  changed();
}

void SimRuntime::changed() const {
  ++changes_;
  changed_.notify_all();
}

std::size_t SimRuntime::sandbox_count() const {
  std::lock_guard lock(mutex_);
  return sandboxes_.size();
}

std::size_t SimRuntime::running_count() const {
  std::lock_guard lock(mutex_);
  settle();
  return static_cast<std::size_t>(
      std::count_if(containers_.begin(), containers_.end(), [](const auto& e) { return e.second.state == "RUNNING"; }));
}

}  // namespace skiff::sim
