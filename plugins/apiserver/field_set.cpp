// A trie of path elements: members are marked nodes, so unions and differences walk both trees once.
#include "field_set.hpp"

#include <stdexcept>

#include <boost/json.hpp>

namespace skiff::apiserver {

namespace json = boost::json;

void FieldSet::insert(const FieldPath& path) {
  FieldSet* at = this;
  for (const auto& element : path) at = &at->children_[element];
  at->member_ = true;
}

bool FieldSet::contains(const FieldPath& path) const {
  const FieldSet* at = this;
  for (const auto& element : path) {
    at = at->child(element);
    if (!at) return false;
  }
  return at->member_;
}

const FieldSet* FieldSet::child(const std::string& element) const {
  auto it = children_.find(element);
  return it == children_.end() ? nullptr : &it->second;
}

void FieldSet::insert_under(const FieldPath& prefix, const FieldSet& other) {
  if (other.empty()) return;
  FieldSet* at = this;
  for (const auto& element : prefix) at = &at->children_[element];
  *at = at->united(other);
}

FieldSet FieldSet::united(const FieldSet& other) const {
  FieldSet out = *this;
  out.member_ = member_ || other.member_;
  for (const auto& [element, sub] : other.children_) {
    auto it = out.children_.find(element);
    if (it == out.children_.end()) out.children_.emplace(element, sub);
    else it->second = it->second.united(sub);
  }
  return out;
}

FieldSet FieldSet::minus(const FieldSet& other) const {
  FieldSet out;
  out.member_ = member_ && !other.member_;
  for (const auto& [element, sub] : children_) {
    const FieldSet* theirs = other.child(element);
    FieldSet rest = theirs ? sub.minus(*theirs) : sub;
    if (!rest.empty()) out.children_.emplace(element, std::move(rest));
  }
  return out;
}

FieldSet FieldSet::intersected(const FieldSet& other) const {
  FieldSet out;
  out.member_ = member_ && other.member_;
  for (const auto& [element, sub] : children_) {
    const FieldSet* theirs = other.child(element);
    if (!theirs) continue;
    FieldSet both = sub.intersected(*theirs);
    if (!both.empty()) out.children_.emplace(element, std::move(both));
  }
  return out;
}

FieldSet FieldSet::only_under(const std::string& element) const {
  FieldSet out;
  if (const FieldSet* sub = child(element)) out.children_.emplace(element, *sub);
  return out;
}

FieldSet FieldSet::without_under(const std::string& element) const {
  FieldSet out = *this;
  out.children_.erase(element);
  return out;
}

namespace {

void collect(const FieldSet& set, FieldPath& prefix, std::vector<FieldPath>& out) {
  if (set.is_member()) out.push_back(prefix);
  for (const auto& [element, sub] : set.children()) {
    prefix.push_back(element);
    collect(sub, prefix, out);
    prefix.pop_back();
  }
}

}  // namespace

std::vector<FieldPath> FieldSet::members() const {
  std::vector<FieldPath> out;
  FieldPath prefix;
  collect(*this, prefix, out);
  return out;
}

json::value FieldSet::to_fields_v1() const {
  json::object out;
  if (member_ && !children_.empty()) out["."] = json::object{};
  for (const auto& [element, sub] : children_) out[element] = sub.to_fields_v1();
  return out;
}

FieldSet FieldSet::from_fields_v1(const json::value& fields) {
  if (!fields.is_object()) throw std::invalid_argument("a FieldsV1 node must be an object, not " + json::serialize(fields));
  FieldSet out;
  const auto& object = fields.as_object();
  if (object.empty()) out.member_ = true;
  for (const auto& [key, sub] : object) {
    std::string element(key);
    if (element == ".") {
      out.member_ = true;
      continue;
    }
    if (element.size() < 2 || element[1] != ':' || std::string("fkvi").find(element[0]) == std::string::npos)
      throw std::invalid_argument("\"" + element + "\" is not a FieldsV1 path element (f:, k:, v: or i:)");
    out.children_.emplace(element, from_fields_v1(sub));
  }
  return out;
}

namespace {

// Go's %v of a JSON scalar as structured-merge-diff prints it: strings quoted.
std::string value_text(const json::value& v) { return json::serialize(v); }

std::string element_text(const std::string& element) {
  std::string body = element.substr(2);
  switch (element[0]) {
    case 'f': return "." + body;
    case 'i': return "[" + body + "]";
    case 'v': return "[=" + body + "]";
    case 'k': {
      boost::system::error_code ec;
      json::value keys = json::parse(body, ec);
      if (ec || !keys.is_object()) return "[" + body + "]";
      std::string out;
      for (const auto& [name, v] : keys.as_object())
        out += (out.empty() ? "" : ",") + std::string(name) + "=" + value_text(v);
      return "[" + out + "]";
    }
    default: return element;
  }
}

}  // namespace

std::string path_text(const FieldPath& path) {
  std::string out;
  for (const auto& element : path) out += element_text(element);
  return out;
}

}  // namespace skiff::apiserver
