// A sample belongs to the family whose HELP/TYPE came last when its name is the family's or
// the family's plus a histogram/summary/counter suffix; otherwise it is a family of its own.
#include "metrics_exposition.hpp"

#include <array>
#include <map>
#include <sstream>

namespace skiff::kubelet {
namespace {

struct Family {
  std::string help;  // the whole "# HELP …" line
  std::string type;  // the whole "# TYPE …" line
  std::vector<std::string> samples;
};

struct Families {
  std::vector<std::string> order;
  std::map<std::string, Family> by_name;

  Family& get(const std::string& name) {
    auto [it, added] = by_name.try_emplace(name);
    if (added) order.push_back(name);
    return it->second;
  }
};

std::string metric_name(const std::string& sample) {
  std::size_t end = sample.find_first_of("{ \t");
  return sample.substr(0, end);
}

bool member_of(const std::string& name, const std::string& family) {
  if (name == family) return true;
  static const std::array<std::string, 5> suffixes = {"_bucket", "_sum", "_count", "_total", "_created"};
  for (const auto& suffix : suffixes)
    if (name.size() == family.size() + suffix.size() && name.compare(0, family.size(), family) == 0 &&
        name.compare(family.size(), suffix.size(), suffix) == 0)
      return true;
  return false;
}


std::string with_plugin_label(const std::string& sample, const std::string& plugin) {
  std::string name = metric_name(sample);
  std::string label = "plugin=\"" + escaped_label_value(plugin) + "\"";
  if (sample.size() > name.size() && sample[name.size()] == '{') {
    if (sample.find("{plugin=\"") == name.size() || sample.find(",plugin=\"") != std::string::npos) return sample;
    bool empty = sample.size() > name.size() + 1 && sample[name.size() + 1] == '}';
    return name + "{" + label + (empty ? "" : ",") + sample.substr(name.size() + 1);
  }
  return name + "{" + label + "}" + sample.substr(name.size());
}

// "# HELP name …" / "# TYPE name …": the name, or "" for any other comment.
std::string described_family(const std::string& line, std::string_view keyword) {
  std::string prefix = "# " + std::string(keyword) + " ";
  if (line.rfind(prefix, 0) != 0) return "";
  std::size_t start = prefix.size();
  std::size_t end = line.find(' ', start);
  return line.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

void add_part(Families& families, const ExpositionPart& part) {
  std::istringstream lines(part.text);
  std::string current;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line[0] == '#') {
      for (std::string_view keyword : {"HELP", "TYPE"}) {
        std::string name = described_family(line, keyword);
        if (name.empty()) continue;
        current = name;
        Family& family = families.get(name);
        std::string& slot = keyword == "HELP" ? family.help : family.type;
        if (slot.empty()) slot = line;
      }
      continue;
    }
    std::string name = metric_name(line);
    Family& family = families.get(!current.empty() && member_of(name, current) ? current : name);
    family.samples.push_back(part.plugin.empty() ? line : with_plugin_label(line, part.plugin));
  }
}

}  // namespace

std::string merge_expositions(const std::vector<ExpositionPart>& parts) {
  Families families;
  for (const auto& part : parts) add_part(families, part);
  std::string out;
  for (const auto& name : families.order) {
    const Family& family = families.by_name.at(name);
    if (!family.help.empty()) out += family.help + "\n";
    if (!family.type.empty()) out += family.type + "\n";
    for (const auto& sample : family.samples) out += sample + "\n";
  }
  return out;
}

std::string escaped_label_value(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace skiff::kubelet
