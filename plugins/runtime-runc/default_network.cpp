#include "default_network.hpp"

#include <boost/json.hpp>

#include <filesystem>

#include "container_record.hpp"

namespace skiff::runc {

namespace json = boost::json;

std::string default_bridge_conflist(const std::string& bridge, const std::string& subnet, const std::string& ipam_dir) {
  json::object ipam{{"type", "host-local"}, {"ranges", json::array{json::array{json::object{{"subnet", subnet}}}}},
                    {"dataDir", ipam_dir}};
  json::object bridge_plugin{{"type", "bridge"}, {"bridge", bridge},    {"isGateway", true},
                             {"ipMasq", false},  {"hairpinMode", true}, {"ipam", ipam}};
  json::object portmap{{"type", "portmap"}, {"capabilities", json::object{{"portMappings", true}}}};
  json::object conflist{
      {"cniVersion", "0.4.0"}, {"name", "skiff-runc"}, {"plugins", json::array{bridge_plugin, portmap}}};
  return json::serialize(conflist) + "\n";
}

void write_default_conflist(const std::string& dir, const std::string& text) {
  std::filesystem::create_directories(dir);
  std::string path = dir + "/10-skiff-runc.conflist";
  if (read_small_file(path) != text) write_small_file(path, text);
}

}  // namespace skiff::runc
