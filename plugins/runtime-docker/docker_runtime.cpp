#include "docker_runtime.hpp"

#include <boost/json.hpp>

#include <spdlog/logger.h>

#include <cstdio>
#include <ctime>
#include <filesystem>

#include "cgroup_stats.hpp"
#include "cri_log.hpp"
#include "disk_usage.hpp"
#include "log_entries.hpp"
#include "net_dev.hpp"
#include "port_forwarder.hpp"
#include "skiff/sdk/runtime/labels.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::docker {

namespace json = boost::json;
using sdk::Error;
using sdk::Status;

namespace {

// A running sandbox's network namespace; "" once it has no process (CNI DEL without it).
std::string netns_of(int pid) { return pid > 0 ? "/proc/" + std::to_string(pid) + "/ns/net" : ""; }

std::string str(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* at = &v;
  for (const char* key : path) {
    if (!at->is_object()) return "";
    at = at->as_object().if_contains(key);
    if (!at) return "";
  }
  return at->is_string() ? std::string(at->as_string()) : "";
}

std::int64_t num(const json::value& v, std::initializer_list<const char*> path) {
  const json::value* at = &v;
  for (const char* key : path) {
    if (!at->is_object()) return 0;
    at = at->as_object().if_contains(key);
    if (!at) return 0;
  }
  if (at->is_int64()) return at->as_int64();
  if (at->is_uint64()) return static_cast<std::int64_t>(at->as_uint64());
  return 0;
}

// Docker's zero time means "never".
std::string time_or_empty(const std::string& t) { return t.rfind("0001-01-01", 0) == 0 ? "" : t; }

std::string unix_to_rfc3339(std::int64_t seconds) {
  return sdk::format_rfc3339(sdk::WallClock::time_point(std::chrono::seconds(seconds)));
}

json::object labels_json(const std::map<std::string, std::string>& labels) {
  json::object out;
  for (const auto& [k, v] : labels) out[k] = v;
  return out;
}

std::string filters(const google::protobuf::Map<std::string, std::string>& labels, const std::string& kind) {
  json::array list{json::string(std::string(sdk::label::kKind) + "=" + kind)};
  for (const auto& [k, v] : labels) list.push_back(json::string(k + "=" + v));
  return url_escape(json::serialize(json::object{{"label", list}}));
}

// A Docker error as a bus status (404 stays 404, name conflicts 409, the rest 500).
[[noreturn]] void fail(const Response& r, const std::string& what) {
  int code = r.status == 404 ? 404 : r.status == 409 ? 409 : r.status == 304 ? 409 : 500;
  throw Error(Status{code, code == 404 ? "NotFound" : code == 409 ? "AlreadyExists" : "RuntimeError",
                     what + ": " + r.message()});
}

void map_labels(const json::value& from, google::protobuf::Map<std::string, std::string>& to) {
  if (!from.is_object()) return;
  for (const auto& [k, v] : from.as_object())
    if (v.is_string()) to[std::string(k)] = std::string(v.as_string());
}

std::string short_uid(const std::string& uid) { return uid.substr(0, std::min<std::size_t>(8, uid.size())); }

// Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-]; pod and namespace names already fit.
std::string docker_name(std::initializer_list<std::string> parts) {
  std::string out = "skiff";
  for (const auto& p : parts) out += "_" + p;
  return out;
}

// A container's PID and IPC namespaces, as the kubelet's CRI asks for them: an ephemeral
// container's target's PID namespace, the node's (hostPID), the sandbox's for a pod that
// shares one (shareProcessNamespace), else its own; the node's IPC (hostIPC) or the sandbox's.
void set_pid_and_ipc_modes(json::object& host, const rt::CreateContainerRequest& request, bool host_network) {
  const auto& pod = request.sandbox_config();
  const std::string& target = request.config().target_container_id();
  if (!target.empty()) host["PidMode"] = "container:" + target;
  else if (pod.host_pid()) host["PidMode"] = "host";
  else if (pod.share_process_namespace()) host["PidMode"] = "container:" + request.sandbox_id();
  if (pod.host_ipc()) host["IpcMode"] = "host";
  else if (!host_network) host["IpcMode"] = "container:" + request.sandbox_id();
}

}  // namespace

DockerRuntime::DockerRuntime(DockerClient& client, DockerRuntimeOptions options)
    : client_(client), options_(std::move(options)) {}

json::value DockerRuntime::inspect(const std::string& id) {
  auto r = client_.call("GET", "/containers/" + id + "/json");
  if (r.status != 200) fail(r, "container " + id);
  return r.json();
}

rt::VersionResponse DockerRuntime::version() {
  auto r = client_.call("GET", "/version");
  if (r.status != 200) fail(r, "version");
  rt::VersionResponse v;
  v.set_runtime_name("docker");
  v.set_runtime_version(str(r.json(), {"Version"}));
  v.set_api_version("v1");
  return v;
}

rt::StatusResponse DockerRuntime::status() {
  rt::StatusResponse s;
  try {
    auto r = client_.call("GET", "/_ping");
    s.set_ready(r.status == 200);
    s.set_message(r.status == 200 ? "docker is up" : r.message());
    if (s.ready() && options_.pod_network) {
      options_.pod_network->configuration();  // as the kubelet's NetworkReady: no CNI config, not ready
      s.set_message("docker is up, CNI network configuration present");
    }
  } catch (const Error& e) {
    s.set_ready(false);
    s.set_message(e.status().message);
  }
  return s;
}

rt::ImageResponse DockerRuntime::image(const rt::ImageRequest& request) {
  const std::string& name = request.image();
  std::string policy = request.pull_policy().empty() ? "IfNotPresent" : request.pull_policy();
  auto present = client_.call("GET", "/images/" + name + "/json");
  rt::ImageResponse out;
  if (present.status == 200 && policy != "Always") {
    out.set_image_ref(str(present.json(), {"Id"}));
    out.set_size_bytes(num(present.json(), {"Size"}));
    return out;
  }
  if (policy == "Never")
    throw Error(Status{404, "ErrImageNeverPull",
                       "Container image \"" + name + "\" is not present with pull policy of Never"});
  // Pull: Docker streams progress as JSON lines; an error is one of them.
  std::string repo = name, tag = "latest";
  auto colon = name.rfind(':');
  auto slash = name.rfind('/');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    repo = name.substr(0, colon);
    tag = name.substr(colon + 1);
  }
  std::string error, progress;
  unsigned status = client_.stream(
      "POST", "/images/create?fromImage=" + url_escape(repo) + "&tag=" + url_escape(tag), std::nullopt,
      [&](std::string_view data) {
        progress.append(data);
        std::size_t nl;
        while ((nl = progress.find('\n')) != std::string::npos) {
          boost::system::error_code ec;
          auto line = json::parse(progress.substr(0, nl), ec);
          progress.erase(0, nl + 1);
          if (!ec && line.is_object())
            if (const auto* e = line.as_object().if_contains("error"); e && e->is_string()) error = std::string(e->as_string());
        }
        return true;
      },
      [this] { return stopping_.load(); });
  if (status != 200 || !error.empty()) {
    if (error.empty()) error = progress.empty() ? "the pull failed (" + std::to_string(status) + ")" : progress;
    while (!error.empty() && error.back() == '\n') error.pop_back();
    throw Error(Status{502, "ErrImagePull", "Failed to pull image \"" + name + "\": " + error});
  }
  auto pulled = client_.call("GET", "/images/" + name + "/json");
  if (pulled.status != 200) fail(pulled, "image " + name);
  out.set_image_ref(str(pulled.json(), {"Id"}));
  out.set_size_bytes(num(pulled.json(), {"Size"}));
  out.set_pulled(true);
  return out;
}

json::object DockerRuntime::sandbox_body(const rt::SandboxConfig& config, bool on_cni) const {
  json::object host;
  host["NetworkMode"] = config.host_network() ? "host" : on_cni ? "none" : options_.network_mode;
  host["IpcMode"] = config.host_ipc() ? "host" : "shareable";  // its containers join its IPC namespace
  if (config.host_pid()) host["PidMode"] = "host";
  host["Init"] = true;            // docker-init reaps and forwards SIGTERM
  json::object bindings, exposed;
  for (const auto& p : config.port_mappings()) {
    if (p.host_port() == 0) continue;
    std::string key = std::to_string(p.container_port()) + "/" + (p.protocol().empty() ? "tcp" : p.protocol() == "UDP" ? "udp" : "tcp");
    json::object binding{{"HostPort", std::to_string(p.host_port())}};
    if (!p.host_ip().empty()) binding["HostIp"] = p.host_ip();
    bindings[key] = json::array{binding};
    exposed[key] = json::object{};
  }
  // On CNI, hostPorts are portmap's (the portMappings capability), not Docker's.
  if (!bindings.empty() && !config.host_network() && !on_cni) host["PortBindings"] = bindings;
  // The sandbox's own resolver as the pod's (the kubelet mounts the pod's file over each
  // container's /etc/resolv.conf, so Docker's rendering of it is never what a container sees).
  // A host-network sandbox keeps the host's: older Docker refuses DNS settings with it.
  if (!config.host_network()) {
    auto strings = [](const auto& items) { return json::value_from(std::vector<std::string>(items.begin(), items.end())); };
    if (!config.dns_servers().empty()) host["Dns"] = strings(config.dns_servers());
    if (!config.dns_searches().empty()) host["DnsSearch"] = strings(config.dns_searches());
    if (!config.dns_options().empty()) host["DnsOptions"] = strings(config.dns_options());
  }
  json::object body{{"Image", options_.sandbox_image}, {"Labels", labels_json(sdk::sandbox_labels(config))}, {"HostConfig", host}};
  if (!config.host_network() && !config.hostname().empty()) body["Hostname"] = config.hostname();
  if (!exposed.empty() && !on_cni) body["ExposedPorts"] = exposed;
  return body;
}

rt::RunSandboxResponse DockerRuntime::run_sandbox(const rt::RunSandboxRequest& request) {
  const auto& config = request.config();
  bool on_cni = options_.pod_network && !config.host_network();
  if (on_cni) options_.pod_network->configuration();  // no network, no sandbox: say so before creating one
  json::object body = sandbox_body(config, on_cni);

  std::string name = docker_name({"sandbox", config.namespace_(), config.pod_name(), short_uid(config.pod_uid())});
  auto created = client_.call("POST", "/containers/create?name=" + name, json::value(body));
  if (created.status == 409) {  // a sandbox left over from an earlier attempt of this pod
    auto old = client_.call("GET", "/containers/" + name + "/json");
    if (old.status == 200) detach_network(str(old.json(), {"Id"}));
    client_.call("DELETE", "/containers/" + name + "?force=true&v=true");
    created = client_.call("POST", "/containers/create?name=" + name, json::value(body));
  }
  if (created.status == 404)
    throw Error(Status{404, "SandboxImageMissing",
                       "the sandbox image " + options_.sandbox_image + " is missing; `make up` builds it (scripts/images.sh)"});
  if (created.status != 201) fail(created, "creating the sandbox of " + config.namespace_() + "/" + config.pod_name());
  std::string id = str(created.json(), {"Id"});
  auto started = client_.call("POST", "/containers/" + id + "/start");
  if (started.status != 204 && started.status != 304) {
    client_.call("DELETE", "/containers/" + id + "?force=true");
    fail(started, "starting the sandbox of " + config.namespace_() + "/" + config.pod_name());
  }
  rt::RunSandboxResponse out;
  out.set_sandbox_id(id);
  out.set_ip(on_cni ? attach_network(id, config) : sandbox_status(id).ip());
  return out;
}

std::string DockerRuntime::attach_network(const std::string& id, const rt::SandboxConfig& config) {
  try {
    return options_.pod_network->attach(id, netns_of(static_cast<int>(num(inspect(id), {"State", "Pid"}))), config);
  } catch (const Error&) {
    client_.call("DELETE", "/containers/" + id + "?force=true&v=true");
    throw;
  }
}

void DockerRuntime::detach_network(const std::string& id) {
  if (!options_.pod_network) return;
  auto c = client_.call("GET", "/containers/" + id + "/json");
  if (c.status != 200) {  // gone: DEL without its namespace
    options_.pod_network->detach(id, "");
    return;
  }
  // Records are named by full id; a caller may have given a short one.
  options_.pod_network->detach(str(c.json(), {"Id"}), netns_of(static_cast<int>(num(c.json(), {"State", "Pid"}))));
}

std::string DockerRuntime::ip_of(const std::string& id, std::string docker_ip) const {
  if (!options_.pod_network) return docker_ip;
  return options_.pod_network->ip_of(id).value_or(std::move(docker_ip));
}

void DockerRuntime::release_networks_of_dead_sandboxes(spdlog::logger& log) {
  if (!options_.pod_network) return;
  for (const auto& id : options_.pod_network->attached()) {
    try {
      auto c = client_.call("GET", "/containers/" + id + "/json");
      bool running = c.status == 200 && c.json().at("State").as_object().if_contains("Running") &&
                     c.json().at("State").at("Running").as_bool();
      if (running && options_.pod_network->ip_of(id)) continue;
      if (running) {  // the runtime died during its ADD: a sandbox without its network, which the kubelet replaces
        stop_sandbox(id);
        log.info("stopped sandbox {} and released its network: its CNI ADD was interrupted", id);
        continue;
      }
      options_.pod_network->detach(id, "");
      log.info("released the network of sandbox {} ({})", id, c.status == 200 ? "not running" : "gone");
    } catch (const std::exception& e) {
      log.warn("cannot release the network of sandbox {} yet (retried when it is stopped or removed): {}", id, e.what());
    }
  }
}

void DockerRuntime::stop_sandbox(const std::string& id) {
  // The network first, as the kubelet tears it down, while the namespace is still there. The
  // sandbox stops even when DEL fails; the record stays, and the next stop or remove retries.
  std::optional<Error> network_error;
  try {
    detach_network(id);
  } catch (const Error& e) {
    network_error = e;
  }
  auto r = client_.call("POST", "/containers/" + id + "/stop?t=2", std::chrono::seconds(30));
  if (r.status != 204 && r.status != 304 && r.status != 404) fail(r, "stopping sandbox " + id);
  if (network_error) throw *network_error;
}

void DockerRuntime::remove_sandbox(const std::string& id) {
  detach_network(id);  // a sandbox whose IP cannot be released stays, so the kubelet retries
  // Its containers first: they share its namespaces.
  auto children = client_.call("GET", "/containers/json?all=1&filters=" +
                                          url_escape(json::serialize(json::object{
                                              {"label", json::array{json::string(std::string(sdk::label::kSandboxId) + "=" + id)}}})));
  auto listed = children.json();
  if (children.status == 200 && listed.is_array())
    for (const auto& c : listed.as_array()) client_.call("DELETE", "/containers/" + str(c, {"Id"}) + "?force=true&v=true");
  auto r = client_.call("DELETE", "/containers/" + id + "?force=true&v=true", std::chrono::seconds(30));
  if (r.status != 204 && r.status != 404) fail(r, "removing sandbox " + id);
}

rt::Sandbox DockerRuntime::sandbox_status(const std::string& id) {
  auto c = inspect(id);
  rt::Sandbox s;
  s.set_id(str(c, {"Id"}));
  bool running = c.at("State").as_object().if_contains("Running") && c.at("State").at("Running").as_bool();
  s.set_state(running ? "READY" : "NOTREADY");
  std::string ip = str(c, {"NetworkSettings", "IPAddress"});
  if (ip.empty())
    if (const auto* nets = c.at("NetworkSettings").as_object().if_contains("Networks"); nets && nets->is_object())
      for (const auto& [name, net] : nets->as_object())
        if (ip.empty()) ip = str(net, {"IPAddress"});
  s.set_ip(ip_of(s.id(), ip));
  map_labels(c.at("Config").at("Labels"), *s.mutable_labels());
  s.set_created_at(str(c, {"Created"}));
  return s;
}

rt::ListSandboxesResponse DockerRuntime::list_sandboxes(const rt::ListSandboxesRequest& request) {
  auto r = client_.call("GET", "/containers/json?all=1&filters=" + filters(request.labels(), "sandbox"));
  if (r.status != 200) fail(r, "listing sandboxes");
  rt::ListSandboxesResponse out;
  auto listed = r.json();
  for (const auto& c : listed.as_array()) {
    auto* s = out.add_sandboxes();
    s->set_id(str(c, {"Id"}));
    s->set_state(str(c, {"State"}) == "running" ? "READY" : "NOTREADY");
    map_labels(c.at("Labels"), *s->mutable_labels());
    s->set_created_at(unix_to_rfc3339(num(c, {"Created"})));
    if (const auto* nets = c.at("NetworkSettings").as_object().if_contains("Networks"); nets && nets->is_object())
      for (const auto& [name, net] : nets->as_object())
        if (s->ip().empty()) s->set_ip(str(net, {"IPAddress"}));
    s->set_ip(ip_of(s->id(), s->ip()));
  }
  return out;
}

rt::CreateContainerResponse DockerRuntime::create_container(const rt::CreateContainerRequest& request) {
  const auto& config = request.config();
  const auto& pod = request.sandbox_config();
  auto sandbox = inspect(request.sandbox_id());
  bool host_network = str(sandbox, {"HostConfig", "NetworkMode"}) == "host";
  json::object labels = labels_json(sdk::container_labels(request));

  json::object host;
  host["NetworkMode"] = host_network ? "host" : "container:" + request.sandbox_id();
  set_pid_and_ipc_modes(host, request, host_network);
  host["Init"] = true;
  if (config.memory_limit_bytes() > 0) host["Memory"] = config.memory_limit_bytes();
  if (config.cpu_limit_millis() > 0) host["NanoCpus"] = config.cpu_limit_millis() * 1000000;
  if (config.cpu_request_millis() > 0) host["CpuShares"] = std::max<std::int64_t>(2, config.cpu_request_millis() * 1024 / 1000);
  json::array binds;
  for (const auto& m : config.mounts())
    binds.push_back(json::string(m.host_path() + ":" + m.container_path() + (m.read_only() ? ":ro" : "")));
  if (!binds.empty()) host["Binds"] = binds;
  // The securityContext (Docker takes capability names with or without CAP_, and ALL).
  if (!config.capabilities_add().empty())
    host["CapAdd"] = json::value_from(std::vector<std::string>(config.capabilities_add().begin(), config.capabilities_add().end()));
  if (!config.capabilities_drop().empty())
    host["CapDrop"] = json::value_from(std::vector<std::string>(config.capabilities_drop().begin(), config.capabilities_drop().end()));
  if (config.read_only_root()) host["ReadonlyRootfs"] = true;
  if (config.privileged()) host["Privileged"] = true;
  if (config.no_new_privileges()) host["SecurityOpt"] = json::array{"no-new-privileges"};

  json::object body{{"Image", config.image()}, {"Labels", labels}, {"HostConfig", host}};
  if (config.has_run_as_user())
    body["User"] = std::to_string(config.run_as_user()) +
                   (config.has_run_as_group() ? ":" + std::to_string(config.run_as_group()) : "");
  // Kubernetes' rules: command replaces the entrypoint (and drops the image's cmd), args
  // replace the cmd.
  if (!config.command().empty()) {
    body["Entrypoint"] = json::value_from(std::vector<std::string>(config.command().begin(), config.command().end()));
    body["Cmd"] = json::value_from(std::vector<std::string>(config.args().begin(), config.args().end()));
  } else if (!config.args().empty()) {
    body["Cmd"] = json::value_from(std::vector<std::string>(config.args().begin(), config.args().end()));
  }
  if (!config.working_dir().empty()) body["WorkingDir"] = config.working_dir();
  json::array env;
  for (const auto& kv : config.env()) env.push_back(json::string(kv.key() + "=" + kv.value()));
  if (!env.empty()) body["Env"] = env;
  body["Tty"] = config.tty();
  body["OpenStdin"] = config.stdin();
  body["StdinOnce"] = config.stdin() && config.stdin_once();
  body["AttachStdin"] = config.stdin();  // so docker keeps stdin open until someone attaches

  std::string name = docker_name({config.name(), pod.namespace_(), pod.pod_name(), short_uid(pod.pod_uid()),
                                  std::to_string(config.attempt())});
  auto r = client_.call("POST", "/containers/create?name=" + name, json::value(body));
  if (r.status == 404 && !config.target_container_id().empty() && r.message().find("No such container") != std::string::npos)
    throw Error(Status::NotFound("target container " + config.target_container_id() + " is gone: " + r.message()));
  if (r.status == 404)
    throw Error(Status{404, "ErrImagePull", "image \"" + config.image() + "\" is not present: " + r.message()});
  if (r.status != 201) fail(r, "creating container " + config.name());
  rt::CreateContainerResponse out;
  out.set_container_id(str(r.json(), {"Id"}));
  return out;
}

void DockerRuntime::start_container(const std::string& id) {
  auto r = client_.call("POST", "/containers/" + id + "/start", std::chrono::seconds(60));
  if (r.status != 204 && r.status != 304) fail(r, "starting container " + id);
}

void DockerRuntime::stop_container(const std::string& id, std::int64_t timeout_seconds) {
  auto r = client_.call("POST", "/containers/" + id + "/stop?t=" + std::to_string(std::max<std::int64_t>(0, timeout_seconds)),
                        std::chrono::seconds(timeout_seconds + 30));
  if (r.status != 204 && r.status != 304) fail(r, "stopping container " + id);
}

void DockerRuntime::remove_container(const std::string& id) {
  auto r = client_.call("DELETE", "/containers/" + id + "?force=true&v=true", std::chrono::seconds(30));
  if (r.status != 204) fail(r, "removing container " + id);
}

rt::ContainerStatus DockerRuntime::container_status(const std::string& id) {
  auto c = inspect(id);
  rt::ContainerStatus s;
  s.set_id(str(c, {"Id"}));
  std::string name = str(c, {"Name"});
  map_labels(c.at("Config").at("Labels"), *s.mutable_labels());
  s.set_name(s.labels().count(sdk::label::kContainerName) ? s.labels().at(sdk::label::kContainerName) : name);
  s.set_image(str(c, {"Config", "Image"}));
  s.set_image_ref(str(c, {"Image"}));
  std::string state = str(c, {"State", "Status"});
  s.set_state(state == "created" ? "CREATED"
              : state == "running" || state == "paused" || state == "restarting" ? "RUNNING"
              : state == "exited" || state == "dead" || state == "removing" ? "EXITED"
                                                                            : "UNKNOWN");
  s.set_created_at(str(c, {"Created"}));
  s.set_started_at(time_or_empty(str(c, {"State", "StartedAt"})));
  s.set_finished_at(time_or_empty(str(c, {"State", "FinishedAt"})));
  s.set_exit_code(static_cast<int>(num(c, {"State", "ExitCode"})));
  bool oom = c.at("State").as_object().if_contains("OOMKilled") && c.at("State").at("OOMKilled").as_bool();
  if (s.state() == "EXITED") s.set_reason(oom ? "OOMKilled" : s.exit_code() == 0 ? "Completed" : "Error");
  s.set_message(str(c, {"State", "Error"}));
  if (s.labels().count(sdk::label::kSandboxId)) s.set_sandbox_id(s.labels().at(sdk::label::kSandboxId));
  return s;
}

rt::ListContainersResponse DockerRuntime::list_containers(const rt::ListContainersRequest& request) {
  google::protobuf::Map<std::string, std::string> labels = request.labels();
  if (!request.sandbox_id().empty()) labels[sdk::label::kSandboxId] = request.sandbox_id();
  auto r = client_.call("GET", "/containers/json?all=1&filters=" + filters(labels, "container"));
  if (r.status != 200) fail(r, "listing containers");
  rt::ListContainersResponse out;
  auto listed = r.json();
  for (const auto& c : listed.as_array()) {
    auto* s = out.add_containers();
    s->set_id(str(c, {"Id"}));
    map_labels(c.at("Labels"), *s->mutable_labels());
    s->set_name(s->labels().count(sdk::label::kContainerName) ? s->labels().at(sdk::label::kContainerName) : "");
    s->set_image(str(c, {"Image"}));
    s->set_image_ref(str(c, {"ImageID"}));
    std::string state = str(c, {"State"});
    s->set_state(state == "created" ? "CREATED" : state == "running" ? "RUNNING" : state == "exited" ? "EXITED" : "UNKNOWN");
    s->set_created_at(unix_to_rfc3339(num(c, {"Created"})));
    if (s->labels().count(sdk::label::kSandboxId)) s->set_sandbox_id(s->labels().at(sdk::label::kSandboxId));
  }
  if (!request.verbose()) return out;
  rt::ListContainersResponse full;
  for (const auto& c : out.containers()) {
    try {
      *full.add_containers() = container_status(c.id());
    } catch (const Error& e) {
      if (e.status().code != 404) throw;  // removed since the list: not there any more
    }
  }
  return full;
}

// The engine's own stats call: only when the container's cgroup files cannot be read here
// (dockerd on another machine or in another cgroup namespace).
rt::StatsResponse DockerRuntime::engine_stats(const std::string& id) {
  auto r = client_.call("GET", "/containers/" + id + "/stats?stream=false&one-shot=true", std::chrono::seconds(10));
  if (r.status != 200) fail(r, "stats of " + id);
  auto s = r.json();
  rt::StatsResponse out;
  out.set_cpu_usage_nanos(static_cast<std::uint64_t>(num(s, {"cpu_stats", "cpu_usage", "total_usage"})));
  std::int64_t usage = num(s, {"memory_stats", "usage"});
  std::int64_t inactive = num(s, {"memory_stats", "stats", "total_inactive_file"});
  if (inactive == 0) inactive = num(s, {"memory_stats", "stats", "inactive_file"});
  out.set_memory_usage_bytes(static_cast<std::uint64_t>(usage));
  out.set_memory_working_set_bytes(static_cast<std::uint64_t>(std::max<std::int64_t>(0, usage - inactive)));
  out.set_timestamp(sdk::format_rfc3339_micro(sdk::WallClock::now()));
  return out;
}

// Read from the container's cgroup (found through its process) rather than the engine's stats
// call, which is slower by far; the writable layer is overlay2's upper dir, measured by a bounded walk
// at most every 30 s.
rt::StatsResponse DockerRuntime::stats(const std::string& id) {
  auto c = inspect(id);
  int pid = static_cast<int>(num(c, {"State", "Pid"}));
  if (pid <= 0) throw Error(Status::Conflict("container " + id + " is not running: no stats"));
  static const auto version = runtime_common::cgroup_version();
  auto dirs = runtime_common::cgroup_dirs_of_pid(pid, version);
  rt::StatsResponse out = dirs && std::filesystem::exists(dirs->memory) ? runtime_common::read_cgroup_stats(*dirs)
                                                                          : engine_stats(id);
  if (std::string upper = str(c, {"GraphDriver", "Data", "UpperDir"}); !upper.empty()) {
    auto layer = layer_usage_.measure(upper);
    out.set_rootfs_used_bytes(layer.bytes);
    out.set_rootfs_inodes_used(layer.inodes);
  }
  return out;
}

// The sandbox container's process holds the pod's network namespace (none with host network).
rt::SandboxStatsResponse DockerRuntime::sandbox_stats(const std::string& sandbox_id) {
  auto sandbox = inspect(sandbox_id);
  int pid = static_cast<int>(num(sandbox, {"State", "Pid"}));
  if (str(sandbox, {"HostConfig", "NetworkMode"}) == "host" || pid <= 0) return {};
  return runtime_common::sandbox_network_stats(netns_of(pid));
}

// Docker's `since`: unix seconds with a nine-digit fraction, inclusive; the later of the two asks.
static std::string docker_since(const rt::LogsRequest& request) {
  std::int64_t nanos = runtime_common::logs_not_before_nanos(request.since_seconds(), request.since_time_unix_nano());
  if (nanos <= 0) return "";
  char text[48];
  std::snprintf(text, sizeof text, "%lld.%09lld", static_cast<long long>(nanos / 1000000000),
                static_cast<long long>(nanos % 1000000000));
  return text;
}

sdk::StreamBody DockerRuntime::logs(const rt::LogsRequest& request) {
  auto c = inspect(request.container_id());  // 404 before the stream starts
  bool tty = c.at("Config").as_object().if_contains("Tty") && c.at("Config").at("Tty").as_bool();
  std::string target = "/containers/" + request.container_id() + "/logs?stdout=1&stderr=1";
  if (request.follow()) target += "&follow=1";
  if (request.tail_lines() >= 0) target += "&tail=" + std::to_string(request.tail_lines());
  // Without a tty the entries are framed: stamped, they can be joined back into whole lines.
  if (request.timestamps() || !tty) target += "&timestamps=1";
  if (std::string since = docker_since(request); !since.empty()) target += "&since=" + since;
  return [this, target, tty, stamps = request.timestamps()](sdk::RuntimeStream& stream) {
    StampedLineJoiner lines(stamps, [&](int fd, std::string_view line) { stream.write(fd, line); });
    Demultiplexer demux([&](int fd, std::string_view entry) { lines.add(fd, entry); });
    unsigned status = client_.stream(
        "GET", target, std::nullopt,
        [&](std::string_view data) {
          if (tty) stream.write(1, data);
          else demux.feed(data);
          return true;
        },
        [&] { return stream.stopped(); },
        [&](std::function<void()> cancel) { stream.on_stop(std::move(cancel)); });  // a quiet follow ends too
    lines.flush();
    if (status != 200 && status != 0)
      throw Error(Status::Internal("docker answered " + std::to_string(status) + " for the logs"));
    return 0;
  };
}

sdk::StreamBody DockerRuntime::exec(const rt::ExecRequest& request) {
  json::object create{{"AttachStdout", true}, {"AttachStderr", true}, {"AttachStdin", request.stdin()},
                      {"Tty", request.tty()},
                      {"Cmd", json::value_from(std::vector<std::string>(request.command().begin(), request.command().end()))}};
  auto made = client_.call("POST", "/containers/" + request.container_id() + "/exec", json::value(create));
  if (made.status != 201) fail(made, "exec in " + request.container_id());
  std::string exec_id = str(made.json(), {"Id"});
  auto raw = std::shared_ptr<RawStream>(client_.hijack("/exec/" + exec_id + "/start",
                                                       json::object{{"Detach", false}, {"Tty", request.tty()}}));
  return [this, raw, exec_id, tty = request.tty(), with_stdin = request.stdin()](sdk::RuntimeStream& stream) {
    if (tty) stream.on_resize([this, exec_id](std::uint32_t w, std::uint32_t h) { resize("/exec/" + exec_id, w, h); });
    if (with_stdin)
      stream.on_stdin([raw](std::string_view data, bool last) {
        try {
          if (!data.empty()) raw->write(data);
          if (last) raw->close_write();
        } catch (const Error&) {
          // The command ended and closed its input: what is left goes nowhere, as with docker exec.
        }
      });
    Demultiplexer demux([&](int fd, std::string_view data) { stream.write(fd, data); });
    char buffer[16384];
    while (!stream.stopped()) {
      std::size_t n = raw->read(buffer, sizeof buffer);
      if (n == 0) break;
      if (tty) stream.write(1, std::string_view(buffer, n));
      else demux.feed(std::string_view(buffer, n));
    }
    auto result = client_.call("GET", "/exec/" + exec_id + "/json");
    return static_cast<int>(num(result.json(), {"ExitCode"}));
  };
}

// Docker's resize of an exec's or a container's tty; one that ended meanwhile is no error.
void DockerRuntime::resize(const std::string& path, std::uint32_t width, std::uint32_t height) {
  try {
    client_.call("POST", path + "/resize?h=" + std::to_string(height) + "&w=" + std::to_string(width));
  } catch (const std::exception&) {
    // The daemon went away: the stream ends on its own.
  }
}

// The sandbox container's process holds the pod's network namespace (none to enter with host network).
sdk::StreamBody DockerRuntime::port_forward(const rt::PortForwardRequest& request) {
  auto sandbox = inspect(request.sandbox_id());  // 404 before the stream starts
  bool host_network = str(sandbox, {"HostConfig", "NetworkMode"}) == "host";
  int pid = static_cast<int>(num(sandbox, {"State", "Pid"}));
  if (!host_network && pid <= 0)
    throw Error(Status::Conflict("sandbox " + request.sandbox_id() + " is not running: no network namespace to forward into"));
  return runtime_common::forward_port(host_network ? "" : netns_of(pid), request.port());
}

// Docker's attach: the container's own stdio on a hijacked connection, multiplexed unless it has a tty.
sdk::StreamBody DockerRuntime::attach(const rt::AttachRequest& request) {
  auto c = inspect(request.container_id());  // 404 before the stream starts
  const auto& state = c.at("State").as_object();
  if (!state.if_contains("Running") || !state.at("Running").as_bool())
    throw Error(Status::Conflict("container " + request.container_id() + " is not running: cannot attach to it"));
  bool tty = c.at("Config").as_object().if_contains("Tty") && c.at("Config").at("Tty").as_bool();
  std::string query = std::string("?stream=1&stdout=1&stderr=1&stdin=") + (request.stdin() ? "1" : "0");
  auto raw = std::shared_ptr<RawStream>(client_.hijack("/containers/" + request.container_id() + "/attach" + query,
                                                       json::object{}));
  return [this, raw, tty, id = request.container_id(), with_stdin = request.stdin()](sdk::RuntimeStream& stream) {
    if (tty) stream.on_resize([this, id](std::uint32_t w, std::uint32_t h) { resize("/containers/" + id, w, h); });
    if (with_stdin)
      stream.on_stdin([raw](std::string_view data, bool last) {
        try {
          if (!data.empty()) raw->write(data);
          if (last) raw->close_write();
        } catch (const Error&) {
          // The container ended and closed its input: what is left goes nowhere.
        }
      });
    stream.on_stop([raw] { raw->shutdown(); });  // the caller left: stop reading, the container runs on
    Demultiplexer demux([&](int fd, std::string_view data) { stream.write(fd, data); });
    char buffer[16384];
    while (!stream.stopped()) {
      std::size_t n = raw->read(buffer, sizeof buffer);
      if (n == 0) break;
      if (tty) stream.write(1, std::string_view(buffer, n));
      else demux.feed(std::string_view(buffer, n));
    }
    return 0;
  };
}

}  // namespace skiff::docker
