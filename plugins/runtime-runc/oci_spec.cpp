#include "oci_spec.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <set>
#include <fstream>
#include <sstream>

#include "capabilities.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::runc {

namespace json = boost::json;
namespace rt = runtime::v1;
using runtime_common::capability_names;
using runtime_common::is_capability;
using runtime_common::oci_capability_name;

namespace {

constexpr const char* kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr std::int64_t kCfsPeriodMicros = 100000;

json::array strings(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

// The capabilities this process may hand on (its bounding set): a container cannot get more.
std::set<std::string> bounding_set() {
  std::ifstream status("/proc/self/status");
  std::string line;
  std::uint64_t mask = ~0ULL;
  while (std::getline(status, line))
    if (line.rfind("CapBnd:", 0) == 0) mask = std::stoull(line.substr(7), nullptr, 16);
  std::set<std::string> out;
  for (std::size_t bit = 0; bit < capability_names().size(); ++bit)
    if (mask & (1ULL << bit)) out.insert(capability_names()[bit]);
  return out;
}

json::object mount(const std::string& destination, const std::string& type, const std::string& source,
                   const std::vector<std::string>& options) {
  return {{"destination", destination}, {"type", type}, {"source", source}, {"options", strings(options)}};
}

json::array mounts(const rt::ContainerConfig& config, const std::string& init) {
  json::array out{
      mount("/proc", "proc", "proc", {"nosuid", "noexec", "nodev"}),
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount("/dev/pts", "devpts", "devpts", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      mount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  };
  if (!init.empty()) out.push_back(mount(kInitPath, "bind", init, {"rbind", "rprivate", "ro"}));
  for (const auto& m : config.mounts()) {
    std::vector<std::string> options{"rbind", "rprivate"};
    if (m.read_only()) options.push_back("ro");
    out.push_back(mount(m.container_path(), "bind", m.host_path(), options));
  }
  return out;
}

// A namespace left out of the list is the node's (runc's rule): hostPID, hostIPC, hostNetwork.
json::array namespaces(const ContainerSpecInputs& in) {
  const PodNamespaces& sandbox = in.sandbox;
  json::array out{json::object{{"type", "mount"}}};
  if (!in.host_pid) out.push_back(json::object{{"type", "pid"}});
  if (!in.host_ipc) out.push_back(json::object{{"type", "ipc"}, {"path", sandbox.ipc}});
  if (!sandbox.network.empty()) {
    out.push_back(json::object{{"type", "network"}, {"path", sandbox.network}});
    out.push_back(json::object{{"type", "uts"}, {"path", sandbox.uts}});
  }
  return out;
}

json::object resources(const rt::ContainerConfig& config) {
  json::object cpu;
  if (config.cpu_request_millis() > 0)
    cpu["shares"] = std::max<std::int64_t>(2, config.cpu_request_millis() * 1024 / 1000);
  if (config.cpu_limit_millis() > 0) {
    cpu["quota"] = config.cpu_limit_millis() * kCfsPeriodMicros / 1000;
    cpu["period"] = kCfsPeriodMicros;
  }
  json::object out{{"devices", json::array{json::object{{"allow", config.privileged()}, {"access", "rwm"}}}}};
  if (!cpu.empty()) out["cpu"] = std::move(cpu);
  if (config.memory_limit_bytes() > 0) out["memory"] = json::object{{"limit", config.memory_limit_bytes()}};
  return out;
}

// The numeric id of `name` in an /etc/passwd or /etc/group style file (field 3), if present.
std::optional<unsigned> lookup_id(const std::string& file, const std::string& name, std::optional<unsigned>* gid = nullptr) {
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> fields;
    std::stringstream parts(line);
    std::string field;
    while (std::getline(parts, field, ':')) fields.push_back(field);
    if (fields.size() >= 3 && fields[0] == name) {
      if (gid && fields.size() >= 4) *gid = static_cast<unsigned>(std::stoul(fields[3]));
      return static_cast<unsigned>(std::stoul(fields[2]));
    }
  }
  return std::nullopt;
}

bool numeric(const std::string& s) { return !s.empty() && std::all_of(s.begin(), s.end(), ::isdigit); }

}  // namespace

std::vector<std::string> container_args(const rt::ContainerConfig& config, const ImageConfig& image) {
  std::vector<std::string> args;
  if (!config.command().empty()) {
    args.assign(config.command().begin(), config.command().end());
    args.insert(args.end(), config.args().begin(), config.args().end());
  } else {
    args = image.entrypoint;
    if (!config.args().empty()) args.insert(args.end(), config.args().begin(), config.args().end());
    else args.insert(args.end(), image.cmd.begin(), image.cmd.end());
  }
  if (args.empty())
    throw sdk::Error(sdk::Status::BadRequest("container " + config.name() + ": no command, and the image " +
                                             config.image() + " has no entrypoint or cmd"));
  return args;
}

std::vector<std::string> container_env(const rt::ContainerConfig& config, const ImageConfig& image,
                                       const std::string& hostname) {
  std::vector<std::string> env = image.env;
  auto set = [&](const std::string& key, const std::string& value) {
    auto same = [&](const std::string& kv) { return kv.compare(0, key.size() + 1, key + "=") == 0; };
    auto it = std::find_if(env.begin(), env.end(), same);
    if (it != env.end()) *it = key + "=" + value;
    else env.push_back(key + "=" + value);
  };
  if (std::none_of(env.begin(), env.end(), [](const std::string& kv) { return kv.rfind("PATH=", 0) == 0; }))
    env.insert(env.begin(), kDefaultPath);
  if (!hostname.empty()) set("HOSTNAME", hostname);
  for (const auto& kv : config.env()) set(kv.key(), kv.value());
  return env;
}

std::vector<std::string> container_capabilities(const rt::ContainerConfig& config) {
  static const std::vector<std::string> docker_defaults{
      "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
      "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"};
  std::set<std::string> available = bounding_set();
  std::set<std::string> caps(docker_defaults.begin(), docker_defaults.end());
  if (config.privileged()) caps = available;
  for (const auto& name : config.capabilities_drop()) {
    if (oci_capability_name(name) == "ALL") caps.clear();
    else caps.erase(oci_capability_name(name));
  }
  for (const auto& name : config.capabilities_add()) {
    std::string cap = oci_capability_name(name);
    if (cap == "ALL") {
      caps.insert(available.begin(), available.end());
    } else if (!is_capability(cap)) {
      throw sdk::Error(sdk::Status::BadRequest("container " + config.name() + ": no capability " + name));
    } else if (!available.contains(cap)) {
      throw sdk::Error(sdk::Status::BadRequest("container " + config.name() + ": " + cap +
                                               " is not in this node's bounding set, so no container can have it"));
    } else {
      caps.insert(cap);
    }
  }
  std::vector<std::string> out;
  for (const auto& cap : capability_names())  // in bit order, as the kernel lists them
    if (caps.contains(cap) && available.contains(cap)) out.push_back(cap);
  return out;
}

std::pair<unsigned, unsigned> resolve_user(const std::string& user, const std::string& rootfs) {
  if (user.empty()) return {0, 0};
  std::string name = user.substr(0, user.find(':'));
  std::string group = user.find(':') == std::string::npos ? "" : user.substr(user.find(':') + 1);
  std::optional<unsigned> primary_gid;
  std::optional<unsigned> uid = numeric(name) ? std::optional<unsigned>(std::stoul(name))
                                              : lookup_id(rootfs + "/etc/passwd", name, &primary_gid);
  if (!uid) throw sdk::Error(sdk::Status::BadRequest("the image's user \"" + name + "\" is not in its /etc/passwd"));
  if (group.empty()) {
    if (!primary_gid && numeric(name)) primary_gid = 0;
    return {*uid, primary_gid.value_or(0)};
  }
  std::optional<unsigned> gid =
      numeric(group) ? std::optional<unsigned>(std::stoul(group)) : lookup_id(rootfs + "/etc/group", group);
  if (!gid) throw sdk::Error(sdk::Status::BadRequest("the image's group \"" + group + "\" is not in its /etc/group"));
  return {*uid, *gid};
}

std::string container_spec(const ContainerSpecInputs& in) {
  const auto& config = *in.config;
  auto [uid, gid] = resolve_user(in.image->user, in.rootfs);
  if (config.has_run_as_user()) uid = static_cast<unsigned>(config.run_as_user());
  if (config.has_run_as_group()) gid = static_cast<unsigned>(config.run_as_group());
  else if (config.has_run_as_user()) gid = 0;  // as Docker: a user given alone runs with group 0
  std::string cwd = !config.working_dir().empty() ? config.working_dir()
                    : !in.image->working_dir.empty() ? in.image->working_dir
                                                     : "/";
  auto caps = strings(container_capabilities(config));
  std::vector<std::string> args = container_args(config, *in.image);
  if (!in.init.empty()) args.insert(args.begin(), kInitPath);
  json::object process{
      {"terminal", false},
      {"user", json::object{{"uid", uid}, {"gid", gid}}},
      {"args", strings(args)},
      {"env", strings(container_env(config, *in.image, in.hostname))},
      {"cwd", cwd},
      {"capabilities", json::object{{"bounding", caps}, {"effective", caps}, {"permitted", caps}}},
      {"noNewPrivileges", config.no_new_privileges()},
  };
  json::object linux{
      {"namespaces", namespaces(in)},
      {"cgroupsPath", in.cgroups_path},
      {"resources", resources(config)},
  };
  if (!config.privileged()) {  // a privileged container sees /proc and /sys as the node does
    linux["maskedPaths"] = strings({"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                                    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi",
                                    "/sys/firmware"});
    linux["readonlyPaths"] = strings({"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
  }
  json::object spec{{"ociVersion", "1.0.2"},
                    {"process", std::move(process)},
                    {"root", json::object{{"path", "rootfs"}, {"readonly", config.read_only_root()}}},
                    {"mounts", mounts(config, in.init)},
                    {"linux", std::move(linux)}};
  return json::serialize(spec);
}

}  // namespace skiff::runc
