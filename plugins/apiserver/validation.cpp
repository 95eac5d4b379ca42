// Per-type validators. Messages follow Kubernetes' so that kubectl prints familiar lines.
#include "validation.hpp"

#include <algorithm>
#include <regex>
#include <set>

#include <google/protobuf/util/message_differencer.h>

#include "api_error.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/networking/v1/networking.pb.h"
#include "skiff/api/node/v1/runtime_class.pb.h"
#include "skiff/sdk/object_meta.hpp"
#include "skiff/sdk/quantity.hpp"
#include "skiff/sdk/selector.hpp"

namespace skiff::apiserver {
namespace {

namespace core = api::core::v1;
namespace apps = api::apps::v1;
namespace meta = api::meta::v1;
using Differencer = google::protobuf::util::MessageDifferencer;

const std::regex kLabel("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
const std::regex kDns1035("[a-z]([-a-z0-9]*[a-z0-9])?");
const std::regex kQualifiedName("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
const std::regex kLabelValue("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
const std::regex kEnvVarName("[-._a-zA-Z][-._a-zA-Z0-9]*");
const std::regex kConfigKey("[-._a-zA-Z0-9]+");
const std::regex kIanaSvcName("[a-z0-9]([a-z0-9-]*[a-z0-9])?");

const char* kLabelHelp = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and "
                         "must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used "
                         "for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const char* kSubdomainHelp = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "
                             "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
                             "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const char* kDns1035Help = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
                           "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
                           "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

std::string idx(const std::string& path, int i) { return path + "[" + std::to_string(i) + "]"; }

void check_qualified_key(FieldErrors& errors, const std::string& field, const std::string& key) {
  std::string name = key;
  auto slash = key.find('/');
  if (slash != std::string::npos) {
    std::string prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (!is_dns1123_subdomain(prefix)) errors.invalid(field, quoted(key), "prefix part " + std::string(kSubdomainHelp));
  }
  if (name.empty() || name.size() > 63 || !std::regex_match(name, kQualifiedName))
    errors.invalid(field, quoted(key),
                   "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
                   "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                   "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
}

template <class Map>
void check_labels(FieldErrors& errors, const std::string& field, const Map& labels) {
  for (const auto& [key, value] : labels) {
    check_qualified_key(errors, field, key);
    if (value.size() > 63 || !std::regex_match(value, kLabelValue))
      errors.invalid(field, quoted(value),
                     "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                     "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                     "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  }
}

enum class NameRule { Subdomain, Label, Dns1035 };

void check_meta(FieldErrors& errors, const sdk::ResourceType& type, const meta::ObjectMeta& m, NameRule rule) {
  if (m.name().empty()) {
    errors.required("metadata.name", "name or generateName is required");
  } else {
    bool ok = rule == NameRule::Label     ? is_dns1123_label(m.name())
              : rule == NameRule::Dns1035 ? is_dns1035_label(m.name())
                                          : is_dns1123_subdomain(m.name());
    const char* help = rule == NameRule::Label ? kLabelHelp : rule == NameRule::Dns1035 ? kDns1035Help : kSubdomainHelp;
    if (!ok) errors.invalid("metadata.name", quoted(m.name()), help);
  }
  if (type.namespaced && m.namespace_().empty()) errors.required("metadata.namespace");
  check_labels(errors, "metadata.labels", m.labels());
  for (const auto& [key, value] : m.annotations()) check_qualified_key(errors, "metadata.annotations", key);
  std::size_t annotation_bytes = 0;
  for (const auto& [key, value] : m.annotations()) annotation_bytes += key.size() + value.size();
  if (annotation_bytes > 256 * 1024) errors.too_long("metadata.annotations", 256 * 1024);
}

void check_port(FieldErrors& errors, const std::string& field, int port) {
  if (port < 1 || port > 65535) errors.invalid(field, std::to_string(port), "must be between 1 and 65535, inclusive");
}

void check_int_or_string_port(FieldErrors& errors, const std::string& field, const meta::IntOrString& port) {
  if (port.type() == 0) {
    check_port(errors, field, port.int_val());
  } else if (port.str_val().empty() || port.str_val().size() > 15 || !std::regex_match(port.str_val(), kIanaSvcName)) {
    errors.invalid(field, quoted(port.str_val()), "must contain only lowercase alphanumeric characters or '-', at most 15");
  }
}

void check_probe(FieldErrors& errors, const std::string& field, const core::Probe& probe) {
  int handlers = probe.has_exec() + probe.has_http_get() + probe.has_tcp_socket() + probe.has_grpc();
  if (handlers == 0) errors.required(field, "must specify a handler type");
  if (handlers > 1) errors.forbidden(field, "may not specify more than 1 handler type");
  if (probe.has_http_get()) check_int_or_string_port(errors, field + ".httpGet.port", probe.http_get().port());
  if (probe.has_tcp_socket()) check_int_or_string_port(errors, field + ".tcpSocket.port", probe.tcp_socket().port());
  if (probe.has_exec() && probe.exec().command().empty()) errors.required(field + ".exec.command");
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
    for (const auto& [name, quantity] : *list) {
      auto value = sdk::parse_quantity_milli(quantity);
      if (!value) {
        errors.invalid(field + which + "[" + name + "]", quoted(quantity),
                       "must match the regex ^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$");
      } else if (*value < 0) {
        errors.invalid(field + which + "[" + name + "]", quoted(quantity), "must be greater than or equal to 0");
      }
    }
  }
  for (const auto& [name, request] : resources.requests()) {
    auto limit = resources.limits().find(name);
    if (limit == resources.limits().end()) continue;
    auto r = sdk::parse_quantity_milli(request), l = sdk::parse_quantity_milli(limit->second);
    if (r && l && *r > *l)
      errors.invalid(field + ".requests", quoted(request), "must be less than or equal to " + name + " limit of " +
                                                               limit->second);
  }
}

void check_containers(FieldErrors& errors, const std::string& field,
                      const google::protobuf::RepeatedPtrField<core::Container>& containers, std::set<std::string>& names,
                      const std::set<std::string>& volumes) {
  for (int i = 0; i < containers.size(); ++i) {
    const core::Container& c = containers[i];
    std::string at = idx(field, i);
    if (c.name().empty()) errors.required(at + ".name");
    else if (!is_dns1123_label(c.name())) errors.invalid(at + ".name", quoted(c.name()), kLabelHelp);
    else if (!names.insert(c.name()).second) errors.duplicate(at + ".name", quoted(c.name()));
    if (c.image().empty()) errors.required(at + ".image");
    std::set<std::string> port_names;
    for (int p = 0; p < c.ports_size(); ++p) {
      const auto& port = c.ports(p);
      std::string pat = idx(at + ".ports", p);
      check_port(errors, pat + ".containerPort", port.container_port());
      if (port.host_port() != 0) check_port(errors, pat + ".hostPort", port.host_port());
      if (!port.protocol().empty() && port.protocol() != "TCP" && port.protocol() != "UDP" && port.protocol() != "SCTP")
        errors.unsupported(pat + ".protocol", port.protocol(), {"SCTP", "TCP", "UDP"});
      if (!port.name().empty()) {
        if (port.name().size() > 15 || !std::regex_match(port.name(), kIanaSvcName))
          errors.invalid(pat + ".name", quoted(port.name()), "must be no more than 15 characters");
        else if (!port_names.insert(port.name()).second)
          errors.duplicate(pat + ".name", quoted(port.name()));
      }
    }
    for (int e = 0; e < c.env_size(); ++e) {
      const auto& env = c.env(e);
      std::string eat = idx(at + ".env", e);
      if (env.name().empty()) errors.required(eat + ".name");
      else if (!std::regex_match(env.name(), kEnvVarName))
        errors.invalid(eat + ".name", quoted(env.name()),
                       "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or "
                       "'.', and must not start with a digit");
      if (!env.value().empty() && env.has_value_from())
        errors.invalid(eat + ".valueFrom", "\"\"", "may not be specified when `value` is not empty");
    }
    for (int m = 0; m < c.volume_mounts_size(); ++m) {
      const auto& mount = c.volume_mounts(m);
      std::string mat = idx(at + ".volumeMounts", m);
      if (mount.mount_path().empty()) errors.required(mat + ".mountPath");
      if (!volumes.count(mount.name())) errors.add("FieldValueNotFound", mat + ".name", "Not found: " + quoted(mount.name()));
    }
    check_resources(errors, at + ".resources", c.resources());
    if (c.has_liveness_probe()) check_probe(errors, at + ".livenessProbe", c.liveness_probe());
    if (c.has_readiness_probe()) check_probe(errors, at + ".readinessProbe", c.readiness_probe());
    if (c.has_startup_probe()) check_probe(errors, at + ".startupProbe", c.startup_probe());
    if (!c.image_pull_policy().empty() && c.image_pull_policy() != "Always" && c.image_pull_policy() != "IfNotPresent" &&
        c.image_pull_policy() != "Never")
      errors.unsupported(at + ".imagePullPolicy", c.image_pull_policy(), {"Always", "IfNotPresent", "Never"});
  }
}

void check_pod_spec(FieldErrors& errors, const std::string& field, const core::PodSpec& spec) {
  std::set<std::string> volumes;
  for (int i = 0; i < spec.volumes_size(); ++i) {
    const auto& v = spec.volumes(i);
    if (v.name().empty()) errors.required(idx(field + ".volumes", i) + ".name");
    else if (!is_dns1123_label(v.name())) errors.invalid(idx(field + ".volumes", i) + ".name", quoted(v.name()), kLabelHelp);
    else if (!volumes.insert(v.name()).second) errors.duplicate(idx(field + ".volumes", i) + ".name", quoted(v.name()));
  }
  if (spec.containers().empty()) errors.required(field + ".containers");
  std::set<std::string> names;
  check_containers(errors, field + ".initContainers", spec.init_containers(), names, volumes);
  check_containers(errors, field + ".containers", spec.containers(), names, volumes);
  const std::vector<std::string> restart = {"Always", "OnFailure", "Never"};
  if (std::find(restart.begin(), restart.end(), spec.restart_policy()) == restart.end())
    errors.unsupported(field + ".restartPolicy", spec.restart_policy(), restart);
  const std::vector<std::string> dns = {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"};
  if (std::find(dns.begin(), dns.end(), spec.dns_policy()) == dns.end())
    errors.unsupported(field + ".dnsPolicy", spec.dns_policy(), dns);
  if (spec.has_termination_grace_period_seconds() && spec.termination_grace_period_seconds() < 0)
    errors.invalid(field + ".terminationGracePeriodSeconds", std::to_string(spec.termination_grace_period_seconds()),
                   "must be greater than or equal to 0");
  if (spec.has_active_deadline_seconds() && spec.active_deadline_seconds() <= 0)
    errors.invalid(field + ".activeDeadlineSeconds", std::to_string(spec.active_deadline_seconds()),
                   "must be between 1 and 2147483647, inclusive");
  check_labels(errors, field + ".nodeSelector", spec.node_selector());
  for (int i = 0; i < spec.tolerations_size(); ++i) {
    const auto& t = spec.tolerations(i);
    std::string at = idx(field + ".tolerations", i);
    if (t.operator_() != "Exists" && t.operator_() != "Equal")
      errors.unsupported(at + ".operator", t.operator_(), {"Equal", "Exists"});
    if (t.operator_() == "Exists" && !t.value().empty())
      errors.invalid(at + ".operator", quoted(t.operator_()), "value must be empty when `operator` is 'Exists'");
    if (!t.effect().empty() && t.effect() != "NoSchedule" && t.effect() != "PreferNoSchedule" && t.effect() != "NoExecute")
      errors.unsupported(at + ".effect", t.effect(), {"NoExecute", "NoSchedule", "PreferNoSchedule"});
  }
  if (spec.has_affinity() && spec.affinity().has_node_affinity()) {
    const auto& required = spec.affinity().node_affinity().required_during_scheduling_ignored_during_execution();
    for (int i = 0; i < required.node_selector_terms_size(); ++i)
      for (int j = 0; j < required.node_selector_terms(i).match_expressions_size(); ++j) {
        const auto& e = required.node_selector_terms(i).match_expressions(j);
        std::string at = field + ".affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[" +
                         std::to_string(i) + "].matchExpressions[" + std::to_string(j) + "]";
        const std::vector<std::string> ops = {"DoesNotExist", "Exists", "Gt", "In", "Lt", "NotIn"};
        if (std::find(ops.begin(), ops.end(), e.operator_()) == ops.end())
          errors.unsupported(at + ".operator", e.operator_(), ops);
        else if ((e.operator_() == "In" || e.operator_() == "NotIn") && e.values().empty())
          errors.required(at + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
      }
  }
}

void check_selector_and_template(FieldErrors& errors, const std::string& field, const meta::LabelSelector* selector,
                                 const core::PodTemplateSpec& tmpl) {
  if (!selector || (selector->match_labels().empty() && selector->match_expressions().empty())) {
    errors.required(field + ".selector");
  } else {
    try {
      sdk::LabelSelector parsed = sdk::LabelSelector::from_proto(*selector);
      if (!parsed.matches(tmpl.metadata().labels()))
        errors.invalid(field + ".template.metadata.labels",
                       quoted([&] {
                         std::string text;
                         for (const auto& [k, v] : tmpl.metadata().labels()) text += (text.empty() ? "" : ",") + k + "=" + v;
                         return text;
                       }()),
                       "`selector` does not match template `labels`");
    } catch (const sdk::Error& e) {
      errors.invalid(field + ".selector", "null", e.what());
    }
    check_labels(errors, field + ".selector.matchLabels", selector->match_labels());
  }
  check_labels(errors, field + ".template.metadata.labels", tmpl.metadata().labels());
  check_pod_spec(errors, field + ".template.spec", tmpl.spec());
}

void check_non_negative(FieldErrors& errors, const std::string& field, long long value) {
  if (value < 0) errors.invalid(field, std::to_string(value), "must be greater than or equal to 0");
}

void validate_deployment(FieldErrors& errors, const apps::Deployment& d, const apps::Deployment* old) {
  const auto& spec = d.spec();
  check_non_negative(errors, "spec.replicas", spec.replicas());
  check_selector_and_template(errors, "spec", spec.has_selector() ? &spec.selector() : nullptr, spec.template_());
  const std::string& strategy = spec.strategy().type();
  if (strategy != "RollingUpdate" && strategy != "Recreate")
    errors.unsupported("spec.strategy.type", strategy, {"Recreate", "RollingUpdate"});
  if (strategy == "Recreate" && spec.strategy().has_rolling_update())
    errors.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'");
  if (strategy == "RollingUpdate") {
    const auto& ru = spec.strategy().rolling_update();
    auto zero = [](const meta::IntOrString& v) {
      return v.type() == 0 ? v.int_val() == 0 : (v.str_val() == "0%" || v.str_val() == "0");
    };
    for (auto [name, value] : {std::pair{"maxUnavailable", &ru.max_unavailable()}, std::pair{"maxSurge", &ru.max_surge()}}) {
      if (value->type() == 0) check_non_negative(errors, std::string("spec.strategy.rollingUpdate.") + name, value->int_val());
      else if (value->str_val().empty() || value->str_val().back() != '%' ||
               value->str_val().find_first_not_of("0123456789") != value->str_val().size() - 1)
        errors.invalid(std::string("spec.strategy.rollingUpdate.") + name, quoted(value->str_val()),
                       "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or "
                       "'93%', regex used for validation is '[0-9]+%')");
    }
    if (zero(ru.max_unavailable()) && zero(ru.max_surge()))
      errors.invalid("spec.strategy.rollingUpdate.maxUnavailable", "0", "may not be 0 when `maxSurge` is 0");
  }
  check_non_negative(errors, "spec.minReadySeconds", spec.min_ready_seconds());
  if (spec.has_revision_history_limit()) check_non_negative(errors, "spec.revisionHistoryLimit", spec.revision_history_limit());
  if (spec.has_progress_deadline_seconds() && spec.progress_deadline_seconds() <= spec.min_ready_seconds())
    errors.invalid("spec.progressDeadlineSeconds", std::to_string(spec.progress_deadline_seconds()),
                   "must be greater than minReadySeconds");
  if (old && !Differencer::Equals(old->spec().selector(), spec.selector()))
    errors.invalid("spec.selector", "{}", "field is immutable");
}

void validate_replica_set(FieldErrors& errors, const apps::ReplicaSet& rs, const apps::ReplicaSet* old) {
  check_non_negative(errors, "spec.replicas", rs.spec().replicas());
  check_non_negative(errors, "spec.minReadySeconds", rs.spec().min_ready_seconds());
  check_selector_and_template(errors, "spec", rs.spec().has_selector() ? &rs.spec().selector() : nullptr,
                              rs.spec().template_());
  if (old && !Differencer::Equals(old->spec().selector(), rs.spec().selector()))
    errors.invalid("spec.selector", "{}", "field is immutable");
}

void validate_pod(FieldErrors& errors, const core::Pod& pod, const core::Pod* old) {
  check_pod_spec(errors, "spec", pod.spec());
  if (!old) return;
  // Pods are mostly immutable: images, the active deadline and added tolerations may change.
  core::PodSpec a = old->spec(), b = pod.spec();
  for (auto* spec : {&a, &b}) {
    for (auto& c : *spec->mutable_containers()) c.clear_image();
    for (auto& c : *spec->mutable_init_containers()) c.clear_image();
    spec->clear_active_deadline_seconds();
    spec->clear_tolerations();
  }
  if (old->spec().node_name().empty() && !pod.spec().node_name().empty()) a.set_node_name(b.node_name());  // binding
  if (!Differencer::Equals(a, b))
    errors.forbidden("spec", "pod updates may not change fields other than `spec.containers[*].image`, "
                             "`spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only "
                             "additions to existing tolerations) or `spec.terminationGracePeriodSeconds` (allow it to be "
                             "set to 1 if it was previously negative)");
}

void validate_service(FieldErrors& errors, const core::Service& svc, const core::Service* old) {
  const auto& spec = svc.spec();
  const std::vector<std::string> types = {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"};
  if (std::find(types.begin(), types.end(), spec.type()) == types.end()) errors.unsupported("spec.type", spec.type(), types);
  if (spec.type() == "ExternalName") {
    if (spec.external_name().empty()) errors.required("spec.externalName");
  } else if (spec.ports().empty() && spec.cluster_ip() != "None") {
    errors.required("spec.ports");
  }
  std::set<std::string> names;
  std::set<std::pair<int, std::string>> ports;
  for (int i = 0; i < spec.ports_size(); ++i) {
    const auto& p = spec.ports(i);
    std::string at = idx("spec.ports", i);
    if (spec.ports_size() > 1 && p.name().empty()) errors.required(at + ".name");
    if (!p.name().empty()) {
      if (!is_dns1123_label(p.name())) errors.invalid(at + ".name", quoted(p.name()), kLabelHelp);
      else if (!names.insert(p.name()).second) errors.duplicate(at + ".name", quoted(p.name()));
    }
    check_port(errors, at + ".port", p.port());
    if (p.protocol() != "TCP" && p.protocol() != "UDP" && p.protocol() != "SCTP")
      errors.unsupported(at + ".protocol", p.protocol(), {"SCTP", "TCP", "UDP"});
    if (!ports.insert({p.port(), p.protocol()}).second)
      errors.duplicate(at, "{\"port\":" + std::to_string(p.port()) + ",\"protocol\":" + quoted(p.protocol()) + "}");
    check_int_or_string_port(errors, at + ".targetPort", p.target_port());
    if (p.node_port() != 0 && spec.type() != "NodePort" && spec.type() != "LoadBalancer")
      errors.forbidden(at + ".nodePort", "may not be used when `type` is '" + spec.type() + "'");
  }
  check_labels(errors, "spec.selector", spec.selector());
  if (!spec.session_affinity().empty() && spec.session_affinity() != "None" && spec.session_affinity() != "ClientIP")
    errors.unsupported("spec.sessionAffinity", spec.session_affinity(), {"ClientIP", "None"});
  if (old && !old->spec().cluster_ip().empty() && old->spec().cluster_ip() != spec.cluster_ip() &&
      !spec.cluster_ip().empty())
    errors.invalid("spec.clusterIPs[0]", "[]string{" + quoted(spec.cluster_ip()) + "}",
                   "may not change once set");
}

template <class Map>
void check_data_keys(FieldErrors& errors, const std::string& field, const Map& data) {
  std::size_t total = 0;
  for (const auto& [key, value] : data) {
    total += value.size();
    if (key.size() > 253 || !std::regex_match(key, kConfigKey))
      errors.invalid(field, quoted(key),
                     "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  "
                     "or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')");
  }
  if (total > 1024 * 1024) errors.too_long(field, 1024 * 1024);
}

void validate_ingress(FieldErrors& errors, const api::networking::v1::Ingress& ing) {
  const auto& spec = ing.spec();
  if (spec.rules().empty() && !spec.has_default_backend())
    errors.invalid("spec", "{}", "either `defaultBackend` or `rules` must be specified");
  for (int r = 0; r < spec.rules_size(); ++r) {
    const auto& rule = spec.rules(r);
    for (int p = 0; p < rule.http().paths_size(); ++p) {
      const auto& path = rule.http().paths(p);
      std::string at = "spec.rules[" + std::to_string(r) + "].http.paths[" + std::to_string(p) + "]";
      const std::vector<std::string> types = {"Exact", "ImplementationSpecific", "Prefix"};
      if (path.path_type().empty()) errors.required(at + ".pathType", "pathType must be specified");
      else if (std::find(types.begin(), types.end(), path.path_type()) == types.end())
        errors.unsupported(at + ".pathType", path.path_type(), types);
      if (path.path_type() != "ImplementationSpecific" && (path.path().empty() || path.path()[0] != '/'))
        errors.invalid(at + ".path", quoted(path.path()), "must be an absolute path");
      const auto& backend = path.backend();
      if (!backend.has_service() && !backend.has_resource()) errors.invalid(at + ".backend", "{}", "must specify a backend");
      if (backend.has_service()) {
        if (backend.service().name().empty()) errors.required(at + ".backend.service.name");
        const auto& port = backend.service().port();
        if (port.name().empty() == (port.number() == 0))
          errors.invalid(at + ".backend.service.port", "{}", "port name or number is required (exactly one)");
      }
    }
  }
}

}  // namespace

bool is_dns1123_label(const std::string& name) { return name.size() <= 63 && std::regex_match(name, kLabel); }

bool is_dns1123_subdomain(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t start = 0;
  while (true) {
    std::size_t dot = name.find('.', start);
    std::string part = name.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (part.empty() || !std::regex_match(part, kLabel)) return false;
    if (dot == std::string::npos) return true;
    start = dot + 1;
  }
}

bool is_dns1035_label(const std::string& name) { return name.size() <= 63 && std::regex_match(name, kDns1035); }

void validate(const sdk::ResourceType& type, const google::protobuf::Message& object, const google::protobuf::Message* old) {
  FieldErrors errors;
  const meta::ObjectMeta& m = sdk::meta_of(object);
  NameRule rule = type.kind == "Namespace" ? NameRule::Label : type.kind == "Service" ? NameRule::Dns1035 : NameRule::Subdomain;
  check_meta(errors, type, m, rule);
  if (old) {
    const meta::ObjectMeta& before = sdk::meta_of(*old);
    if (before.name() != m.name()) errors.invalid("metadata.name", quoted(m.name()), "field is immutable");
    if (before.namespace_() != m.namespace_()) errors.invalid("metadata.namespace", quoted(m.namespace_()), "field is immutable");
  }
  const auto* d = object.GetDescriptor();
  if (d == apps::Deployment::descriptor())
    validate_deployment(errors, static_cast<const apps::Deployment&>(object), static_cast<const apps::Deployment*>(old));
  else if (d == apps::ReplicaSet::descriptor())
    validate_replica_set(errors, static_cast<const apps::ReplicaSet&>(object), static_cast<const apps::ReplicaSet*>(old));
  else if (d == core::Pod::descriptor())
    validate_pod(errors, static_cast<const core::Pod&>(object), static_cast<const core::Pod*>(old));
  else if (d == core::Service::descriptor())
    validate_service(errors, static_cast<const core::Service&>(object), static_cast<const core::Service*>(old));
  else if (d == core::ConfigMap::descriptor()) {
    const auto& cm = static_cast<const core::ConfigMap&>(object);
    check_data_keys(errors, "data", cm.data());
    check_data_keys(errors, "binaryData", cm.binary_data());
  } else if (d == core::Secret::descriptor())
    check_data_keys(errors, "data", static_cast<const core::Secret&>(object).data());
  else if (d == api::networking::v1::Ingress::descriptor())
    validate_ingress(errors, static_cast<const api::networking::v1::Ingress&>(object));
  else if (d == api::node::v1::RuntimeClass::descriptor()) {
    const auto& rc = static_cast<const api::node::v1::RuntimeClass&>(object);
    if (rc.handler().empty()) errors.required("handler");
    else if (!is_dns1123_label(rc.handler()))
      errors.invalid("handler", quoted(rc.handler()), "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character");
    if (old && static_cast<const api::node::v1::RuntimeClass*>(old)->handler() != rc.handler())
      errors.invalid("handler", quoted(rc.handler()), "field is immutable");
  }
  errors.throw_if_any(type, m.name());
}

}  // namespace skiff::apiserver
