// The conflist as JSON, and writing it without ever replacing a file someone else wrote.
#include "cni_conflist.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>

#include "skiff/sdk/status.hpp"

namespace skiff::network {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

// Marks the file as ours; CNI runtimes ignore top-level keys they do not know.
constexpr const char* kOwnerKey = "skiffOwner";
constexpr const char* kOwner = "the skiff network plugin (rewritten at each start)";

bool written_by_us(const fs::path& file) {
  std::ifstream in(file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  boost::system::error_code error;
  json::value value = json::parse(text, error);
  if (error || !value.is_object()) return false;
  const json::value* owner = value.as_object().if_contains(kOwnerKey);
  return owner && owner->is_string() && owner->as_string() == kOwner;
}

}  // namespace

std::string conflist_json(const ConflistOptions& o) {
  json::object ipam{{"type", "host-local"},
                    {"ranges", json::array{json::array{json::object{{"subnet", o.pod_cidr.str()},
                                                                    {"gateway", sdk::format_ipv4(o.pod_cidr.first_host())}}}}},
                    {"routes", json::array{json::object{{"dst", "0.0.0.0/0"}}}},
                    {"dataDir", o.ipam_dir}};
  // Masquerading is the network plugin's (once per node, not per pod); hairpin lets a pod
  // reach itself through a Service.
  json::object bridge{{"type", "bridge"}, {"bridge", o.bridge}, {"isGateway", true}, {"ipMasq", false},
                      {"hairpinMode", true}, {"ipam", ipam}};
  if (o.mtu > 0) bridge["mtu"] = o.mtu;
  json::object conflist{{"cniVersion", "1.0.0"},
                        {"name", kNetworkName},
                        {kOwnerKey, kOwner},
                        {"plugins", json::array{bridge,
                                                json::object{{"type", "portmap"},
                                                             {"capabilities", json::object{{"portMappings", true}}}},
                                                json::object{{"type", "loopback"}}}}};
  return json::serialize(conflist);
}

void write_conflist(const std::string& dir, const std::string& text) {
  fs::path file = fs::path(dir) / kConflistFile;
  if (fs::exists(file) && !written_by_us(file))
    throw sdk::Error(sdk::Status{409, "AlreadyExists", file.string() + " exists and skiff did not write it; remove it, "
                                 "or give the network plugin a cni_conf_dir of its own"});
  fs::create_directories(dir);
  fs::path temporary = file;
  temporary += ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << text << "\n";
    if (!out) throw sdk::Error(sdk::Status::Internal("cannot write " + temporary.string()));
  }
  fs::rename(temporary, file);
}

}  // namespace skiff::network
