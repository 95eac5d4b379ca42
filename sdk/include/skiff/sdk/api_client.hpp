// Typed calls to the API server's bus API (skiff.<c>.api.<verb>) for Skiff's own components:
// the same validation, defaulting and semantics as kubectl gets over HTTP.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "skiff/api/authentication/v1/authentication.pb.h"
#include "skiff/sdk/bus.hpp"
#include "skiff/sdk/resources.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/sdk/subjects.hpp"

namespace skiff::apiserver::v1 {
class ApiRequest;
}
namespace google::protobuf {
class Message;
}

namespace skiff::sdk {

struct ApiDeleteOptions {
  std::optional<std::int64_t> grace_period_seconds;
  std::string propagation_policy;  // Background (default), Foreground, Orphan
  std::string precondition_uid;
};

class ApiClient {
 public:
  ApiClient(Bus& bus, Subjects subjects, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  template <class T>
  T get(const std::string& ns, const std::string& name) const {
    return parse<T>(get_bytes(resource_type_of<T>(), ns, name));
  }
  template <class T>
  std::vector<T> list(const std::string& ns = "", const std::string& label_selector = "",
                      const std::string& field_selector = "") const {
    std::vector<T> out;
    for (const auto& bytes : list_bytes(resource_type_of<T>(), ns, label_selector, field_selector)) out.push_back(parse<T>(bytes));
    return out;
  }
  template <class T>
  T create(const T& object) const {
    return parse<T>(write("create", resource_type_of<T>(), object.metadata().namespace_(), "", "", object.SerializeAsString()));
  }
  // Many objects of one type and namespace in one round trip; each gets its own status
  // (201 when created) and the stored object.
  template <class T>
  std::vector<std::pair<Status, T>> create_many(const std::string& ns, const std::vector<T>& objects) const {
    std::vector<std::string> serialized;
    for (const auto& o : objects) serialized.push_back(o.SerializeAsString());
    std::vector<std::pair<Status, T>> out;
    for (auto& [status, bytes] : create_many_bytes(resource_type_of<T>(), ns, serialized))
      out.emplace_back(status, status.ok() ? parse<T>(bytes) : T());
    return out;
  }
  // The status of many objects of one type in one round trip (api.statusmany); each gets its
  // own status (200 when written) and the stored object. StatusWriter coalesces callers into it.
  template <class T>
  std::vector<std::pair<Status, T>> update_status_many(const std::vector<T>& objects) const {
    std::vector<std::string> serialized;
    for (const auto& o : objects) serialized.push_back(o.SerializeAsString());
    std::vector<std::pair<Status, T>> out;
    for (auto& [status, bytes] : update_status_many_bytes(resource_type_of<T>(), serialized))
      out.emplace_back(status, status.ok() ? parse<T>(bytes) : T());
    return out;
  }
  std::vector<std::pair<Status, std::string>> update_status_many_bytes(const ResourceType& type,
                                                                       const std::vector<std::string>& objects) const;
  // PUT; subresource "status" changes only the status.
  template <class T>
  T update(const T& object, const std::string& subresource = "") const {
    return parse<T>(write("update", resource_type_of<T>(), object.metadata().namespace_(), object.metadata().name(),
                          subresource, object.SerializeAsString()));
  }
  // patch_type: merge, json or strategic; the patch is JSON text.
  template <class T>
  T patch(const std::string& ns, const std::string& name, const std::string& patch_type, const std::string& patch,
          const std::string& subresource = "") const {
    return parse<T>(patch_bytes(resource_type_of<T>(), ns, name, patch_type, patch, subresource));
  }
  // Returns the object as it was (gone) or as it now is (being deleted gracefully).
  template <class T>
  T erase(const std::string& ns, const std::string& name, const ApiDeleteOptions& options = {}) const {
    return parse<T>(erase_bytes(resource_type_of<T>(), ns, name, options));
  }
  // The same for a type known only at run time (the garbage collector's case); objects
  // travel as serialized messages of `type`.
  std::string get_object(const ResourceType& type, const std::string& ns, const std::string& name) const {
    return get_bytes(type, ns, name);
  }
  std::string update_object(const ResourceType& type, const google::protobuf::Message& object,
                            const std::string& subresource = "") const;
  std::string erase_object(const ResourceType& type, const std::string& ns, const std::string& name,
                           const ApiDeleteOptions& options = {}) const {
    return erase_bytes(type, ns, name, options);
  }

  // pods/binding: assigns a pod to a node (409 if it already has one or the uid differs).
  std::string bind(const std::string& ns, const std::string& pod, const std::string& node, const std::string& uid = "") const;
  // Many bindings in one round trip; each gets its own status (201 when bound).
  struct Binding {
    std::string namespace_, pod, node, uid;
  };
  std::vector<Status> bind_many(const std::vector<Binding>& bindings) const;

  // TokenRequest (create serviceaccounts/<account>/token): the request back with its token.
  api::authentication::v1::TokenRequest request_token(const std::string& ns, const std::string& account,
                                                      const api::authentication::v1::TokenRequest& request) const;

  Bus& bus() const { return bus_; }
  const Subjects& subjects() const { return subjects_; }

 private:
  template <class T>
  static T parse(const std::string& bytes) {
    T object;
    if (!object.ParseFromString(bytes)) throw Error(Status::Internal("the API answered an unreadable " + T::descriptor()->name()));
    return object;
  }
  static apiserver::v1::ApiRequest request(const ResourceType& type, const std::string& ns, const std::string& name);
  std::string call(const char* verb, const apiserver::v1::ApiRequest& request) const;
  std::string get_bytes(const ResourceType& type, const std::string& ns, const std::string& name) const;
  std::vector<std::string> list_bytes(const ResourceType& type, const std::string& ns, const std::string& labels,
                                      const std::string& fields) const;
  std::string write(const char* verb, const ResourceType& type, const std::string& ns, const std::string& name,
                    const std::string& subresource, const std::string& object) const;
  std::string patch_bytes(const ResourceType& type, const std::string& ns, const std::string& name,
                          const std::string& patch_type, const std::string& patch, const std::string& subresource) const;
  std::string erase_bytes(const ResourceType& type, const std::string& ns, const std::string& name,
                          const ApiDeleteOptions& options) const;
  std::vector<std::pair<Status, std::string>> create_many_bytes(const ResourceType& type, const std::string& ns,
                                                                const std::vector<std::string>& objects) const;

  Bus& bus_;
  Subjects subjects_;
  std::chrono::milliseconds timeout_;
};

}  // namespace skiff::sdk
