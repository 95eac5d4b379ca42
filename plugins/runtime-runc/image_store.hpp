// The content-addressed image store in the plugin's data dir, shared by every image:
//   blobs/sha256/<hex>    manifests, configs and layer archives, each checked against its digest
//   layers/sha256/<hex>   each layer unpacked once (named by its blob's digest), overlayfs-ready
//   images/<hex>.json     one record per image name: its id (config digest), layers, config
// Blobs and layers are written beside their final name and renamed, so a crash leaves none
// half-written; garbage_collect() removes what no image and no container uses.
#pragma once

#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace skiff::runc {

// What a container needs of its image's config (the OCI image config's `config`).
struct ImageConfig {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "KEY=value"
  std::string working_dir;
  std::string user;
};

struct ImageRecord {
  std::string name;             // canonical: registry/repository:tag
  std::string id;               // the config blob's digest
  std::string manifest_digest;  // "" for an image imported from a docker-save archive
  std::vector<std::string> layers;  // blob digests, base first
  std::int64_t size = 0;            // bytes of the layer blobs
  ImageConfig config;
};

// The `config` object of an OCI/Docker image config document; throws sdk::Error(422) when it
// is not JSON.
ImageConfig parse_image_config(const std::string& document);

class ImageStore {
 public:
  explicit ImageStore(std::string root);  // creates its directories

  std::string blob_path(const std::string& digest) const;
  std::string layer_path(const std::string& digest) const;
  bool has_blob(const std::string& digest) const;
  // A scratch file name in the store (same filesystem as the blobs, so the rename is atomic).
  std::string scratch_path() const;
  // Moves `file` into the store as blob `digest` once its content hashes to it; else deletes it
  // and throws sdk::Error(422, "DigestMismatch") naming both digests and `what`.
  void add_blob(const std::string& file, const std::string& digest, const std::string& what);
  // Unpacks layer blob `digest` unless it is unpacked already; at most one unpack per layer at a time.
  void unpack_layer(const std::string& digest);

  void save(const ImageRecord& record);
  // By canonical name or by id.
  std::optional<ImageRecord> find(const std::string& name_or_id) const;
  std::vector<ImageRecord> list() const;
  // Removes the records with this name or id; false when there was none.
  bool remove(const std::string& name_or_id);
  // Removes blobs and unpacked layers no record and none of `layers_in_use` names; returns how many.
  std::size_t garbage_collect(const std::set<std::string>& layers_in_use);

 private:
  std::string record_path(const std::string& name) const;

  std::string root_;
  mutable std::mutex mutex_;  // records and GC
  std::mutex unpack_mutex_;   // one unpack at a time: layers are unpacked once
};

}  // namespace skiff::runc
