// Serving custom objects over HTTP: every verb of a resource a CRD defines (get, list, watch,
// create, update, patch, delete, deletecollection), its status and scale subresources and its
// Tables. The objects go through ApiCore like built-in ones (metadata, generation, finalizers,
// graceful deletion), stored as CustomResourceObject; the schema checks happen here.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "api_core.hpp"
#include "custom_resource_registry.hpp"
#include "http_names.hpp"
#include "request_info.hpp"
#include "watch_fanout.hpp"

namespace skiff::apiserver {

struct CustomWatchOptions {
  std::chrono::milliseconds bookmark_interval{60000};
  std::chrono::seconds max_watch{1800};
};

class CustomResources {
 public:
  // refresh: reads the stored CRDs into the registry now (for a CRD created a moment ago).
  CustomResources(ApiCore& api, WatchFanout& watches, CustomResourceRegistry& registry, std::function<void()> refresh);
  void set_watch_options(CustomWatchOptions options) { watch_options_ = options; }

  // Answers a request for a custom resource; false (nothing sent) when no CRD serves
  // info.group/info.resource.
  bool handle(const RequestInfo& info, const HttpRequest& request, HttpResponder& response);

  const CustomResourceRegistry& registry() const { return registry_; }

 private:
  struct Call;
  void get(Call& call);
  void list(Call& call);
  void watch(Call& call);
  void create(Call& call);
  void update(Call& call);
  void patch(Call& call);
  void erase(Call& call);
  void erase_collection(Call& call);
  void scale(Call& call);
  // The body as a custom object of the call's version: apiVersion and kind checked, unknown
  // fields pruned (and reported as fieldValidation asks), defaults applied.
  boost::json::object accept_body(Call& call, boost::json::value body) const;
  // A whole object as it will be stored, validated against the call's schema.
  MessagePtr checked(Call& call, const boost::json::object& object, const std::string& name) const;
  // Reads, lets `change` build the next JSON object from the current one, checks and writes it.
  MessagePtr rewrite(Call& call, const std::function<boost::json::object(const boost::json::object& current)>& change,
                     const std::string& subresource);
  void send_object(Call& call, unsigned status, const google::protobuf::Message& object);

  ApiCore& api_;
  WatchFanout& watches_;
  CustomResourceRegistry& registry_;
  std::function<void()> refresh_;
  CustomWatchOptions watch_options_;
};

}  // namespace skiff::apiserver
