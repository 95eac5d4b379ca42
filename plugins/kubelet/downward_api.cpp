// Downward API values: Kubernetes' podFieldSelectorRuntimeValue, ExtractFieldPathAsString and
// ExtractContainerResourceValue, over Skiff's Pod.
#include "downward_api.hpp"

#include <cstdint>
#include <map>

#include "skiff/sdk/quantity.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::kubelet {

namespace core = api::core::v1;

namespace {

[[noreturn]] void config_error(const std::string& message) {
  throw sdk::Error(sdk::Status{422, "CreateContainerConfigError", message});
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

// "metadata.labels['app']" → {"metadata.labels", "app"}, as fieldpath.SplitMaybeSubscriptedPath.
bool split_subscript(const std::string& path, std::string& base, std::string& key) {
  if (path.size() < 2 || path.compare(path.size() - 2, 2, "']") != 0) return false;
  auto open = path.find("['");
  if (open == std::string::npos || open == 0 || open + 2 > path.size() - 2) return false;
  base = path.substr(0, open);
  key = path.substr(open + 2, path.size() - 2 - open - 2);
  return true;
}

// Go's unicode.IsPrint for the characters that occur in practice: ASCII exactly; beyond it the
// controls, separators, format characters and private use Go escapes (unassigned code points
// are taken as printable).
bool printable(char32_t r) {
  if (r < 0x80) return r >= 0x20 && r < 0x7f;
  if (r < 0xa0 || r == 0xa0 || r == 0xad || r == 0x1680 || r == 0x180e || r == 0x202f || r == 0x205f || r == 0x3000 ||
      r == 0xfeff || r == 0xfffe || r == 0xffff)
    return false;
  if ((r >= 0x2000 && r <= 0x200f) || (r >= 0x2028 && r <= 0x202e) || (r >= 0x2060 && r <= 0x206f)) return false;
  if ((r >= 0x600 && r <= 0x605) || r == 0x61c || r == 0x6dd || r == 0x70f || (r >= 0xfff9 && r <= 0xfffb)) return false;
  if ((r >= 0xe000 && r <= 0xf8ff) || r >= 0xf0000) return false;
  return true;
}

// One UTF-8 sequence at `at`: its code point and length; length 0 when it is not valid UTF-8.
std::size_t decode_utf8(const std::string& s, std::size_t at, char32_t& r) {
  auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  unsigned char lead = byte(at);
  std::size_t length = lead >= 0xf0 && lead < 0xf5 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 && lead < 0xe0 ? 2 : 0;
  if (length == 0 || at + length > s.size()) return 0;
  r = lead & (0x7f >> length);
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xc0) != 0x80) return 0;
    r = (r << 6) | (byte(at + i) & 0x3f);
  }
  bool overlong = (length == 3 && r < 0x800) || (length == 4 && r < 0x10000);
  if (overlong || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) return 0;
  return length;
}

std::string hex(std::uint32_t value, int digits) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(static_cast<std::size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i, value >>= 4) out[static_cast<std::size_t>(i)] = kDigits[value & 0xf];
  return out;
}

// Go's strconv.Quote.
std::string go_quote(const std::string& s) {
  static const std::map<char32_t, const char*> kShort = {{'\a', "\\a"}, {'\b', "\\b"}, {'\f', "\\f"}, {'\n', "\\n"},
                                                         {'\r', "\\r"}, {'\t', "\\t"}, {'\v', "\\v"}};
  std::string out = "\"";
  for (std::size_t i = 0; i < s.size();) {
    char32_t r = static_cast<unsigned char>(s[i]);
    std::size_t width = r < 0x80 ? 1 : decode_utf8(s, i, r);
    if (width == 0) {  // a byte that is not UTF-8
      out += "\\x" + hex(static_cast<unsigned char>(s[i]), 2);
      ++i;
      continue;
    }
    if (r == '"' || r == '\\') out += '\\';
    if (r == '"' || r == '\\' || printable(r)) out.append(s, i, width);
    else if (auto short_form = kShort.find(r); short_form != kShort.end()) out += short_form->second;
    else if (r < 0x20 || r == 0x7f) out += "\\x" + hex(r, 2);
    else if (r < 0x10000) out += "\\u" + hex(r, 4);
    else out += "\\U" + hex(r, 8);
    i += width;
  }
  return out + "\"";
}

// ExtractFieldPathAsString: the pod's metadata.
std::string metadata_value(const core::Pod& pod, const std::string& path) {
  const auto& meta = pod.metadata();
  std::string base, key;
  if (split_subscript(path, base, key)) {
    const auto* map = base == "metadata.labels" ? &meta.labels() : base == "metadata.annotations" ? &meta.annotations() : nullptr;
    if (!map) config_error("fieldPath \"" + path + "\" does not support subscript");
    auto found = map->find(key);
    return found == map->end() ? "" : found->second;
  }
  if (path == "metadata.labels") return format_map(meta.labels());
  if (path == "metadata.annotations") return format_map(meta.annotations());
  if (path == "metadata.name") return meta.name();
  if (path == "metadata.namespace") return meta.namespace_();
  if (path == "metadata.uid") return meta.uid();
  config_error("unsupported fieldPath: " + path);
}

std::int64_t ceil_div(std::int64_t value, std::int64_t divisor) {
  if (divisor <= 0) divisor = 1;
  return value <= 0 ? value / divisor : (value - 1) / divisor + 1;
}

const core::Container* container_named(const core::Pod& pod, const std::string& name) {
  for (const auto* list : {&pod.spec().containers(), &pod.spec().init_containers()})
    for (const auto& c : *list)
      if (c.name() == name) return &c;
  return nullptr;
}

// MergeContainerResourceLimits: cpu, memory and ephemeral-storage without a limit (or with a
// zero one) take the node's allocatable.
std::map<std::string, std::string> limits_with_allocatable(const core::Container& container,
                                                           const std::map<std::string, std::string>& allocatable) {
  std::map<std::string, std::string> limits(container.resources().limits().begin(), container.resources().limits().end());
  for (const char* name : {"cpu", "memory", "ephemeral-storage"}) {
    auto limit = limits.find(name);
    bool unset = limit == limits.end() || sdk::parse_quantity_milli(limit->second).value_or(0) == 0;
    auto offered = allocatable.find(name);
    if (unset && offered != allocatable.end()) limits[name] = offered->second;
  }
  return limits;
}

}  // namespace

std::string format_map(const google::protobuf::Map<std::string, std::string>& map) {
  std::map<std::string, std::string> sorted(map.begin(), map.end());
  std::string out;
  for (const auto& [key, value] : sorted) out += (out.empty() ? "" : "\n") + key + "=" + go_quote(value);
  return out;
}

std::string field_ref_value(const core::Pod& pod, const core::ObjectFieldSelector& selector, const DownwardContext& context) {
  // An object stored before the API defaulted apiVersion has none: v1 is the only one there is.
  if (!selector.api_version().empty() && selector.api_version() != "v1")
    config_error("unsupported pod version: " + selector.api_version());
  const std::string& path = selector.field_path();
  if (path == "spec.nodeName" || path == "spec.host") return pod.spec().node_name();  // spec.host: v1's old name
  if (path == "spec.serviceAccountName") return pod.spec().service_account_name();
  if (path == "status.hostIP") return context.host_ips.empty() ? "" : context.host_ips.front();
  if (path == "status.hostIPs") return join(context.host_ips);
  if (path == "status.podIP") return context.pod_ips.empty() ? "" : context.pod_ips.front();
  if (path == "status.podIPs") return join(context.pod_ips);
  return metadata_value(pod, path);
}

std::string resource_field_value(const core::Pod& pod, const core::Container* container,
                                 const core::ResourceFieldSelector& selector, const DownwardContext& context) {
  if (!selector.container_name().empty()) {
    container = container_named(pod, selector.container_name());
    if (!container) config_error("container " + selector.container_name() + " not found");
  }
  if (!container) config_error("resourceFieldRef " + selector.resource() + " names no container");
  const std::string& resource = selector.resource();
  auto dot = resource.find('.');
  std::string which = resource.substr(0, dot), name = dot == std::string::npos ? "" : resource.substr(dot + 1);
  bool known = name == "cpu" || name == "memory" || name == "ephemeral-storage" || name.rfind("hugepages-", 0) == 0;
  if ((which != "limits" && which != "requests") || !known) config_error("unsupported container resource : " + resource);
  std::map<std::string, std::string> quantities =
      which == "limits" ? limits_with_allocatable(*container, context.allocatable)
                        : std::map<std::string, std::string>(container->resources().requests().begin(),
                                                             container->resources().requests().end());
  auto found = quantities.find(name);
  std::string quantity = found == quantities.end() ? "0" : found->second;
  // An unset (or zero) divisor is 1; cpu counts in thousandths so that 1m divides it.
  bool cpu = name == "cpu";
  auto parse = [&](const std::string& text) {
    return (cpu ? sdk::parse_quantity_milli(text) : sdk::parse_quantity(text)).value_or(0);
  };
  std::int64_t divisor = selector.divisor().empty() ? 0 : parse(selector.divisor());
  if (divisor == 0) divisor = cpu ? 1000 : 1;
  return std::to_string(ceil_div(parse(quantity), divisor));
}

}  // namespace skiff::kubelet
