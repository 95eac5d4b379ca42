// A small recursive-descent reader for the JSONPath subset; anything else is refused with the
// position and what was expected, so a CRD author sees the mistake when creating the CRD.
#include "json_path.hpp"

#include <stdexcept>

#include <boost/json.hpp>

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '$'; }

template <class Step>
Step step_of(typename Step::Kind kind, std::string name = "", long index = 0) {
  Step step;
  step.kind = kind;
  step.name = std::move(name);
  step.index = index;
  return step;
}

[[noreturn]] void refuse(std::string_view path, std::size_t at, const std::string& what) {
  throw std::invalid_argument("invalid JSONPath " + std::string(path) + " at character " + std::to_string(at + 1) +
                              ": " + what);
}

const json::value* walk_dotted(const json::value& from, const std::string& dotted) {
  const json::value* at = &from;
  std::size_t start = 0;
  while (start <= dotted.size()) {
    std::size_t dot = dotted.find('.', start);
    std::string part = dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object()) return nullptr;
    at = at->as_object().if_contains(part);
    if (!at) return nullptr;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return at;
}

}  // namespace

JsonPath::JsonPath(std::string_view path) {
  std::string_view p = path;
  // kubectl also accepts the template form {.spec.x}.
  if (p.size() >= 2 && p.front() == '{' && p.back() == '}') p = p.substr(1, p.size() - 2);
  if (p.empty() || (p[0] != '.' && p[0] != '[')) refuse(path, 0, "must start with '.' (like .spec.replicas)");
  std::size_t i = 0;
  while (i < p.size()) {
    if (p[i] == '.') {
      std::size_t start = ++i;
      while (i < p.size() && name_char(p[i])) ++i;
      if (i == start) refuse(path, start, "expected a field name after '.'");
      steps_.push_back(step_of<Step>(Step::Field, std::string(p.substr(start, i - start))));
      continue;
    }
    if (p[i] != '[') refuse(path, i, "expected '.' or '['");
    std::size_t close = p.find(']', i);
    if (close == std::string_view::npos) refuse(path, i, "'[' is never closed");
    std::string_view inside = p.substr(i + 1, close - i - 1);
    if (inside == "*") {
      steps_.push_back(step_of<Step>(Step::All));
    } else if (!inside.empty() && (inside[0] == '\'' || inside[0] == '"')) {
      if (inside.size() < 2 || inside.back() != inside[0]) refuse(path, i, "unterminated quoted field name");
      steps_.push_back(step_of<Step>(Step::Field, std::string(inside.substr(1, inside.size() - 2))));
    } else if (inside.rfind("?(@.", 0) == 0 && inside.back() == ')') {
      std::string_view expr = inside.substr(4, inside.size() - 5);
      bool negate = expr.find("!=") != std::string_view::npos;
      std::size_t op = expr.find(negate ? "!=" : "==");
      if (op == std::string_view::npos) refuse(path, i, "a filter compares with == or !=");
      std::string field(expr.substr(0, op));
      while (!field.empty() && field.back() == ' ') field.pop_back();
      std::string_view literal = expr.substr(op + 2);
      while (!literal.empty() && literal.front() == ' ') literal.remove_prefix(1);
      Step step = step_of<Step>(Step::Filter, field);
      step.filter_not = negate;
      if (!literal.empty() && (literal[0] == '"' || literal[0] == '\'')) {
        step.filter_value = json::string(literal.substr(1, literal.size() - 2));
      } else {
        json::error_code ec;
        step.filter_value = json::parse(literal, ec);
        if (ec) refuse(path, i, "the filter's value is not a string, number or boolean");
      }
      steps_.push_back(std::move(step));
    } else {
      try {
        std::size_t used = 0;
        long n = std::stol(std::string(inside), &used);
        if (used != inside.size()) throw std::invalid_argument("");
        steps_.push_back(step_of<Step>(Step::Index, "", n));
      } catch (const std::exception&) {
        refuse(path, i, "expected an index, '*', a quoted name or a filter inside '[]'");
      }
    }
    i = close + 1;
  }
}

std::vector<const json::value*> JsonPath::find(const json::value& root) const {
  std::vector<const json::value*> current{&root};
  for (const auto& step : steps_) {
    std::vector<const json::value*> next;
    for (const json::value* v : current) {
      switch (step.kind) {
        case Step::Field:
          if (v->is_object())
            if (const json::value* child = v->as_object().if_contains(step.name)) next.push_back(child);
          break;
        case Step::Index:
          if (v->is_array()) {
            long size = static_cast<long>(v->as_array().size());
            long at = step.index < 0 ? size + step.index : step.index;
            if (at >= 0 && at < size) next.push_back(&v->as_array()[static_cast<std::size_t>(at)]);
          }
          break;
        case Step::All:
          if (v->is_array())
            for (const auto& item : v->as_array()) next.push_back(&item);
          else if (v->is_object())
            for (const auto& member : v->as_object()) next.push_back(&member.value());
          break;
        case Step::Filter:
          if (v->is_array())
            for (const auto& item : v->as_array()) {
              const json::value* field = walk_dotted(item, step.name);
              bool equal = field && *field == step.filter_value;
              if (equal != step.filter_not && (field || step.filter_not)) next.push_back(&item);
            }
          break;
      }
    }
    current = std::move(next);
  }
  return current;
}

std::string json_cell_text(const json::value& value) {
  if (value.is_string()) return std::string(value.as_string());
  return json::serialize(value);
}

}  // namespace skiff::apiserver
