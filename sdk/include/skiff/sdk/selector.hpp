// Label and field selectors with Kubernetes' syntax and meaning.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/map.h>

namespace google::protobuf {
class Descriptor;
class Message;
}  // namespace google::protobuf

namespace skiff::api::meta::v1 {
class LabelSelector;
}

namespace skiff::sdk {

// "app=web,tier!=db,env in (prod,staging),!canary,gpu": every requirement must hold.
class LabelSelector {
 public:
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist, GreaterThan, LessThan };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };

  LabelSelector() = default;  // selects everything
  // Throws Error(400) naming the bad requirement.
  static LabelSelector parse(std::string_view text);
  // A Deployment's or Service's selector object. Throws Error(422) on an unknown operator.
  static LabelSelector from_proto(const api::meta::v1::LabelSelector& selector);
  // A Service's `selector:` map: every pair must match.
  static LabelSelector from_map(const google::protobuf::Map<std::string, std::string>& labels);

  bool matches(const google::protobuf::Map<std::string, std::string>& labels) const;
  bool matches(const std::map<std::string, std::string>& labels) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }
  std::string to_string() const;

 private:
  std::vector<Requirement> requirements_;
};

// "metadata.name=web,spec.nodeName=node-1,status.phase!=Failed". Paths are JSON field names.
class FieldSelector {
 public:
  struct Requirement {
    std::string path;
    bool equals;  // false: !=
    std::string value;
  };

  FieldSelector() = default;
  // Checks every path against the message type; throws Error(400) for an unknown one.
  static FieldSelector parse(std::string_view text, const google::protobuf::Descriptor* type);

  bool matches(const google::protobuf::Message& object) const;
  bool empty() const { return requirements_.empty(); }
  const std::vector<Requirement>& requirements() const { return requirements_; }
  // The value required for `path` by an `=` requirement, or nullptr.
  const std::string* equality_value(std::string_view path) const;

 private:
  std::vector<Requirement> requirements_;
};

// The text value of a scalar field by its JSON path ("spec.nodeName"); "" when unset.
std::string field_value(const google::protobuf::Message& object, std::string_view path);

}  // namespace skiff::sdk
