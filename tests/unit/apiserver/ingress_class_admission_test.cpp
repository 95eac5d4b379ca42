// The default IngressClass admission: which new Ingresses get a class, which one, and the
// refusal when several classes claim to be the default.
#include <gtest/gtest.h>

#include "api_error.hpp"
#include "ingress_class_admission.hpp"

namespace {

using namespace skiff;
namespace net = api::networking::v1;
using Classes = std::vector<net::IngressClass>;

const char* const kDefault = "ingressclass.kubernetes.io/is-default-class";

net::IngressClass ingress_class(const std::string& name, const std::string& is_default = "") {
  net::IngressClass ic;
  ic.mutable_metadata()->set_name(name);
  if (!is_default.empty()) (*ic.mutable_metadata()->mutable_annotations())[kDefault] = is_default;
  ic.mutable_spec()->set_controller("skiff.io/ingress");
  return ic;
}

net::Ingress unclassed(const std::string& name = "site") {
  net::Ingress ing;
  ing.mutable_metadata()->set_name(name);
  return ing;
}

// The class the Ingress ends with, "<unset>" for none.
std::string admitted(net::Ingress ing, const Classes& classes) {
  apiserver::admit_default_ingress_class(ing, [&] { return classes; });
  return ing.spec().has_ingress_class_name() ? ing.spec().ingress_class_name() : "<unset>";
}

TEST(DefaultIngressClass, TheOneDefaultClassIsSet) {
  EXPECT_EQ(admitted(unclassed(), {ingress_class("nginx", "false"), ingress_class("skiff", "true"), ingress_class("haproxy")}),
            "skiff");
}

TEST(DefaultIngressClass, WithoutADefaultTheClassStaysUnset) {
  EXPECT_EQ(admitted(unclassed(), {}), "<unset>");
  EXPECT_EQ(admitted(unclassed(), {ingress_class("skiff", "false"), ingress_class("nginx", "True")}), "<unset>")
      << "only the exact string \"true\" makes a default";
}

TEST(DefaultIngressClass, AnIngressThatNamesAClassKeepsIt) {
  bool listed = false;
  net::Ingress named = unclassed();
  named.mutable_spec()->set_ingress_class_name("nginx");
  apiserver::admit_default_ingress_class(named, [&] {
    listed = true;
    return Classes{ingress_class("skiff", "true")};
  });
  EXPECT_EQ(named.spec().ingress_class_name(), "nginx");
  EXPECT_FALSE(listed) << "no need to look at the classes";
  net::Ingress empty_name = unclassed();
  empty_name.mutable_spec()->set_ingress_class_name("");
  EXPECT_EQ(admitted(empty_name, {ingress_class("skiff", "true")}), "") << "a set field, even empty, is a choice";
  net::Ingress annotated = unclassed();
  (*annotated.mutable_metadata()->mutable_annotations())["kubernetes.io/ingress.class"] = "nginx";
  EXPECT_EQ(admitted(annotated, {ingress_class("skiff", "true")}), "<unset>") << "the old annotation is a class too";
}

TEST(DefaultIngressClass, TwoDefaultsRefuseTheIngressWith403) {
  Classes two = {ingress_class("skiff", "true"), ingress_class("nginx", "true")};
  try {
    admitted(unclassed(), two);
    FAIL() << "admitted with two default classes";
  } catch (const apiserver::ApiError& e) {
    EXPECT_EQ(e.status().code, 403);
    EXPECT_EQ(e.status().reason, "Forbidden");
    EXPECT_EQ(e.status().message, "ingresses.networking.k8s.io \"site\" is forbidden: Internal error occurred: 2 default "
                                  "IngressClasses were found, only 1 allowed");
    EXPECT_EQ(e.details().kind(), "ingresses");
    EXPECT_EQ(e.details().group(), "networking.k8s.io");
    EXPECT_EQ(e.details().name(), "site");
  }
  net::Ingress named = unclassed();
  named.mutable_spec()->set_ingress_class_name("skiff");
  EXPECT_EQ(admitted(named, two), "skiff") << "an Ingress that names its class is not refused";
}

}  // namespace
