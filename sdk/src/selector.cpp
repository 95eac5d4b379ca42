// Parsing and matching of label and field selectors.
#include "skiff/sdk/selector.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

#include "skiff/api/meta/v1/meta.pb.h"
#include "skiff/sdk/status.hpp"

namespace skiff::sdk {
namespace {

namespace pb = google::protobuf;

std::string trim(std::string_view text) {
  std::size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  return std::string(text.substr(b, e - b));
}

// Splits on commas outside parentheses.
std::vector<std::string> split_requirements(std::string_view text) {
  std::vector<std::string> parts;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    if (i < text.size() && text[i] == '(') ++depth;
    if (i < text.size() && text[i] == ')') --depth;
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      std::string part = trim(text.substr(start, i - start));
      if (!part.empty()) parts.push_back(part);
      start = i + 1;
    }
  }
  return parts;
}

[[noreturn]] void bad(const std::string& requirement, const std::string& why) {
  throw Error(Status::BadRequest("unable to parse requirement \"" + requirement + "\": " + why));
}

bool valid_label_part(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == '/';
  });
}

std::vector<std::string> parse_set(const std::string& requirement, std::string_view rest) {
  std::string set = trim(rest);
  if (set.size() < 2 || set.front() != '(' || set.back() != ')') bad(requirement, "expected a set like (a,b)");
  std::vector<std::string> values;
  std::string_view inner(set.data() + 1, set.size() - 2);
  std::size_t start = 0;
  for (std::size_t i = 0; i <= inner.size(); ++i)
    if (i == inner.size() || inner[i] == ',') {
      std::string value = trim(inner.substr(start, i - start));
      if (!valid_label_part(value)) bad(requirement, "invalid value '" + value + "'");
      values.push_back(value);
      start = i + 1;
    }
  return values;
}

LabelSelector::Requirement parse_label_requirement(const std::string& text) {
  using Op = LabelSelector::Op;
  if (text[0] == '!') {
    std::string key = trim(std::string_view(text).substr(1));
    if (key.empty() || !valid_label_part(key)) bad(text, "invalid key");
    return {key, Op::DoesNotExist, {}};
  }
  // Word operators: "key in (a,b)", "key notin (a,b)"
  for (auto [word, op] : {std::pair{" notin ", Op::NotIn}, std::pair{" in ", Op::In}}) {
    auto at = text.find(word);
    if (at != std::string::npos) {
      std::string key = trim(std::string_view(text).substr(0, at));
      if (key.empty() || !valid_label_part(key)) bad(text, "invalid key");
      return {key, op, parse_set(text, std::string_view(text).substr(at + std::strlen(word)))};
    }
  }
  for (auto [symbol, op] : {std::pair{"!=", Op::NotEquals}, std::pair{"==", Op::Equals}, std::pair{"=", Op::Equals},
                            std::pair{">", Op::GreaterThan}, std::pair{"<", Op::LessThan}}) {
    auto at = text.find(symbol);
    if (at == std::string::npos) continue;
    std::string key = trim(std::string_view(text).substr(0, at));
    std::string value = trim(std::string_view(text).substr(at + std::strlen(symbol)));
    if (key.empty() || !valid_label_part(key)) bad(text, "invalid key");
    if (!valid_label_part(value)) bad(text, "invalid value '" + value + "'");
    if (op == Op::GreaterThan || op == Op::LessThan) {
      long long n;
      auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
      if (ec != std::errc() || end != value.data() + value.size()) bad(text, "'" + value + "' is not an integer");
    }
    return {key, op, {value}};
  }
  if (!valid_label_part(text)) bad(text, "invalid key");
  return {text, Op::Exists, {}};
}

template <class Labels>
bool matches_all(const std::vector<LabelSelector::Requirement>& requirements, const Labels& labels) {
  using Op = LabelSelector::Op;
  for (const auto& r : requirements) {
    auto it = labels.find(r.key);
    bool present = it != labels.end();
    auto in_values = [&] { return present && std::find(r.values.begin(), r.values.end(), it->second) != r.values.end(); };
    bool ok = true;
    switch (r.op) {
      case Op::Equals: ok = present && it->second == r.values[0]; break;
      case Op::NotEquals: ok = !present || it->second != r.values[0]; break;
      case Op::In: ok = in_values(); break;
      case Op::NotIn: ok = !in_values(); break;
      case Op::Exists: ok = present; break;
      case Op::DoesNotExist: ok = !present; break;
      case Op::GreaterThan:
      case Op::LessThan: {
        long long have = 0, want = std::stoll(r.values[0]);
        if (!present) return false;
        auto [end, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), have);
        if (ec != std::errc() || end != it->second.data() + it->second.size()) return false;
        ok = r.op == Op::GreaterThan ? have > want : have < want;
        break;
      }
    }
    if (!ok) return false;
  }
  return true;
}

// Walks a JSON-name path to a scalar field; nullptr when a step is not a message field.
const pb::FieldDescriptor* resolve(const pb::Descriptor* type, std::string_view path,
                                   std::vector<const pb::FieldDescriptor*>* steps) {
  std::size_t start = 0;
  const pb::FieldDescriptor* field = nullptr;
  while (start <= path.size()) {
    std::size_t dot = path.find('.', start);
    std::string name(path.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (!type) return nullptr;
    field = nullptr;
    for (int i = 0; i < type->field_count() && !field; ++i)
      if (type->field(i)->json_name() == name) field = type->field(i);
    if (!field || field->is_repeated()) return nullptr;
    if (steps) steps->push_back(field);
    type = field->cpp_type() == pb::FieldDescriptor::CPPTYPE_MESSAGE ? field->message_type() : nullptr;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return field && field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE ? field : nullptr;
}

}  // namespace

LabelSelector LabelSelector::parse(std::string_view text) {
  LabelSelector selector;
  for (const auto& part : split_requirements(text)) selector.requirements_.push_back(parse_label_requirement(part));
  return selector;
}

LabelSelector LabelSelector::from_proto(const api::meta::v1::LabelSelector& proto) {
  LabelSelector selector;
  std::vector<std::pair<std::string, std::string>> sorted(proto.match_labels().begin(), proto.match_labels().end());
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [key, value] : sorted) selector.requirements_.push_back({key, Op::Equals, {value}});
  for (const auto& e : proto.match_expressions()) {
    Op op;
    if (e.operator_() == "In") op = Op::In;
    else if (e.operator_() == "NotIn") op = Op::NotIn;
    else if (e.operator_() == "Exists") op = Op::Exists;
    else if (e.operator_() == "DoesNotExist") op = Op::DoesNotExist;
    else
      throw Error(Status::Invalid("matchExpressions: \"" + e.operator_() +
                                  "\" is not a valid selector operator (In, NotIn, Exists, DoesNotExist)"));
    selector.requirements_.push_back({e.key(), op, {e.values().begin(), e.values().end()}});
  }
  return selector;
}

LabelSelector LabelSelector::from_map(const google::protobuf::Map<std::string, std::string>& labels) {
  LabelSelector selector;
  std::vector<std::pair<std::string, std::string>> sorted(labels.begin(), labels.end());
  std::sort(sorted.begin(), sorted.end());
  for (const auto& [key, value] : sorted) selector.requirements_.push_back({key, Op::Equals, {value}});
  return selector;
}

bool LabelSelector::matches(const google::protobuf::Map<std::string, std::string>& labels) const {
  return matches_all(requirements_, labels);
}

bool LabelSelector::matches(const std::map<std::string, std::string>& labels) const {
  return matches_all(requirements_, labels);
}

std::string LabelSelector::to_string() const {
  std::string out;
  for (const auto& r : requirements_) {
    if (!out.empty()) out += ",";
    auto set = [&] {
      std::string s = "(";
      for (std::size_t i = 0; i < r.values.size(); ++i) s += (i ? "," : "") + r.values[i];
      return s + ")";
    };
    switch (r.op) {
      case Op::Equals: out += r.key + "=" + r.values[0]; break;
      case Op::NotEquals: out += r.key + "!=" + r.values[0]; break;
      case Op::In: out += r.key + " in " + set(); break;
      case Op::NotIn: out += r.key + " notin " + set(); break;
      case Op::Exists: out += r.key; break;
      case Op::DoesNotExist: out += "!" + r.key; break;
      case Op::GreaterThan: out += r.key + ">" + r.values[0]; break;
      case Op::LessThan: out += r.key + "<" + r.values[0]; break;
    }
  }
  return out;
}

FieldSelector FieldSelector::parse(std::string_view text, const pb::Descriptor* type) {
  FieldSelector selector;
  for (const auto& part : split_requirements(text)) {
    Requirement r;
    auto ne = part.find("!=");
    auto eqeq = part.find("==");
    auto eq = part.find('=');
    if (ne != std::string::npos) {
      r = {trim(part.substr(0, ne)), false, trim(part.substr(ne + 2))};
    } else if (eqeq != std::string::npos) {
      r = {trim(part.substr(0, eqeq)), true, trim(part.substr(eqeq + 2))};
    } else if (eq != std::string::npos) {
      r = {trim(part.substr(0, eq)), true, trim(part.substr(eq + 1))};
    } else {
      throw Error(Status::BadRequest("invalid field selector \"" + part + "\": expected field=value or field!=value"));
    }
    if (type && !resolve(type, r.path, nullptr))
      throw Error(Status::BadRequest("field label not supported: " + r.path));
    selector.requirements_.push_back(std::move(r));
  }
  return selector;
}

std::string field_value(const pb::Message& object, std::string_view path) {
  std::vector<const pb::FieldDescriptor*> steps;
  if (!resolve(object.GetDescriptor(), path, &steps)) return "";
  const pb::Message* message = &object;
  for (std::size_t i = 0; i + 1 < steps.size(); ++i) {
    if (!message->GetReflection()->HasField(*message, steps[i])) return "";
    message = &message->GetReflection()->GetMessage(*message, steps[i]);
  }
  const pb::FieldDescriptor* f = steps.back();
  const pb::Reflection* r = message->GetReflection();
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING: return r->GetString(*message, f);
    case pb::FieldDescriptor::CPPTYPE_BOOL: return r->GetBool(*message, f) ? "true" : "false";
    case pb::FieldDescriptor::CPPTYPE_INT32: return std::to_string(r->GetInt32(*message, f));
    case pb::FieldDescriptor::CPPTYPE_INT64: return std::to_string(r->GetInt64(*message, f));
    case pb::FieldDescriptor::CPPTYPE_UINT32: return std::to_string(r->GetUInt32(*message, f));
    case pb::FieldDescriptor::CPPTYPE_UINT64: return std::to_string(r->GetUInt64(*message, f));
    case pb::FieldDescriptor::CPPTYPE_ENUM: return r->GetEnum(*message, f)->name();
    default: return "";
  }
}

bool FieldSelector::matches(const pb::Message& object) const {
  for (const auto& r : requirements_)
    if ((field_value(object, r.path) == r.value) != r.equals) return false;
  return true;
}

const std::string* FieldSelector::equality_value(std::string_view path) const {
  for (const auto& r : requirements_)
    if (r.equals && r.path == path) return &r.value;
  return nullptr;
}

}  // namespace skiff::sdk
