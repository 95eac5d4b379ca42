// Pod specs, containers, probes, resources and tolerations, checked as Kubernetes' ValidatePodSpec.
#include "pod_validation.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <map>
#include <set>

#include "downward_validation.hpp"
#include "field_rules.hpp"
#include "go_values.hpp"
#include "skiff/sdk/quantity.hpp"
#include "volume_validation.hpp"

namespace skiff::apiserver {

namespace {

namespace core = api::core::v1;
namespace meta = api::meta::v1;
using Containers = google::protobuf::RepeatedPtrField<core::Container>;

std::string idx(const std::string& path, int i) { return path + "[" + std::to_string(i) + "]"; }

void each(FieldErrors& errors, const std::string& field, const std::string& value_json, const Messages& messages) {
  for (const auto& m : messages) errors.invalid(field, value_json, m);
}

bool is_ip_address(const std::string& text) {
  unsigned char bytes[16];
  return inet_pton(AF_INET, text.c_str(), bytes) == 1 || inet_pton(AF_INET6, text.c_str(), bytes) == 1;
}

bool one_of(const std::string& value, const std::vector<std::string>& allowed) {
  return std::find(allowed.begin(), allowed.end(), value) != allowed.end();
}

void check_port_number(FieldErrors& errors, const std::string& field, int port) {
  each(errors, field, std::to_string(port), port_number_errors(port));
}

// Kubernetes' ValidatePortNumOrName.
void check_port_num_or_name(FieldErrors& errors, const std::string& field, const meta::IntOrString& port) {
  if (port.type() == 0) check_port_number(errors, field, port.int_val());
  else each(errors, field, quoted(port.str_val()), port_name_errors(port.str_val()));
}

void check_probe(FieldErrors& errors, const std::string& field, const core::Probe& probe) {
  int handlers = probe.has_exec() + probe.has_http_get() + probe.has_tcp_socket() + probe.has_grpc();
  if (handlers == 0) errors.required(field, "must specify a handler type");
  if (handlers > 1) errors.forbidden(field, "may not specify more than 1 handler type");
  if (probe.has_exec() && probe.exec().command().empty()) errors.required(field + ".exec.command");
  if (probe.has_http_get()) check_port_num_or_name(errors, field + ".httpGet.port", probe.http_get().port());
  if (probe.has_tcp_socket()) check_port_num_or_name(errors, field + ".tcpSocket.port", probe.tcp_socket().port());
  for (auto [name, value] : {std::pair{"initialDelaySeconds", probe.initial_delay_seconds()},
                             std::pair{"timeoutSeconds", probe.timeout_seconds()},
                             std::pair{"periodSeconds", probe.period_seconds()},
                             std::pair{"successThreshold", probe.success_threshold()},
                             std::pair{"failureThreshold", probe.failure_threshold()}})
    if (value < 0) errors.invalid(field + "." + name, std::to_string(value), "must be greater than or equal to 0");
}

void check_resources(FieldErrors& errors, const std::string& field, const core::ResourceRequirements& resources) {
  for (const auto* list : {&resources.limits(), &resources.requests()}) {
    std::string which = list == &resources.limits() ? ".limits" : ".requests";
    for (const auto& [name, quantity] : std::map<std::string, std::string>(list->begin(), list->end())) {
      auto value = sdk::parse_quantity_milli(quantity);
      if (!value)
        errors.invalid(field + which + "[" + name + "]", quoted(quantity),
                       "must match the regex ^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$");
      else if (*value < 0)
        errors.invalid(field + which + "[" + name + "]", quoted(quantity), "must be greater than or equal to 0");
    }
  }
  for (const auto& [name, request] : std::map<std::string, std::string>(resources.requests().begin(), resources.requests().end())) {
    auto limit = resources.limits().find(name);
    if (limit == resources.limits().end()) continue;
    auto r = sdk::parse_quantity_milli(request), l = sdk::parse_quantity_milli(limit->second);
    if (r && l && *r > *l)  // Kubernetes names the list, not the key, here
      errors.invalid(field + ".requests", quoted(request), "must be less than or equal to " + name + " limit of " + limit->second);
  }
}

void check_container_ports(FieldErrors& errors, const std::string& field, const core::Container& c) {
  std::set<std::string> names;
  for (int p = 0; p < c.ports_size(); ++p) {
    const auto& port = c.ports(p);
    std::string at = idx(field, p);
    if (!port.name().empty()) {
      Messages bad = port_name_errors(port.name());
      each(errors, at + ".name", quoted(port.name()), bad);
      if (bad.empty() && !names.insert(port.name()).second) errors.duplicate(at + ".name", quoted(port.name()));
    }
    if (port.container_port() == 0) errors.required(at + ".containerPort");
    else check_port_number(errors, at + ".containerPort", port.container_port());
    if (port.host_port() != 0) check_port_number(errors, at + ".hostPort", port.host_port());
    if (port.protocol().empty()) errors.required(at + ".protocol");
    else if (!one_of(port.protocol(), {"SCTP", "TCP", "UDP"})) errors.unsupported(at + ".protocol", port.protocol(), {"SCTP", "TCP", "UDP"});
  }
}

void check_env(FieldErrors& errors, const std::string& field, const core::Container& c) {
  for (int e = 0; e < c.env_size(); ++e) {
    const auto& env = c.env(e);
    std::string at = idx(field, e);
    if (env.name().empty()) errors.required(at + ".name");
    else each(errors, at + ".name", quoted(env.name()), env_var_name_errors(env.name()));
    check_env_value_from(errors, at + ".valueFrom", env);
  }
}

// An init container's own rules: restartPolicy Always (a sidecar) or none; only sidecars
// have probes. False when its probes are not to be checked further.
bool check_init_container(FieldErrors& errors, const std::string& at, const core::Container& c) {
  bool sidecar = c.restart_policy() == "Always";
  if (!c.restart_policy().empty() && !sidecar) errors.unsupported(at + ".restartPolicy", c.restart_policy(), {"Always"});
  if (sidecar) return true;
  const char* why = "may not be set for init containers without restartPolicy=Always";
  if (c.has_lifecycle()) errors.forbidden(at + ".lifecycle", why);
  if (c.has_liveness_probe()) errors.forbidden(at + ".livenessProbe", why);
  if (c.has_readiness_probe()) errors.forbidden(at + ".readinessProbe", why);
  if (c.has_startup_probe()) errors.forbidden(at + ".startupProbe", why);
  return false;
}

// Kubernetes' validateContainerCommon and what validateContainers adds: name, image, ports,
// env, mounts, pull policy, resources; then the duplicate name; then the probes.
void check_containers(FieldErrors& errors, const std::string& field, const Containers& containers,
                      std::set<std::string>& names, const std::set<std::string>& volumes, bool init) {
  for (int i = 0; i < containers.size(); ++i) {
    const core::Container& c = containers[i];
    std::string at = idx(field, i);
    if (c.name().empty()) errors.required(at + ".name");
    else each(errors, at + ".name", quoted(c.name()), dns1123_label_errors(c.name()));
    if (c.image().empty()) errors.required(at + ".image");
    check_container_ports(errors, at + ".ports", c);
    check_env(errors, at + ".env", c);
    for (int m = 0; m < c.volume_mounts_size(); ++m) {
      const auto& mount = c.volume_mounts(m);
      std::string mat = idx(at + ".volumeMounts", m);
      if (mount.name().empty()) errors.required(mat + ".name");
      if (!volumes.count(mount.name())) errors.add("FieldValueNotFound", mat + ".name", "Not found: " + quoted(mount.name()));
      if (mount.mount_path().empty()) errors.required(mat + ".mountPath");
    }
    const std::vector<std::string> pull = {"Always", "IfNotPresent", "Never"};
    if (!c.image_pull_policy().empty() && !one_of(c.image_pull_policy(), pull))
      errors.unsupported(at + ".imagePullPolicy", c.image_pull_policy(), pull);
    check_resources(errors, at + ".resources", c.resources());
    if (!c.name().empty() && !names.insert(c.name()).second) errors.duplicate(at + ".name", quoted(c.name()));
    if (init && !check_init_container(errors, at, c)) continue;
    if (c.has_liveness_probe()) check_probe(errors, at + ".livenessProbe", c.liveness_probe());
    if (c.has_readiness_probe()) check_probe(errors, at + ".readinessProbe", c.readiness_probe());
    if (c.has_startup_probe()) check_probe(errors, at + ".startupProbe", c.startup_probe());
  }
}

// Kubernetes' ValidateTolerations.
void check_tolerations(FieldErrors& errors, const std::string& field, const core::PodSpec& spec) {
  const std::vector<std::string> effects = {"NoSchedule", "PreferNoSchedule", "NoExecute"};
  for (int i = 0; i < spec.tolerations_size(); ++i) {
    const auto& t = spec.tolerations(i);
    std::string at = idx(field, i);
    if (!t.key().empty()) each(errors, at + ".key", quoted(t.key()), qualified_name_errors(t.key()));
    if (t.key().empty() && t.operator_() != "Exists")
      errors.invalid(at + ".operator", quoted(t.operator_()),
                     "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");
    if (t.has_toleration_seconds() && t.effect() != "NoExecute")
      errors.invalid(at + ".effect", quoted(t.effect()), "effect must be 'NoExecute' when `tolerationSeconds` is set");
    if (t.operator_().empty() || t.operator_() == "Equal") {
      Messages bad = label_value_errors(t.value());
      if (!bad.empty()) {
        std::string joined;
        for (const auto& m : bad) joined += (joined.empty() ? "" : ";") + m;
        errors.invalid(at + ".operator", quoted(t.value()), joined);
      }
    } else if (t.operator_() == "Exists") {
      if (!t.value().empty()) errors.invalid(at + ".operator", go_toleration(t), "value must be empty when `operator` is 'Exists'");
    } else {
      errors.unsupported(at + ".operator", t.operator_(), {"Equal", "Exists"});
    }
    if (!t.effect().empty() && !one_of(t.effect(), effects)) errors.unsupported(at + ".effect", t.effect(), effects);
  }
}

void check_node_affinity(FieldErrors& errors, const std::string& field, const core::PodSpec& spec) {
  if (!spec.has_affinity() || !spec.affinity().has_node_affinity()) return;
  const auto& required = spec.affinity().node_affinity().required_during_scheduling_ignored_during_execution();
  const std::vector<std::string> ops = {"DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"};
  for (int i = 0; i < required.node_selector_terms_size(); ++i)
    for (int j = 0; j < required.node_selector_terms(i).match_expressions_size(); ++j) {
      const auto& e = required.node_selector_terms(i).match_expressions(j);
      std::string at = field + ".affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[" +
                       std::to_string(i) + "].matchExpressions[" + std::to_string(j) + "]";
      if (!one_of(e.operator_(), ops)) errors.unsupported(at + ".operator", e.operator_(), ops);
      else if ((e.operator_() == "In" || e.operator_() == "NotIn") && e.values().empty())
        errors.required(at + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
    }
}

// Kubernetes' validatePodDNSConfig (with RelaxedDNSSearchValidation, on since 1.33): None needs
// nameservers; at most 3 IPs, 32 search domains of 2048 characters in all; named options.
void check_dns_config(FieldErrors& errors, const std::string& field, const core::PodSpec& spec) {
  if (spec.dns_policy() == "None") {
    if (!spec.has_dns_config())
      return errors.required(field, "must provide `dnsConfig` when `dnsPolicy` is None");
    if (spec.dns_config().nameservers().empty())
      return errors.required(field + ".nameservers", "must provide at least one DNS nameserver when `dnsPolicy` is None");
  }
  if (!spec.has_dns_config()) return;
  const auto& config = spec.dns_config();
  if (config.nameservers_size() > 3)
    errors.invalid(field + ".nameservers", go_strings(config.nameservers()), "must not have more than 3 nameservers");
  for (int i = 0; i < config.nameservers_size(); ++i)
    if (!is_ip_address(config.nameservers(i)))
      errors.invalid(idx(field + ".nameservers", i), quoted(config.nameservers(i)),
                     "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
  if (config.searches_size() > 32)
    errors.invalid(field + ".searches", go_strings(config.searches()), "must not have more than 32 search paths");
  std::size_t line = 0;
  for (const auto& search : config.searches()) line += search.size() + (line ? 1 : 0);
  if (line > 2048)
    errors.invalid(field + ".searches", go_strings(config.searches()),
                   "must not have more than 2048 characters (including spaces) in the search list");
  for (int i = 0; i < config.searches_size(); ++i) {
    std::string search = config.searches(i);
    if (search == ".") continue;  // "search nothing", a resolver's own way of saying it
    if (search.ends_with('.')) search.pop_back();  // a trailing dot is fine
    each(errors, idx(field + ".searches", i), quoted(search), dns1123_subdomain_with_underscore_errors(search));
  }
  for (int i = 0; i < config.options_size(); ++i)
    if (config.options(i).name().empty()) errors.required(idx(field + ".options", i), "must not be empty");
}

}  // namespace

void check_labels(FieldErrors& errors, const std::string& field, const StringMap& labels) {
  for (const auto& [key, value] : std::map<std::string, std::string>(labels.begin(), labels.end())) {
    each(errors, field, quoted(key), qualified_name_errors(key));
    each(errors, field, quoted(value), label_value_errors(value));
  }
}

void check_annotations(FieldErrors& errors, const std::string& field, const StringMap& annotations) {
  std::size_t bytes = 0;
  for (const auto& [key, value] : std::map<std::string, std::string>(annotations.begin(), annotations.end())) {
    std::string lower = key;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
    each(errors, field, quoted(key), qualified_name_errors(lower));  // case does not matter in annotation keys
    bytes += key.size() + value.size();
  }
  if (bytes > 256 * 1024) errors.too_long(field, 256 * 1024);
}

void check_pod_spec(FieldErrors& errors, const std::string& field, const core::PodSpec& spec) {
  std::set<std::string> volumes = check_volumes(errors, field + ".volumes", spec);
  if (spec.containers().empty()) errors.required(field + ".containers");
  // Regular containers first: a clash with an init container's name is reported on the init container.
  std::set<std::string> names;
  check_containers(errors, field + ".containers", spec.containers(), names, volumes, false);
  check_containers(errors, field + ".initContainers", spec.init_containers(), names, volumes, true);
  const std::vector<std::string> restart = {"Always", "OnFailure", "Never"};
  if (spec.restart_policy().empty()) errors.required(field + ".restartPolicy");
  else if (!one_of(spec.restart_policy(), restart)) errors.unsupported(field + ".restartPolicy", spec.restart_policy(), restart);
  const std::vector<std::string> dns = {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"};
  if (spec.dns_policy().empty()) errors.required(field + ".dnsPolicy");
  else if (!one_of(spec.dns_policy(), dns)) errors.unsupported(field + ".dnsPolicy", spec.dns_policy(), dns);
  check_labels(errors, field + ".nodeSelector", spec.node_selector());
  if (spec.has_termination_grace_period_seconds() && spec.termination_grace_period_seconds() < 0)
    errors.invalid(field + ".terminationGracePeriodSeconds", std::to_string(spec.termination_grace_period_seconds()),
                   "must be greater than or equal to 0");
  if (spec.has_active_deadline_seconds() &&
      (spec.active_deadline_seconds() < 1 || spec.active_deadline_seconds() > 2147483647))
    errors.invalid(field + ".activeDeadlineSeconds", std::to_string(spec.active_deadline_seconds()),
                   "must be between 1 and 2147483647, inclusive");
  if (spec.share_process_namespace() && spec.host_pid())
    errors.invalid(field + ".shareProcessNamespace", "true", "ShareProcessNamespace and HostPID cannot both be enabled");
  check_node_affinity(errors, field, spec);
  check_dns_config(errors, field + ".dnsConfig", spec);
  check_tolerations(errors, field + ".tolerations", spec);
}

}  // namespace skiff::apiserver
