// The Kubernetes URL grammar: [/namespaces/<ns>]/<resource>[/<name>[/<subresource>]].
#include "request_info.hpp"

#include <vector>

namespace skiff::apiserver {
namespace {

std::vector<std::string> segments(const std::string& path) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < path.size()) {
    std::size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

}  // namespace

RequestInfo parse_request_info(const HttpRequest& request) {
  RequestInfo info;
  std::vector<std::string> parts = segments(request.path);
  std::size_t i = 0;
  if (parts.size() >= 2 && parts[0] == "api") {
    info.version = parts[1];
    i = 2;
  } else if (parts.size() >= 3 && parts[0] == "apis") {
    info.group = parts[1];
    info.version = parts[2];
    i = 3;
  } else {
    return info;
  }
  if (i >= parts.size()) return info;  // a discovery document
  info.is_resource = true;
  // /namespaces/<ns>/<resource>… — but /namespaces and /namespaces/<name>[/status|/finalize] are
  // namespaces themselves (Kubernetes' namespaceSubresources).
  if (parts[i] == "namespaces" && parts.size() > i + 2 && parts[i + 2] != "status" && parts[i + 2] != "finalize") {
    info.namespace_ = parts[i + 1];
    i += 2;
  }
  info.resource = parts[i++];
  if (i < parts.size()) info.name = parts[i++];
  if (i < parts.size()) info.subresource = parts[i++];
  if (info.resource == "namespaces" && !info.name.empty()) info.namespace_.clear();
  if (i < parts.size()) info.subresource += "/" + parts[i];  // keep extra segments visible (an error later)

  std::string watch_value = request.query_value("watch");
  bool watch = watch_value == "true" || watch_value == "True" || watch_value == "1";
  using boost::beast::http::verb;
  switch (request.method) {
    case verb::get:
      info.verb = !info.name.empty() ? "get" : watch ? "watch" : "list";
      break;
    case verb::post: info.verb = "create"; break;
    case verb::put: info.verb = "update"; break;
    case verb::patch: info.verb = "patch"; break;
    case verb::delete_: info.verb = info.name.empty() ? "deletecollection" : "delete"; break;
    default: info.verb = request.method_text;
  }
  return info;
}

}  // namespace skiff::apiserver
