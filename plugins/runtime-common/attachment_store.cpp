// Records as JSON files named by sandbox id.
#include "attachment_store.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "skiff/sdk/status.hpp"

namespace skiff::runtime_common {

namespace json = boost::json;
namespace fs = std::filesystem;

namespace {

json::object to_json(const AttachmentRecord& record) {
  json::array args;
  for (const auto& [key, value] : record.attachment.args) args.push_back(json::array{json::string(key), json::string(value)});
  json::object out{{"network", record.network.to_json()},
                   {"containerID", record.attachment.container_id},
                   {"ifname", record.attachment.ifname},
                   {"args", std::move(args)},
                   {"capabilityArgs", record.attachment.capability_args},
                   {"ip", record.ip}};
  if (record.result) out["result"] = record.result->json;
  return out;
}

AttachmentRecord from_json(const json::object& in, const std::string& source) {
  AttachmentRecord record;
  record.network = sdk::cni::parse_network_config_list(json::serialize(in.at("network")), source);
  record.attachment.container_id = std::string(in.at("containerID").as_string());
  record.attachment.ifname = std::string(in.at("ifname").as_string());
  for (const auto& pair : in.at("args").as_array())
    record.attachment.args.emplace_back(pair.as_array().at(0).as_string(), pair.as_array().at(1).as_string());
  record.attachment.capability_args = in.at("capabilityArgs").as_object();
  record.ip = std::string(in.at("ip").as_string());
  if (const auto* result = in.if_contains("result"); result && result->is_object())
    record.result = sdk::cni::parse_result(result->as_object());
  return record;
}

}  // namespace

AttachmentStore::AttachmentStore(std::string dir) : dir_(std::move(dir)) { fs::create_directories(dir_); }

void AttachmentStore::save(const std::string& sandbox_id, const AttachmentRecord& record) const {
  std::string target = path(sandbox_id), aside = target + ".tmp";
  {
    std::ofstream out(aside, std::ios::trunc);
    out << json::serialize(to_json(record));
    out.flush();
    if (!out) throw sdk::Error(sdk::Status::Internal("cannot write " + aside));
  }
  fs::rename(aside, target);
}

std::optional<AttachmentRecord> AttachmentStore::load(const std::string& sandbox_id) const {
  std::ifstream in(path(sandbox_id));
  if (!in) return std::nullopt;
  std::stringstream text;
  text << in.rdbuf();
  try {
    return from_json(json::parse(text.str()).as_object(), path(sandbox_id));
  } catch (const std::exception& e) {
    throw sdk::Error(sdk::Status::Internal("the CNI record " + path(sandbox_id) + " cannot be read (" + e.what() +
                                           "); remove it once the pod's IP is released by hand"));
  }
}

void AttachmentStore::erase(const std::string& sandbox_id) const {
  std::error_code ec;
  fs::remove(path(sandbox_id), ec);
}

std::vector<std::string> AttachmentStore::sandbox_ids() const {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir_, ec))
    if (entry.path().extension() == ".json") ids.push_back(entry.path().stem().string());
  return ids;
}

}  // namespace skiff::runtime_common
