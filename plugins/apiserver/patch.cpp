// Patches operate on JSON, then the result is decoded and validated like any update.
#include "patch.hpp"

#include <google/protobuf/descriptor.h>

#include <algorithm>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "list_schema.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace pb = google::protobuf;

[[noreturn]] void invalid_patch(const std::string& why) {
  throw ApiError(sdk::Status::Invalid("the patch cannot be applied: " + why));
}

// ---- JSON Patch ----

std::vector<std::string> pointer_tokens(const std::string& pointer) {
  if (pointer.empty()) return {};
  if (pointer[0] != '/') invalid_patch("path \"" + pointer + "\" must start with '/'");
  std::vector<std::string> tokens;
  std::size_t start = 1;
  while (true) {
    std::size_t slash = pointer.find('/', start);
    std::string token = pointer.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    std::string unescaped;
    for (std::size_t i = 0; i < token.size(); ++i) {
      if (token[i] == '~' && i + 1 < token.size()) {
        unescaped += token[i + 1] == '1' ? '/' : '~';
        ++i;
      } else {
        unescaped += token[i];
      }
    }
    tokens.push_back(unescaped);
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return tokens;
}

std::size_t array_index(const json::array& array, const std::string& token, bool allow_end, const std::string& path) {
  if (allow_end && token == "-") return array.size();
  std::size_t index = 0;
  if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos)
    invalid_patch("\"" + token + "\" in " + path + " is not an array index");
  index = std::stoul(token);
  if (index > array.size() || (!allow_end && index == array.size()))
    invalid_patch("index " + token + " in " + path + " is out of range");
  return index;
}

// The parent container of the last token, and that token.
json::value* parent_of(json::value& root, const std::vector<std::string>& tokens, const std::string& path) {
  json::value* at = &root;
  for (std::size_t i = 0; i + 1 < tokens.size(); ++i) {
    if (at->is_object()) {
      auto* next = at->as_object().if_contains(tokens[i]);
      if (!next) invalid_patch("path " + path + " does not exist");
      at = next;
    } else if (at->is_array()) {
      at = &at->as_array()[array_index(at->as_array(), tokens[i], false, path)];
    } else {
      invalid_patch("path " + path + " does not exist");
    }
  }
  return at;
}

json::value get_at(json::value& root, const std::string& path) {
  auto tokens = pointer_tokens(path);
  if (tokens.empty()) return root;
  json::value* parent = parent_of(root, tokens, path);
  if (parent->is_object()) {
    auto* v = parent->as_object().if_contains(tokens.back());
    if (!v) invalid_patch("path " + path + " does not exist");
    return *v;
  }
  if (parent->is_array()) return parent->as_array()[array_index(parent->as_array(), tokens.back(), false, path)];
  invalid_patch("path " + path + " does not exist");
}

void add_at(json::value& root, const std::string& path, json::value value, bool replace) {
  auto tokens = pointer_tokens(path);
  if (tokens.empty()) {
    root = std::move(value);
    return;
  }
  json::value* parent = parent_of(root, tokens, path);
  if (parent->is_object()) {
    parent->as_object()[tokens.back()] = std::move(value);
  } else if (parent->is_array()) {
    auto& array = parent->as_array();
    std::size_t i = array_index(array, tokens.back(), !replace, path);
    if (replace) array[i] = std::move(value);
    else array.insert(array.begin() + static_cast<std::ptrdiff_t>(i), std::move(value));
  } else {
    invalid_patch("path " + path + " does not exist");
  }
}

void remove_at(json::value& root, const std::string& path) {
  auto tokens = pointer_tokens(path);
  if (tokens.empty()) invalid_patch("cannot remove the whole document");
  json::value* parent = parent_of(root, tokens, path);
  if (parent->is_object()) {
    if (!parent->as_object().erase(tokens.back())) invalid_patch("path " + path + " does not exist");
  } else if (parent->is_array()) {
    auto& array = parent->as_array();
    array.erase(array.begin() + static_cast<std::ptrdiff_t>(array_index(array, tokens.back(), false, path)));
  } else {
    invalid_patch("path " + path + " does not exist");
  }
}

// ---- strategic merge ----

json::value merge_value(json::value original, const json::value& patch, const pb::FieldDescriptor* field);
json::value merge_object(json::value original, const json::object& patch, const pb::Descriptor* type);

bool same_key(const json::value& a, const json::value& b, const std::string& key) {
  if (!a.is_object() || !b.is_object()) return false;
  const auto* x = a.as_object().if_contains(key);
  const auto* y = b.as_object().if_contains(key);
  return x && y && *x == *y;
}

json::array merge_keyed_list(json::array original, const json::array& patch, const std::string& key,
                             const pb::Descriptor* element_type) {
  // A {"$patch": "replace"} element means: the list is exactly the patch's other elements.
  bool replace = std::any_of(patch.begin(), patch.end(), [](const json::value& e) {
    const auto* directive = e.is_object() ? e.as_object().if_contains("$patch") : nullptr;
    return directive && *directive == "replace";
  });
  if (replace) {
    json::array out;
    for (const auto& e : patch)
      if (!(e.is_object() && e.as_object().contains("$patch"))) out.push_back(e);
    return out;
  }
  for (const auto& element : patch) {
    if (!element.is_object()) {
      original.push_back(element);
      continue;
    }
    auto match = std::find_if(original.begin(), original.end(), [&](const json::value& o) { return same_key(o, element, key); });
    const auto* directive = element.as_object().if_contains("$patch");
    if (directive && *directive == "delete") {
      if (match != original.end()) original.erase(match);
      continue;
    }
    if (match != original.end()) *match = merge_object(*match, element.as_object(), element_type);
    else original.push_back(merge_object(json::object{}, element.as_object(), element_type));
  }
  return original;
}

// Orders a keyed list as `$setElementOrder` says; elements it does not mention keep their
// relative order after the mentioned ones.
json::array order_by(json::array list, const json::array& order, const std::string& key) {
  json::array out;
  std::vector<bool> used(list.size(), false);
  for (const auto& wanted : order) {
    for (std::size_t i = 0; i < list.size(); ++i) {
      if (!used[i] && (key.empty() ? list[i] == wanted : same_key(list[i], wanted, key))) {
        out.push_back(list[i]);
        used[i] = true;
        break;
      }
    }
  }
  for (std::size_t i = 0; i < list.size(); ++i)
    if (!used[i]) out.push_back(list[i]);
  return out;
}

json::value merge_value(json::value original, const json::value& patch, const pb::FieldDescriptor* field) {
  if (!field) {  // not part of the schema: a plain merge patch
    return apply_merge_patch(std::move(original), patch);
  }
  if (field->is_map()) {
    if (!patch.is_object()) return patch;
    const pb::FieldDescriptor* value_field = field->message_type()->map_value();
    json::object out = original.is_object() ? original.as_object() : json::object{};
    if (const auto* directive = patch.as_object().if_contains("$patch")) {
      if (*directive == "delete") return json::object{};
      if (*directive == "replace") out.clear();
    }
    for (const auto& [k, v] : patch.as_object()) {
      if (k == "$patch") continue;
      if (v.is_null()) {
        out.erase(k);
      } else if (value_field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && v.is_object()) {
        json::value* existing = out.if_contains(k);
        out[k] = merge_object(existing ? *existing : json::object{}, v.as_object(), value_field->message_type());
      } else {
        out[k] = v;
      }
    }
    return out;
  }
  if (field->is_repeated()) {
    if (!patch.is_array()) return patch;
    json::array base = original.is_array() ? original.as_array() : json::array{};
    ListKind kind = list_kind(field);
    if (kind == ListKind::Keyed)
      return merge_keyed_list(std::move(base), patch.as_array(), merge_key_of(field), field->message_type());
    if (kind == ListKind::Set) {
      for (const auto& v : patch.as_array())
        if (std::find(base.begin(), base.end(), v) == base.end()) base.push_back(v);
      return base;
    }
    return patch;  // lists without a merge key are replaced
  }
  if (field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE && patch.is_object())
    return merge_object(std::move(original), patch.as_object(), field->message_type());
  return patch;
}

json::value merge_object(json::value original, const json::object& patch, const pb::Descriptor* type) {
  if (!original.is_object()) original = json::object{};
  json::object& out = original.as_object();
  if (const auto* directive = patch.if_contains("$patch"); directive && *directive == "replace") {
    json::object replaced;
    for (const auto& [k, v] : patch)
      if (k != "$patch") replaced[k] = v;
    return replaced;
  }
  if (const auto* directive = patch.if_contains("$patch"); directive && *directive == "delete") return json::object{};
  if (const auto* retain = patch.if_contains("$retainKeys"); retain && retain->is_array()) {
    std::vector<std::string> keep;
    for (const auto& k : retain->as_array())
      if (k.is_string()) keep.emplace_back(k.as_string());
    for (auto it = out.begin(); it != out.end();) {
      if (std::find(keep.begin(), keep.end(), std::string(it->key())) == keep.end()) it = out.erase(it);
      else ++it;
    }
  }
  for (const auto& [k, v] : patch) {
    std::string key(k);
    if (key == "$patch" || key == "$retainKeys" || key.rfind("$setElementOrder/", 0) == 0) continue;
    if (key.rfind("$deleteFromPrimitiveList/", 0) == 0) {
      std::string list = key.substr(std::strlen("$deleteFromPrimitiveList/"));
      if (auto* existing = out.if_contains(list); existing && existing->is_array() && v.is_array()) {
        auto& array = existing->as_array();
        for (const auto& gone : v.as_array()) array.erase(std::remove(array.begin(), array.end(), gone), array.end());
      }
      continue;
    }
    if (v.is_null()) {
      out.erase(key);
      continue;
    }
    const pb::FieldDescriptor* field = field_by_json_name(type, key);
    json::value* existing = out.if_contains(key);
    out[key] = merge_value(existing ? *existing : json::value(), v, field);
  }
  for (const auto& [k, v] : patch) {
    std::string key(k);
    if (key.rfind("$setElementOrder/", 0) != 0 || !v.is_array()) continue;
    std::string list = key.substr(std::strlen("$setElementOrder/"));
    json::value* existing = out.if_contains(list);
    if (!existing || !existing->is_array()) continue;
    const pb::FieldDescriptor* field = field_by_json_name(type, list);
    const std::string& merge_key = merge_key_of(field);
    *existing = order_by(existing->as_array(), v.as_array(), merge_key);
  }
  return original;
}

}  // namespace

json::value apply_merge_patch(json::value target, const json::value& patch) {
  if (!patch.is_object()) return patch;
  if (!target.is_object()) target = json::object{};
  json::object& out = target.as_object();
  for (const auto& [key, value] : patch.as_object()) {
    if (value.is_null()) {
      out.erase(key);
      continue;
    }
    json::value* existing = out.if_contains(key);
    out[key] = apply_merge_patch(existing ? *existing : json::value(), value);
  }
  return target;
}

json::value apply_json_patch(json::value target, const json::value& patch) {
  if (!patch.is_array()) throw ApiError(sdk::Status::BadRequest("a JSON patch must be an array of operations"));
  for (const auto& entry : patch.as_array()) {
    if (!entry.is_object()) throw ApiError(sdk::Status::BadRequest("a JSON patch operation must be an object"));
    const auto& op = entry.as_object();
    auto text = [&](const char* name) -> std::string {
      const auto* v = op.if_contains(name);
      if (!v || !v->is_string())
        throw ApiError(sdk::Status::BadRequest(std::string("JSON patch operation without \"") + name + "\""));
      return std::string(v->as_string());
    };
    std::string kind = text("op");
    std::string path = text("path");
    auto value = [&]() -> json::value {
      const auto* v = op.if_contains("value");
      if (!v) throw ApiError(sdk::Status::BadRequest("JSON patch \"" + kind + "\" without \"value\""));
      return *v;
    };
    if (kind == "add") {
      add_at(target, path, value(), false);
    } else if (kind == "remove") {
      remove_at(target, path);
    } else if (kind == "replace") {
      auto tokens = pointer_tokens(path);
      json::value* parent = tokens.empty() ? nullptr : parent_of(target, tokens, path);
      bool is_array = parent && parent->is_array();
      add_at(target, path, value(), is_array);
    } else if (kind == "move") {
      json::value moved = get_at(target, text("from"));
      remove_at(target, text("from"));
      add_at(target, path, std::move(moved), false);
    } else if (kind == "copy") {
      add_at(target, path, get_at(target, text("from")), false);
    } else if (kind == "test") {
      if (get_at(target, path) != value()) invalid_patch("test operation for path " + path + " failed");
    } else {
      throw ApiError(sdk::Status::BadRequest("unknown JSON patch operation \"" + kind + "\""));
    }
  }
  return target;
}

json::value apply_strategic_merge_patch(json::value target, const json::value& patch, const pb::Descriptor* type) {
  if (!patch.is_object()) throw ApiError(sdk::Status::BadRequest("a strategic merge patch must be a JSON object"));
  return merge_object(std::move(target), patch.as_object(), type);
}

}  // namespace skiff::apiserver
