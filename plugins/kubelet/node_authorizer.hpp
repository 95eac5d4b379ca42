// The kubelet's authorization of its HTTPS callers, as the kubelet's webhook mode asks it: a
// request is an action on the node object — GET /stats/summary is "get nodes/stats <node>".
#pragma once

#include <functional>
#include <string>

#include "token_reviewer.hpp"

namespace skiff::kubelet {

struct NodeRequestAttributes {
  std::string verb;         // get, create, update, patch, delete (from the HTTP method)
  std::string resource = "nodes";
  std::string name;         // the node
  std::string subresource;  // stats, metrics, log, proxy
};

// The kubelet's path → subresource rule: /stats… stats, /metrics… metrics, /logs… log, else proxy.
NodeRequestAttributes node_request_attributes(const std::string& method, const std::string& path,
                                              const std::string& node);

// Whether a caller may do it. The seam for RBAC: Skiff has no authorization yet, so every
// authenticated user may (all are cluster admins today); an RBAC issue replaces this with a
// SubjectAccessReview to the API server.
using NodeAuthorizer = std::function<bool(const Caller&, const NodeRequestAttributes&)>;
NodeAuthorizer allow_authenticated();

}  // namespace skiff::kubelet
