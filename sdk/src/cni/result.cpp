// Reading CNI results; unknown fields stay in Result::json for the next plugin.
#include "skiff/sdk/cni/result.hpp"

#include <boost/json.hpp>

#include "skiff/sdk/status.hpp"

namespace skiff::sdk::cni {

namespace json = boost::json;

namespace {

[[noreturn]] void malformed(const std::string& plugin, const std::string& what) {
  throw Error(Status::Internal("CNI plugin " + (plugin.empty() ? std::string("result") : plugin) +
                               " returned a malformed result: " + what));
}

std::string text(const json::object& object, std::string_view key) {
  const json::value* value = object.if_contains(key);
  return value && value->is_string() ? std::string(value->as_string()) : "";
}

std::vector<std::string> texts(const json::object& object, std::string_view key) {
  std::vector<std::string> out;
  if (const json::value* value = object.if_contains(key); value && value->is_array())
    for (const auto& item : value->as_array())
      if (item.is_string()) out.emplace_back(item.as_string());
  return out;
}

// The objects of an optional list field; a field of another type is an error.
std::vector<const json::object*> objects(const json::object& result, std::string_view key, const std::string& plugin) {
  std::vector<const json::object*> out;
  const json::value* value = result.if_contains(key);
  if (!value || value->is_null()) return out;
  if (!value->is_array()) malformed(plugin, "'" + std::string(key) + "' is not a list");
  for (const auto& item : value->as_array()) {
    if (!item.is_object()) malformed(plugin, "an item of '" + std::string(key) + "' is not an object");
    out.push_back(&item.as_object());
  }
  return out;
}

IpConfig ip_config(const json::object& ip, const std::string& plugin, std::size_t interfaces) {
  IpConfig out{text(ip, "address"), text(ip, "gateway"), std::nullopt};
  if (out.address.find('/') == std::string::npos) malformed(plugin, "IP address '" + out.address + "' is not in CIDR form");
  if (const json::value* index = ip.if_contains("interface"); index && index->is_number()) {
    auto at = index->to_number<std::int64_t>();
    if (at < 0 || static_cast<std::size_t>(at) >= interfaces)
      malformed(plugin, "IP " + out.address + " names interface " + std::to_string(at) + " of " + std::to_string(interfaces));
    out.interface = static_cast<std::size_t>(at);
  }
  return out;
}

}  // namespace

std::string Result::sandbox_ip(const std::string& sandbox, std::string_view version) const {
  bool want_v6 = version == "6";
  auto usable = [&](const IpConfig& ip) {
    std::string address = ip.ip();
    bool v6 = address.find(':') != std::string::npos;
    return v6 == want_v6 && address.rfind("127.", 0) != 0 && address != "::1";  // not the loopback plugin's
  };
  for (const auto& ip : ips)
    if (usable(ip) && ip.interface && !sandbox.empty() && interfaces[*ip.interface].sandbox == sandbox) return ip.ip();
  for (const auto& ip : ips)
    if (usable(ip)) return ip.ip();
  return "";
}

Result parse_result(const json::object& result, const std::string& plugin) {
  Result out;
  out.json = result;
  out.cni_version = text(result, "cniVersion");
  for (const auto* item : objects(result, "interfaces", plugin))
    out.interfaces.push_back({text(*item, "name"), text(*item, "mac"), text(*item, "sandbox")});
  for (const auto* item : objects(result, "ips", plugin)) out.ips.push_back(ip_config(*item, plugin, out.interfaces.size()));
  for (const auto* item : objects(result, "routes", plugin)) out.routes.push_back({text(*item, "dst"), text(*item, "gw")});
  if (const json::value* dns = result.if_contains("dns"); dns && dns->is_object()) {
    const auto& d = dns->as_object();
    out.dns = {texts(d, "nameservers"), text(d, "domain"), texts(d, "search"), texts(d, "options")};
  }
  return out;
}

Result parse_result(std::string_view text, const std::string& plugin) {
  boost::system::error_code ec;
  json::value parsed = json::parse(text, ec);
  if (ec) malformed(plugin, "not JSON (" + ec.message() + ")");
  if (!parsed.is_object()) malformed(plugin, "not a JSON object");
  return parse_result(parsed.as_object(), plugin);
}

}  // namespace skiff::sdk::cni
