// The IngressClass the addon serves (controller skiff.io/ingress-controller), created when
// missing; never changed once there, so an administrator's edits (the default flag) stay.
#pragma once

#include <string>

#include "skiff/api/networking/v1/networking.pb.h"
#include "skiff/sdk/api_client.hpp"

namespace spdlog {
class logger;
}

namespace skiff::ingress {

inline constexpr const char* kDefaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class";

api::networking::v1::IngressClass ingress_class_object(const std::string& name, bool default_class);

// True once the class exists (made here or by another node); throws sdk::Error on API failure.
// Logs an error when a class of that name names another controller.
bool ensure_ingress_class(const sdk::ApiClient& api, const std::string& name, bool default_class, spdlog::logger& log);

}  // namespace skiff::ingress
