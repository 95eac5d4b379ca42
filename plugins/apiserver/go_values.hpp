// Values in validation messages as Kubernetes prints them: its errors format non-string
// values with Go's %#v, so kubectl shows `map[string]string{"app":"web"}`, not JSON.
#pragma once

#include <string>

#include <google/protobuf/map.h>
#include <google/protobuf/repeated_ptr_field.h>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/meta/v1/meta.pb.h"

namespace skiff::apiserver {

// map[string]string{"a":"1", "b":"2"} (keys sorted, as Go prints maps); map[string]string(nil) when empty.
std::string go_string_map(const google::protobuf::Map<std::string, std::string>& map);
// []string{"a", "b"}; []string(nil) when empty.
std::string go_strings(const google::protobuf::RepeatedPtrField<std::string>& items);
// intstr.IntOrString{Type:1, IntVal:0, StrVal:"25%"}
std::string go_int_or_string(const api::meta::v1::IntOrString& value);
// v1.LabelSelector{MatchLabels:…, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}
std::string go_label_selector(const api::meta::v1::LabelSelector& selector);
// core.Toleration{Key:"k", Operator:"Exists", Value:"v", Effect:"", TolerationSeconds:(*int64)(nil)}
std::string go_toleration(const api::core::v1::Toleration& toleration);
// The key Kubernetes checks Service ports for duplicates by: a core.ServicePort of protocol and port.
std::string go_service_port_key(const api::core::v1::ServicePort& port);

}  // namespace skiff::apiserver
