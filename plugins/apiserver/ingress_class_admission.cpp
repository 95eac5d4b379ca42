// The default IngressClass of a new Ingress, and the refusal Kubernetes gives when several claim it.
#include "ingress_class_admission.hpp"

#include "api_error.hpp"

namespace skiff::apiserver {
namespace {

namespace net = api::networking::v1;

const char* const kClassAnnotation = "kubernetes.io/ingress.class";
const char* const kDefaultClassAnnotation = "ingressclass.kubernetes.io/is-default-class";

bool is_default(const net::IngressClass& ingress_class) {
  const auto& annotations = ingress_class.metadata().annotations();
  auto found = annotations.find(kDefaultClassAnnotation);
  return found != annotations.end() && found->second == "true";
}

// admission.NewForbidden wrapping the plugin's internal error, worded as Kubernetes words it.
ApiError too_many_defaults(const net::Ingress& ingress, std::size_t count) {
  const std::string& name = ingress.metadata().name();
  std::string message = "ingresses.networking.k8s.io" + (name.empty() ? "" : " " + quoted(name)) +
                        " is forbidden: Internal error occurred: " + std::to_string(count) +
                        " default IngressClasses were found, only 1 allowed";
  api::meta::v1::StatusDetails details;
  details.set_name(name);
  details.set_group("networking.k8s.io");
  details.set_kind("ingresses");
  return ApiError(sdk::Status::Forbidden(message), details);
}

}  // namespace

void admit_default_ingress_class(net::Ingress& ingress, const IngressClassLister& list_classes) {
  if (ingress.spec().has_ingress_class_name()) return;
  if (ingress.metadata().annotations().count(kClassAnnotation)) return;
  std::vector<const net::IngressClass*> defaults;
  std::vector<net::IngressClass> classes = list_classes();
  for (const auto& c : classes)
    if (is_default(c)) defaults.push_back(&c);
  if (defaults.empty()) return;
  if (defaults.size() > 1) throw too_many_defaults(ingress, defaults.size());
  ingress.mutable_spec()->set_ingress_class_name(defaults.front()->metadata().name());
}

}  // namespace skiff::apiserver
