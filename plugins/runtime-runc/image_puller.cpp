#include "image_puller.hpp"

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>

#include "registry_client.hpp"
#include "sha256.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::runc {

namespace json = boost::json;

namespace {

bool is_index(const std::string& media_type, const json::object& document) {
  return media_type == "application/vnd.oci.image.index.v1+json" ||
         media_type == "application/vnd.docker.distribution.manifest.list.v2+json" ||
         (document.contains("manifests") && !document.contains("layers"));
}

json::object parse_object(const std::string& text, const std::string& what) {
  boost::system::error_code ec;
  auto parsed = json::parse(text, ec);
  if (ec || !parsed.is_object()) throw sdk::Error(sdk::Status{502, "ErrImagePull", what + " is not a JSON object"});
  return parsed.as_object();
}

std::string digest_of(const json::value& descriptor, const std::string& what) {
  const auto* d = descriptor.is_object() ? descriptor.as_object().if_contains("digest") : nullptr;
  if (!d || !d->is_string() || !valid_digest(d->as_string()))
    throw sdk::Error(sdk::Status{502, "ErrImagePull", what + " has no valid sha256 digest"});
  return std::string(d->as_string());
}

// Fetches blob `digest` into the store unless it is there; checked before it is kept.
void fetch_blob(RegistryClient& registry, ImageStore& store, const std::string& digest, const std::string& what) {
  if (store.has_blob(digest)) return;
  std::string scratch = store.scratch_path();
  registry.blob(digest, scratch);
  store.add_blob(scratch, digest, what);
}

std::string read_blob(const ImageStore& store, const std::string& digest) {
  std::ifstream in(store.blob_path(digest), std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

Manifest verified_manifest(RegistryClient& registry, const std::string& reference) {
  Manifest m = registry.manifest(reference);
  if (valid_digest(reference) && m.digest != reference)
    throw sdk::Error(sdk::Status{422, "DigestMismatch",
                                 "the manifest " + reference + " is corrupt: it hashes to " + m.digest + "; refused"});
  return m;
}

}  // namespace

std::string platform_manifest_digest(const std::string& index, const PullOptions& options) {
  auto document = parse_object(index, "the image index");
  std::string seen;
  if (auto* manifests = document.if_contains("manifests"); manifests && manifests->is_array())
    for (const auto& m : manifests->as_array()) {
      const auto* platform = m.is_object() ? m.as_object().if_contains("platform") : nullptr;
      if (!platform || !platform->is_object()) continue;
      const auto& p = platform->as_object();
      std::string os = p.contains("os") && p.at("os").is_string() ? std::string(p.at("os").as_string()) : "";
      std::string arch = p.contains("architecture") && p.at("architecture").is_string()
                             ? std::string(p.at("architecture").as_string())
                             : "";
      if (os == options.os && arch == options.architecture) return digest_of(m, "the index's " + os + "/" + arch + " entry");
      seen += (seen.empty() ? "" : ", ") + os + "/" + arch;
    }
  throw sdk::Error(sdk::Status{404, "ErrImagePull", "no " + options.os + "/" + options.architecture +
                                                        " image in the index (it has: " + (seen.empty() ? "none" : seen) +
                                                        ")"});
}

ImageRecord pull_image(const ImageReference& image, ImageStore& store, const PullOptions& options) {
  RegistryClient registry(image, plain_http_registry(image.registry, options.insecure_registries), options.timeout);
  Manifest manifest = verified_manifest(registry, image.reference());
  auto document = parse_object(manifest.body, "the manifest");
  if (is_index(manifest.media_type, document)) {
    manifest = verified_manifest(registry, platform_manifest_digest(manifest.body, options));
    document = parse_object(manifest.body, "the platform's manifest");
  }
  if (!document.contains("config") || !document.contains("layers") || !document.at("layers").is_array())
    throw sdk::Error(sdk::Status{415, "ErrImagePull",
                                 "the manifest (" + manifest.media_type +
                                     ") is not an OCI image manifest or Docker schema 2 manifest (schema 1 is not read)"});
  ImageRecord record;
  record.name = image.canonical();
  record.manifest_digest = manifest.digest;
  record.id = digest_of(document.at("config"), "the manifest's config");
  fetch_blob(registry, store, record.id, "the image config " + record.id);
  record.config = parse_image_config(read_blob(store, record.id));
  for (const auto& layer : document.at("layers").as_array()) {
    std::string digest = digest_of(layer, "a layer");
    fetch_blob(registry, store, digest, "the layer " + digest);
    store.unpack_layer(digest);
    record.layers.push_back(digest);
    if (layer.as_object().contains("size")) record.size += layer.at("size").to_number<std::int64_t>();
  }
  store.save(record);
  return record;
}

}  // namespace skiff::runc
