// One walk per question over JSON and descriptor together; the shape of a value decides how
// its children are named (f:, k:, v:) and whether it is owned whole.
#include "typed_fields.hpp"

#include <google/protobuf/descriptor.h>

#include <boost/json.hpp>

#include "list_schema.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace pb = google::protobuf;

struct Shape {
  enum Kind { Leaf, Struct, Map, List } kind = Leaf;
  const pb::Descriptor* message = nullptr;     // Struct
  const pb::FieldDescriptor* field = nullptr;  // Map, List
};

Shape message_shape(const pb::Descriptor* type) {
  if (!type || is_atomic_message(type) || type->full_name() == "skiff.api.meta.v1.IntOrString" ||
      type->full_name() == "skiff.api.meta.v1.RawExtension")
    return {};
  return {Shape::Struct, type, nullptr};
}

Shape value_shape(const pb::FieldDescriptor* field) {
  return field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE ? message_shape(field->message_type()) : Shape{};
}

Shape field_shape(const pb::FieldDescriptor* field) {
  if (!field) return {};
  if (field->is_map()) return is_atomic_map(field) ? Shape{} : Shape{Shape::Map, nullptr, field};
  if (field->is_repeated()) return list_kind(field) == ListKind::Atomic ? Shape{} : Shape{Shape::List, nullptr, field};
  return value_shape(field);
}

Shape child_shape(const Shape& parent, std::string_view key) {
  if (parent.kind == Shape::Map) return value_shape(parent.field->message_type()->map_value());
  return field_shape(field_by_json_name(parent.message, key));
}

Shape item_shape(const Shape& list) { return value_shape(list.field); }

bool is_object_shape(const Shape& s) { return s.kind == Shape::Struct || s.kind == Shape::Map; }

// The path element of a list item: k:{"name":"nginx"}, v:"x", or i:3 when the key is missing.
std::string item_element(const Shape& list, const json::value& item, std::size_t index) {
  if (list_kind(list.field) == ListKind::Set) return "v:" + json::serialize(item);
  const std::string& key = merge_key_of(list.field);
  const json::value* value = item.is_object() ? item.as_object().if_contains(key) : nullptr;
  if (!value) return "i:" + std::to_string(index);
  json::object keys;
  keys[key] = *value;
  return "k:" + json::serialize(keys);
}

// A struct's field is a member itself only when it holds null or {} (no leaves under it);
// list items and map keys always are.
bool owned_itself(const Shape& parent, const json::value& value) {
  if (parent.kind != Shape::Struct) return true;
  return value.is_null() || (value.is_object() && value.as_object().empty());
}

void collect_fields(const json::value& value, const Shape& shape, FieldPath& path, FieldSet& out) {
  if (shape.kind == Shape::Leaf || (is_object_shape(shape) && !value.is_object()) ||
      (shape.kind == Shape::List && !value.is_array())) {
    out.insert(path);
    return;
  }
  if (is_object_shape(shape)) {
    for (const auto& [key, child] : value.as_object()) {
      path.push_back("f:" + std::string(key));
      collect_fields(child, child_shape(shape, key), path, out);
      if (owned_itself(shape, child)) out.insert(path);
      path.pop_back();
    }
    return;
  }
  std::size_t index = 0;
  for (const auto& item : value.as_array()) {
    path.push_back(item_element(shape, item, index++));
    collect_fields(item, item_shape(shape), path, out);
    out.insert(path);
    path.pop_back();
  }
}

// The items of a keyed or set list by their path element.
std::map<std::string, const json::value*> items_by_element(const Shape& list, const json::array& items) {
  std::map<std::string, const json::value*> out;
  for (std::size_t i = 0; i < items.size(); ++i) out.emplace(item_element(list, items[i], i), &items[i]);
  return out;
}

class Comparer {
 public:
  explicit Comparer(FieldChanges& out) : out_(out) {}

  // `self`: the node is a member of a field set whenever it is there (list item, map key).
  void node(const json::value* before, const json::value* after, const Shape& shape, bool self) {
    if (!before || !after) {
      const json::value& present = before ? *before : *after;
      FieldSet subtree;
      FieldPath inner;
      collect_fields(present, shape, inner, subtree);
      // A map added or removed whole is owned itself too (Kubernetes lists "." under f:labels).
      if (self || shape.kind == Shape::Map) subtree.insert({});
      (before ? out_.removed : out_.added).insert_under(path_, subtree);
      return;
    }
    bool objects = is_object_shape(shape) && before->is_object() && after->is_object();
    bool lists = shape.kind == Shape::List && before->is_array() && after->is_array();
    if (!objects && !lists) {
      if (*before != *after) out_.modified.insert(path_);
      return;
    }
    if (objects) return fields(before->as_object(), after->as_object(), shape);
    items(before->as_array(), after->as_array(), shape);
  }

 private:
  void fields(const json::object& before, const json::object& after, const Shape& shape) {
    auto child = [&](std::string_view key, const json::value* b, const json::value* a) {
      path_.push_back("f:" + std::string(key));
      const json::value& present = a ? *a : *b;
      node(b, a, child_shape(shape, key), owned_itself(shape, present));
      path_.pop_back();
    };
    for (const auto& [key, b] : before) child(key, &b, after.if_contains(key));
    for (const auto& [key, a] : after)
      if (!before.contains(key)) child(key, nullptr, &a);
  }

  void items(const json::array& before, const json::array& after, const Shape& shape) {
    auto old_items = items_by_element(shape, before);
    auto new_items = items_by_element(shape, after);
    auto child = [&](const std::string& element, const json::value* b, const json::value* a) {
      path_.push_back(element);
      node(b, a, item_shape(shape), true);
      path_.pop_back();
    };
    for (const auto& [element, b] : old_items) {
      auto it = new_items.find(element);
      child(element, b, it == new_items.end() ? nullptr : it->second);
    }
    for (const auto& [element, a] : new_items)
      if (!old_items.count(element)) child(element, nullptr, a);
  }

  FieldChanges& out_;
  FieldPath path_;
};

json::value merge_node(json::value live, const json::value& config, const Shape& shape) {
  if (is_object_shape(shape) && live.is_object() && config.is_object()) {
    json::object& out = live.as_object();
    for (const auto& [key, value] : config.as_object()) {
      json::value* existing = out.if_contains(key);
      out[key] = existing ? merge_node(std::move(*existing), value, child_shape(shape, key)) : value;
    }
    return live;
  }
  if (shape.kind == Shape::List && live.is_array() && config.is_array()) {
    json::array& out = live.as_array();
    for (std::size_t i = 0; i < config.as_array().size(); ++i) {
      const json::value& item = config.as_array()[i];
      std::string element = item_element(shape, item, i);
      bool merged = false;
      for (std::size_t j = 0; j < out.size() && !merged; ++j) {
        if (item_element(shape, out[j], j) != element) continue;
        out[j] = merge_node(std::move(out[j]), item, item_shape(shape));
        merged = true;
      }
      if (!merged) out.push_back(item);
    }
    return live;
  }
  return config;
}

void remove_node(json::value& value, const FieldSet& remove, const FieldSet* keep, const Shape& shape) {
  auto gone = [&](const std::string& element, const FieldSet& sub) {
    const FieldSet* kept = keep ? keep->child(element) : nullptr;
    return sub.is_member() && (!kept || kept->empty());
  };
  if (is_object_shape(shape) && value.is_object()) {
    json::object& object = value.as_object();
    for (const auto& [element, sub] : remove.children()) {
      if (element.rfind("f:", 0) != 0) continue;
      std::string key = element.substr(2);
      json::value* child = object.if_contains(key);
      if (!child) continue;
      if (gone(element, sub)) object.erase(key);
      else remove_node(*child, sub, keep ? keep->child(element) : nullptr, child_shape(shape, key));
    }
    return;
  }
  if (shape.kind != Shape::List || !value.is_array()) return;
  json::array& items = value.as_array();
  json::array left;
  for (std::size_t i = 0; i < items.size(); ++i) {
    std::string element = item_element(shape, items[i], i);
    const FieldSet* sub = remove.child(element);
    if (sub && gone(element, *sub)) continue;
    if (sub) remove_node(items[i], *sub, keep ? keep->child(element) : nullptr, item_shape(shape));
    left.push_back(std::move(items[i]));
  }
  items = std::move(left);
}

}  // namespace

FieldSet fields_of(const json::value& object, const pb::Descriptor* type) {
  FieldSet out;
  FieldPath path;
  if (object.is_object()) collect_fields(object, message_shape(type), path, out);
  return out;
}

FieldChanges compare_fields(const json::value& before, const json::value& after, const pb::Descriptor* type) {
  FieldChanges out;
  Comparer(out).node(&before, &after, message_shape(type), false);
  return out;
}

json::value merge_applied(json::value live, const json::value& config, const pb::Descriptor* type) {
  return merge_node(std::move(live), config, message_shape(type));
}

json::value remove_fields(json::value object, const FieldSet& remove, const FieldSet& keep, const pb::Descriptor* type) {
  remove_node(object, remove, &keep, message_shape(type));
  return object;
}

}  // namespace skiff::apiserver
