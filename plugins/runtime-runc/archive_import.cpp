#include "archive_import.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>

#include "image_reference.hpp"
#include "layer_unpacker.hpp"
#include "sha256.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::runc {

namespace fs = std::filesystem;
namespace json = boost::json;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

sdk::Error bad_archive(const std::string& archive, const std::string& why) {
  return sdk::Error(sdk::Status::Invalid("cannot import " + archive + ": " + why));
}

std::string string_at(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : "";
}

// A file of the unpacked archive, by the relative name the archive's index gives it.
fs::path member(const fs::path& root, const std::string& name, const std::string& archive) {
  std::string contained = contained_entry_path(name);
  if (contained.empty()) throw bad_archive(archive, "it names \"" + name + "\", outside the archive");
  return root / contained;
}

// Moves a member into the store under its content's digest.
std::string add_member(ImageStore& store, const fs::path& file, const std::string& what) {
  std::string digest = sha256_file_digest(file.string());
  if (!store.has_blob(digest)) store.add_blob(file.string(), digest, what);
  return digest;
}

std::vector<ImageRecord> import_docker_save(const fs::path& root, const std::string& archive, ImageStore& store) {
  std::vector<ImageRecord> imported;
  auto manifest = json::parse(read_text(root / "manifest.json"));
  if (!manifest.is_array()) throw bad_archive(archive, "its manifest.json is not a list");
  for (const auto& entry : manifest.as_array()) {
    if (!entry.is_object()) continue;
    const auto& image = entry.as_object();
    ImageRecord record;
    fs::path config = member(root, string_at(image, "Config"), archive);
    record.config = parse_image_config(read_text(config));
    record.id = add_member(store, config, "the config of " + archive);
    if (auto* layers = image.if_contains("Layers"); layers && layers->is_array())
      for (const auto& layer : layers->as_array()) {
        fs::path file = member(root, std::string(layer.as_string()), archive);
        if (!fs::exists(file)) throw bad_archive(archive, "its layer " + file.filename().string() + " is missing");
        record.size += static_cast<std::int64_t>(fs::file_size(file));
        std::string digest = add_member(store, file, "a layer of " + archive);
        store.unpack_layer(digest);
        record.layers.push_back(digest);
      }
    if (auto* tags = image.if_contains("RepoTags"); tags && tags->is_array())
      for (const auto& tag : tags->as_array()) {
        record.name = parse_image_reference(std::string(tag.as_string())).canonical();
        store.save(record);
        imported.push_back(record);
      }
  }
  return imported;
}

// Copies a blob of the layout into the store, checked against its digest.
void add_layout_blob(const fs::path& root, ImageStore& store, const std::string& digest, const std::string& archive) {
  if (!valid_digest(digest)) throw bad_archive(archive, "a descriptor has no valid sha256 digest");
  if (store.has_blob(digest)) return;
  fs::path file = root / "blobs" / "sha256" / digest_hex(digest);
  if (!fs::exists(file)) throw bad_archive(archive, "blob " + digest + " is missing");
  store.add_blob(file.string(), digest, "blob " + digest + " of " + archive);
}

json::object layout_blob(const fs::path& root, ImageStore& store, const std::string& digest, const std::string& archive) {
  add_layout_blob(root, store, digest, archive);
  return json::parse(read_text(store.blob_path(digest))).as_object();
}

std::string image_name(const json::object& descriptor) {
  auto* annotations = descriptor.if_contains("annotations");
  if (!annotations || !annotations->is_object()) return "";
  std::string name = string_at(annotations->as_object(), "io.containerd.image.name");
  if (name.empty()) name = string_at(annotations->as_object(), "org.opencontainers.image.ref.name");
  return name.find_first_of("/:") == std::string::npos ? "" : name;  // a bare tag names no repository
}

std::vector<ImageRecord> import_oci_layout(const fs::path& root, const std::string& archive, ImageStore& store,
                                           const PullOptions& platform) {
  std::vector<ImageRecord> imported;
  auto index = json::parse(read_text(root / "index.json")).as_object();
  if (!index.contains("manifests")) throw bad_archive(archive, "its index.json lists no manifests");
  for (const auto& descriptor : index.at("manifests").as_array()) {
    std::string name = image_name(descriptor.as_object());
    if (name.empty()) continue;
    std::string digest = string_at(descriptor.as_object(), "digest");
    auto manifest = layout_blob(root, store, digest, archive);
    if (manifest.contains("manifests")) {
      digest = platform_manifest_digest(json::serialize(manifest), platform);
      manifest = layout_blob(root, store, digest, archive);
    }
    ImageRecord record;
    record.name = parse_image_reference(name).canonical();
    record.manifest_digest = digest;
    record.id = string_at(manifest.at("config").as_object(), "digest");
    add_layout_blob(root, store, record.id, archive);
    record.config = parse_image_config(read_text(store.blob_path(record.id)));
    for (const auto& layer : manifest.at("layers").as_array()) {
      std::string layer_digest = string_at(layer.as_object(), "digest");
      add_layout_blob(root, store, layer_digest, archive);
      store.unpack_layer(layer_digest);
      record.layers.push_back(layer_digest);
      if (layer.as_object().contains("size")) record.size += layer.at("size").to_number<std::int64_t>();
    }
    store.save(record);
    imported.push_back(record);
  }
  return imported;
}

}  // namespace

std::vector<ImageRecord> import_image_archive(const std::string& archive_path, ImageStore& store,
                                              const PullOptions& platform) {
  fs::path root = store.scratch_path();
  unpack_tar(archive_path, root.string(), UnpackOptions{false});
  try {
    std::vector<ImageRecord> imported;
    if (fs::exists(root / "manifest.json")) imported = import_docker_save(root, archive_path, store);
    else if (fs::exists(root / "index.json")) imported = import_oci_layout(root, archive_path, store, platform);
    else throw bad_archive(archive_path, "it has neither manifest.json (docker save) nor index.json (an OCI layout)");
    fs::remove_all(root);
    return imported;
  } catch (const sdk::Error&) {
    fs::remove_all(root);
    throw;
  } catch (const std::exception& e) {
    fs::remove_all(root);
    throw bad_archive(archive_path, e.what());
  }
}

}  // namespace skiff::runc
