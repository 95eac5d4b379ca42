#include "image_store.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "layer_unpacker.hpp"
#include "sha256.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::runc {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_atomically(const fs::path& path, const std::string& text) {
  fs::path temporary = path;
  temporary += ".writing";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw sdk::Error(sdk::Status::Internal("cannot write " + temporary.string()));
  }
  fs::rename(temporary, path);
}

std::vector<std::string> strings(const json::value* v) {
  std::vector<std::string> out;
  if (v && v->is_array())
    for (const auto& item : v->as_array())
      if (item.is_string()) out.emplace_back(item.as_string());
  return out;
}

std::string string_at(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

json::array to_array(const std::vector<std::string>& items) {
  json::array out;
  for (const auto& item : items) out.emplace_back(item);
  return out;
}

json::object config_json(const ImageConfig& c) {
  return {{"Entrypoint", to_array(c.entrypoint)}, {"Cmd", to_array(c.cmd)}, {"Env", to_array(c.env)},
          {"WorkingDir", c.working_dir}, {"User", c.user}};
}

ImageConfig config_from(const json::object& o) {
  ImageConfig c;
  c.entrypoint = strings(o.if_contains("Entrypoint"));
  c.cmd = strings(o.if_contains("Cmd"));
  c.env = strings(o.if_contains("Env"));
  c.working_dir = string_at(o, "WorkingDir");
  c.user = string_at(o, "User");
  return c;
}

std::string record_json(const ImageRecord& r) {
  json::object o{{"name", r.name},          {"id", r.id},     {"manifest_digest", r.manifest_digest},
                 {"layers", to_array(r.layers)}, {"size", r.size}, {"config", config_json(r.config)}};
  return json::serialize(o);
}

ImageRecord record_from(const std::string& text) {
  auto o = json::parse(text).as_object();
  ImageRecord r;
  r.name = string_at(o, "name");
  r.id = string_at(o, "id");
  r.manifest_digest = string_at(o, "manifest_digest");
  r.layers = strings(o.if_contains("layers"));
  r.size = o.contains("size") ? o.at("size").to_number<std::int64_t>() : 0;
  if (auto* c = o.if_contains("config"); c && c->is_object()) r.config = config_from(c->as_object());
  return r;
}

}  // namespace

ImageConfig parse_image_config(const std::string& document) {
  boost::system::error_code ec;
  auto parsed = json::parse(document, ec);
  if (ec || !parsed.is_object()) throw sdk::Error(sdk::Status::Invalid("the image config is not a JSON object"));
  auto* config = parsed.as_object().if_contains("config");
  if (!config || !config->is_object()) return {};
  return config_from(config->as_object());
}

ImageStore::ImageStore(std::string root) : root_(std::move(root)) {
  for (const char* dir : {"blobs/sha256", "layers/sha256", "images", "scratch"}) fs::create_directories(root_ + "/" + dir);
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_ + "/scratch", ec)) fs::remove_all(entry.path(), ec);
}

std::string ImageStore::blob_path(const std::string& digest) const {
  return root_ + "/blobs/sha256/" + digest_hex(digest);
}

std::string ImageStore::layer_path(const std::string& digest) const {
  return root_ + "/layers/sha256/" + digest_hex(digest);
}

bool ImageStore::has_blob(const std::string& digest) const { return fs::exists(blob_path(digest)); }

std::string ImageStore::scratch_path() const {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return root_ + "/scratch/" + std::to_string(rng());
}

void ImageStore::add_blob(const std::string& file, const std::string& digest, const std::string& what) {
  std::string actual = sha256_file_digest(file);
  if (actual != digest) {
    fs::remove(file);
    throw sdk::Error(sdk::Status{422, "DigestMismatch",
                                 what + " is corrupt: its content hashes to " + actual + ", not " + digest + "; refused"});
  }
  fs::rename(file, blob_path(digest));
}

void ImageStore::unpack_layer(const std::string& digest) {
  std::lock_guard lock(unpack_mutex_);
  if (fs::exists(layer_path(digest))) return;
  unpack_tar(blob_path(digest), layer_path(digest));
}

std::string ImageStore::record_path(const std::string& name) const {
  return root_ + "/images/" + digest_hex(sha256_digest(name)) + ".json";
}

void ImageStore::save(const ImageRecord& record) {
  std::lock_guard lock(mutex_);
  write_atomically(record_path(record.name), record_json(record));
}

std::optional<ImageRecord> ImageStore::find(const std::string& name_or_id) const {
  {
    std::lock_guard lock(mutex_);
    fs::path path = record_path(name_or_id);
    if (fs::exists(path)) return record_from(read_text(path));
  }
  if (!valid_digest(name_or_id)) return std::nullopt;
  for (auto& record : list())
    if (record.id == name_or_id) return record;
  return std::nullopt;
}

std::vector<ImageRecord> ImageStore::list() const {
  std::lock_guard lock(mutex_);
  std::vector<ImageRecord> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_ + "/images", ec))
    if (entry.path().extension() == ".json") {
      try {
        out.push_back(record_from(read_text(entry.path())));
      } catch (const std::exception&) {
        // a record that does not parse names no image: GC leaves its blobs to the next good record
      }
    }
  return out;
}

bool ImageStore::remove(const std::string& name_or_id) {
  bool removed = false;
  for (const auto& record : list())
    if (record.name == name_or_id || record.id == name_or_id) {
      std::lock_guard lock(mutex_);
      removed |= fs::remove(record_path(record.name));
    }
  return removed;
}

std::size_t ImageStore::garbage_collect(const std::set<std::string>& layers_in_use) {
  std::set<std::string> keep(layers_in_use);
  for (const auto& record : list()) {
    keep.insert(record.id);
    if (!record.manifest_digest.empty()) keep.insert(record.manifest_digest);
    keep.insert(record.layers.begin(), record.layers.end());
  }
  std::lock_guard lock(mutex_);
  std::lock_guard unpacking(unpack_mutex_);
  std::size_t removed = 0;
  std::error_code ec;
  for (const char* dir : {"/blobs/sha256", "/layers/sha256"})
    for (const auto& entry : fs::directory_iterator(root_ + dir, ec)) {
      std::string digest = "sha256:" + entry.path().filename().string();
      if (valid_digest(digest) && keep.contains(digest)) continue;
      fs::remove_all(entry.path(), ec);
      ++removed;
    }
  return removed;
}

}  // namespace skiff::runc
