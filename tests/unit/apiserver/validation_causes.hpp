// What validation says about an object, as "field: message" lines, for the validation tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "api_error.hpp"
#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/sdk/resources.hpp"
#include "validation.hpp"

namespace skiff::validation_testing {

template <class T>
const sdk::ResourceType& type_of() {
  return sdk::resource_type_of<T>();
}

// "field: message" per cause; empty when the object is valid.
template <class T>
std::vector<std::string> causes(const T& object, const T* old = nullptr) {
  try {
    apiserver::validate(type_of<T>(), object, old);
  } catch (const apiserver::ApiError& e) {
    std::vector<std::string> out;
    for (const auto& c : e.details().causes()) out.push_back(c.field() + ": " + c.message());
    return out;
  }
  return {};
}

template <class T>
bool has_cause(const T& object, const std::string& cause, const T* old = nullptr) {
  auto all = causes(object, old);
  return std::find(all.begin(), all.end(), cause) != all.end();
}

inline void name(google::protobuf::Message& object, const std::string& value, const std::string& ns = "default") {
  auto* meta = object.GetReflection()->MutableMessage(&object, object.GetDescriptor()->FindFieldByName("metadata"));
  auto& m = static_cast<api::meta::v1::ObjectMeta&>(*meta);
  m.set_name(value);
  m.set_namespace_(ns);
}

}  // namespace skiff::validation_testing

#define EXPECT_CAUSE(object, cause, ...)                                                       \
  EXPECT_TRUE(has_cause(object, cause, ##__VA_ARGS__)) << "wanted: " << (cause) << "\ngot:\n" \
                                                        << ::testing::PrintToString(causes(object, ##__VA_ARGS__))
