// A set of field paths, as server-side apply records who owns what (Kubernetes' fieldpath.Set).
// A path is a list of elements in the FieldsV1 spelling: "f:spec" (a field or map key),
// "k:{\"name\":\"nginx\"}" (an element of a keyed list), "v:\"x\"" (an element of a set list),
// "i:0" (an element by index).
#pragma once

#include <map>
#include <string>
#include <vector>

#include <boost/json/value.hpp>

namespace skiff::apiserver {

using FieldPath = std::vector<std::string>;

class FieldSet {
 public:
  void insert(const FieldPath& path);
  bool contains(const FieldPath& path) const;
  bool empty() const { return !member_ && children_.empty(); }
  // `other` inserted under `prefix`.
  void insert_under(const FieldPath& prefix, const FieldSet& other);

  FieldSet united(const FieldSet& other) const;
  FieldSet minus(const FieldSet& other) const;
  FieldSet intersected(const FieldSet& other) const;
  // Only the paths that start with `element` (such as "f:status"); without them.
  FieldSet only_under(const std::string& element) const;
  FieldSet without_under(const std::string& element) const;

  // Every member path, in FieldsV1 order.
  std::vector<FieldPath> members() const;
  // The subtree at one element, nullptr when there is none.
  const FieldSet* child(const std::string& element) const;
  bool is_member() const { return member_; }
  const std::map<std::string, FieldSet>& children() const { return children_; }

  // FieldsV1: {"f:spec":{"f:replicas":{}}, "k:{…}":{".":{},…}}; "." marks a member that has children.
  boost::json::value to_fields_v1() const;
  // Throws std::invalid_argument naming the element that is not FieldsV1.
  static FieldSet from_fields_v1(const boost::json::value& fields);

  bool operator==(const FieldSet& other) const = default;

 private:
  bool member_ = false;
  std::map<std::string, FieldSet> children_;
};

// As Kubernetes prints a path in conflicts: .spec.template.spec.containers[name="nginx"].image
std::string path_text(const FieldPath& path);

}  // namespace skiff::apiserver
