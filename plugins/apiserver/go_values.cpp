// Go's %#v for the few Kubernetes types its validation messages print.
#include "go_values.hpp"

#include <map>

#include "api_error.hpp"

namespace skiff::apiserver {

namespace {

template <class List>
std::string go_string_slice(const List& items) {
  if (items.empty()) return "[]string(nil)";
  std::string out = "[]string{";
  for (int i = 0; i < static_cast<int>(items.size()); ++i) out += (i ? ", " : "") + quoted(items[i]);
  return out + "}";
}

}  // namespace

std::string go_strings(const google::protobuf::RepeatedPtrField<std::string>& items) { return go_string_slice(items); }

std::string go_string_map(const google::protobuf::Map<std::string, std::string>& map) {
  if (map.empty()) return "map[string]string(nil)";
  std::map<std::string, std::string> sorted(map.begin(), map.end());
  std::string out = "map[string]string{";
  bool first = true;
  for (const auto& [k, v] : sorted) {
    out += (first ? "" : ", ") + quoted(k) + ":" + quoted(v);
    first = false;
  }
  return out + "}";
}

std::string go_int_or_string(const api::meta::v1::IntOrString& value) {
  return "intstr.IntOrString{Type:" + std::to_string(value.type()) + ", IntVal:" + std::to_string(value.int_val()) +
         ", StrVal:" + quoted(value.str_val()) + "}";
}

std::string go_label_selector(const api::meta::v1::LabelSelector& selector) {
  std::string expressions = "[]v1.LabelSelectorRequirement(nil)";
  if (!selector.match_expressions().empty()) {
    expressions = "[]v1.LabelSelectorRequirement{";
    for (int i = 0; i < selector.match_expressions_size(); ++i) {
      const auto& e = selector.match_expressions(i);
      expressions += std::string(i ? ", " : "") + "v1.LabelSelectorRequirement{Key:" + quoted(e.key()) +
                     ", Operator:" + quoted(e.operator_()) + ", Values:" + go_string_slice(e.values()) + "}";
    }
    expressions += "}";
  }
  return "v1.LabelSelector{MatchLabels:" + go_string_map(selector.match_labels()) + ", MatchExpressions:" + expressions + "}";
}

std::string go_toleration(const api::core::v1::Toleration& t) {
  // Go prints a set pointer as its address; the value says more.
  std::string seconds = t.has_toleration_seconds() ? std::to_string(t.toleration_seconds()) : "nil";
  return "core.Toleration{Key:" + quoted(t.key()) + ", Operator:" + quoted(t.operator_()) + ", Value:" + quoted(t.value()) +
         ", Effect:" + quoted(t.effect()) + ", TolerationSeconds:(*int64)(" + seconds + ")}";
}

std::string go_service_port_key(const api::core::v1::ServicePort& port) {
  return "core.ServicePort{Name:\"\", Protocol:" + quoted(port.protocol()) +
         ", AppProtocol:(*string)(nil), Port:" + std::to_string(port.port()) +
         ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}";
}

}  // namespace skiff::apiserver
