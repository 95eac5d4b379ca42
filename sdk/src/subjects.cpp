// Builds subjects from the DESIGN.md scheme so no component spells them by hand.
#include "skiff/sdk/subjects.hpp"

#include <cctype>
#include <cstdlib>

namespace skiff::sdk {

std::string subject_token(std::string_view name) {
  std::string token;
  token.reserve(name.size());
  for (char c : name) {
    switch (c) {
      case '.': token += "%2E"; break;
      case '*': token += "%2A"; break;
      case '>': token += "%3E"; break;
      case ' ': token += "%20"; break;
      case '%': token += "%25"; break;
      default: token += c;
    }
  }
  return token;
}

Subjects::Subjects(std::string_view cluster, std::string_view node)
    : prefix_("skiff." + subject_token(cluster)), cluster_(cluster), node_(node) {}

std::string Subjects::node_prefix(std::string_view node) const { return prefix_ + ".node." + subject_token(node); }

std::string subject_token_name(std::string_view token) {
  std::string name;
  name.reserve(token.size());
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '%' && i + 2 < token.size()) {
      std::string hex(token.substr(i + 1, 2));
      char* end = nullptr;
      long value = std::strtol(hex.c_str(), &end, 16);
      if (end == hex.c_str() + 2) {
        name += static_cast<char>(value);
        i += 2;
        continue;
      }
    }
    name += token[i];
  }
  return name;
}

std::string Subjects::api(std::string_view verb) const {
  return api_scoped_to_node_ ? node_api(node_, verb) : cluster_api(verb);
}
std::string Subjects::cluster_api(std::string_view verb) const { return prefix_ + ".api." + std::string(verb); }
std::string Subjects::node_api(std::string_view node, std::string_view verb) const {
  return node_prefix(node) + ".api." + std::string(verb);
}
std::string Subjects::node_api_any(std::string_view verb) const { return prefix_ + ".node.*.api." + std::string(verb); }
std::string Subjects::node_of_api_subject(std::string_view subject) const {
  std::string head = prefix_ + ".node.";
  if (subject.substr(0, head.size()) != head) return "";
  subject.remove_prefix(head.size());
  auto dot = subject.find('.');
  if (dot == std::string_view::npos || subject.substr(dot, 5) != ".api.") return "";
  return subject_token_name(subject.substr(0, dot));
}
std::string Subjects::store(std::string_view op) const { return prefix_ + ".store." + std::string(op); }
std::string Subjects::watch(std::string_view group, std::string_view kind) const {
  if (api_scoped_to_node_ && node_redacted_kind(group, kind)) return node_watch(group, kind);
  return prefix_ + ".watch." + subject_token(group.empty() ? "core" : group) + "." + std::string(kind);
}
std::string Subjects::node_watch(std::string_view group, std::string_view kind) const {
  return prefix_ + ".nodewatch." + subject_token(group.empty() ? "core" : group) + "." + std::string(kind);
}

bool node_redacted_kind(std::string_view group, std::string_view kind) {
  return group.empty() && (kind == "Secret" || kind == "ConfigMap");
}
// A node's own streams (its kubelet reading its runtime's exec output) stay under its own
// subjects, which no other node's bus user may read.
std::string Subjects::stream(std::string_view id) const {
  if (api_scoped_to_node_) return node_prefix(node_) + ".stream." + std::string(id);
  return prefix_ + ".stream." + std::string(id);
}
std::string Subjects::resource_metrics(std::string_view resource) const {
  return prefix_ + ".metrics." + std::string(resource);
}
std::string Subjects::runtime_on(std::string_view node, std::string_view op, std::string_view handler) const {
  if (handler.empty()) return node_prefix(node) + ".runtime." + std::string(op);
  return node_prefix(node) + ".runtime." + subject_token(handler) + "." + std::string(op);
}
std::string Subjects::cloud_provider(std::string_view op) const { return prefix_ + ".cloudprovider." + std::string(op); }
std::string Subjects::log_lines(std::string_view ns, std::string_view pod, std::string_view pod_uid,
                                std::string_view container) const {
  auto token = [](std::string_view name) { return name == "*" ? std::string("*") : subject_token(name); };
  return prefix_ + ".logs." + token(ns) + "." + token(pod) + "." + token(pod_uid) + "." + token(container);
}
std::string Subjects::log_stream() const {
  // Stream names allow no '.', '*', '>', spaces or path separators.
  std::string name = "SKIFF_LOGS_";
  for (char c : cluster_) name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return name;
}
std::string Subjects::logging(std::string_view op) const { return prefix_ + ".logging." + std::string(op); }
std::string Subjects::dashboard(std::string_view op) const { return prefix_ + ".dashboard." + std::string(op); }
std::string Subjects::kubelet_on(std::string_view node, std::string_view op) const {
  return node_prefix(node) + ".kubelet." + std::string(op);
}
std::string Subjects::kernel_status() const { return node_prefix(node_) + ".kernel.status"; }
std::string Subjects::kernel_stopped() const { return node_prefix(node_) + ".kernel.stopped"; }
std::string Subjects::kernel_stopped_any() const { return prefix_ + ".node.*.kernel.stopped"; }
std::string Subjects::kernel_metrics() const { return node_prefix(node_) + ".kernel.metrics"; }
std::string Subjects::host_status(std::string_view instance) const {
  return node_prefix(node_) + ".host." + subject_token(instance) + ".status";
}
std::string Subjects::plugin_metrics(std::string_view instance) const { return plugin(instance, "metrics"); }
std::string Subjects::plugin(std::string_view instance, std::string_view op) const {
  return node_prefix(node_) + ".plugin." + subject_token(instance) + "." + std::string(op);
}

}  // namespace skiff::sdk
