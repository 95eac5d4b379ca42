// Get, then create; 409 means another node's addon was first.
#include "ingress_class_setup.hpp"

#include <spdlog/logger.h>

#include "ingress_adapter.hpp"

namespace skiff::ingress {

namespace net = api::networking::v1;

net::IngressClass ingress_class_object(const std::string& name, bool default_class) {
  net::IngressClass object;
  object.mutable_metadata()->set_name(name);
  (*object.mutable_metadata()->mutable_labels())["app.kubernetes.io/managed-by"] = "skiff-ingress";
  if (default_class) (*object.mutable_metadata()->mutable_annotations())[kDefaultClassAnnotation] = "true";
  object.mutable_spec()->set_controller(kControllerName);
  return object;
}

bool ensure_ingress_class(const sdk::ApiClient& api, const std::string& name, bool default_class, spdlog::logger& log) {
  try {
    auto existing = api.get<net::IngressClass>("", name);
    if (existing.spec().controller() != kControllerName)
      log.error("IngressClass {} names controller {}, not {}: Ingresses of that class are not served here; delete it "
                "(the addon makes it again) or set ingress_class to another name",
                name, existing.spec().controller(), kControllerName);
    return true;
  } catch (const sdk::Error& e) {
    if (e.status().code != 404) throw;
  }
  try {
    api.create(ingress_class_object(name, default_class));
    log.info("created IngressClass {}{}", name, default_class ? " (the default class)" : "");
  } catch (const sdk::Error& e) {
    if (e.status().code != 409) throw;
  }
  return true;
}

}  // namespace skiff::ingress
