// The REST operations of a kind, named as Kubernetes names them (see the header).
#include "openapi_paths.hpp"

#include <cctype>

namespace skiff::apiserver {
namespace {

std::string capitalized(std::string word) {
  if (!word.empty()) word[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(word[0])));
  return word;
}

// "AppsV1Namespaced", "CoreV1", "NetworkingV1": what Kubernetes puts between verb and kind.
std::string operation_infix(const OpenApiKind& kind) {
  std::string group = kind.group.empty() ? "core" : kind.group.substr(0, kind.group.find('.'));
  return capitalized(group) + capitalized(kind.version) + (kind.namespaced ? "Namespaced" : "");
}

}  // namespace

std::vector<OpenApiPath> openapi_paths_of(const OpenApiKind& kind) {
  std::string collection = "/" + kind.group_version_path() + (kind.namespaced ? "/namespaces/{namespace}/" : "/") + kind.plural;
  std::vector<std::string> scope;
  if (kind.namespaced) scope.push_back("namespace");
  std::string infix = operation_infix(kind);
  std::string list = kind.definition + "List";
  OpenApiPath all{collection, scope, {}};
  all.operations = {
      {"get", "list", "list" + infix + kind.kind, "list or watch objects of kind " + kind.kind, list, false},
      {"post", "post", "create" + infix + kind.kind, "create a " + kind.kind, kind.definition, true},
  };
  std::vector<std::string> item_parameters = scope;
  item_parameters.push_back("name");
  OpenApiPath one{collection + "/{name}", item_parameters, {}};
  one.operations = {
      {"get", "get", "read" + infix + kind.kind, "read the specified " + kind.kind, kind.definition, false},
      {"put", "put", "replace" + infix + kind.kind, "replace the specified " + kind.kind, kind.definition, true},
      {"patch", "patch", "patch" + infix + kind.kind, "partially update the specified " + kind.kind, kind.definition, false},
      {"delete", "delete", "delete" + infix + kind.kind, "delete a " + kind.kind, kind.definition, false},
  };
  return {all, one};
}

}  // namespace skiff::apiserver
