// The mapping follows the kubelet's server/auth.go: subresources by path prefix, verbs by method.
#include "node_authorizer.hpp"

namespace skiff::kubelet {
namespace {

bool under(const std::string& path, const std::string& prefix) {
  return path == prefix || path.rfind(prefix + "/", 0) == 0;
}

std::string verb_of(const std::string& method) {
  if (method == "POST") return "create";
  if (method == "PUT") return "update";
  if (method == "PATCH") return "patch";
  if (method == "DELETE") return "delete";
  return "get";
}

}  // namespace

NodeRequestAttributes node_request_attributes(const std::string& method, const std::string& path,
                                              const std::string& node) {
  NodeRequestAttributes attributes;
  attributes.verb = verb_of(method);
  attributes.name = node;
  attributes.subresource = under(path, "/stats")     ? "stats"
                           : under(path, "/metrics") ? "metrics"
                           : under(path, "/logs")    ? "log"
                                                     : "proxy";
  return attributes;
}

NodeAuthorizer allow_authenticated() {
  return [](const Caller&, const NodeRequestAttributes&) { return true; };
}

}  // namespace skiff::kubelet
