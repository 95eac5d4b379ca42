// Pulls one image from its registry into the store: the manifest by tag or digest (an index or
// manifest list resolved to linux/amd64), the config and each missing layer blob, every blob
// checked against its digest before it is kept and each layer unpacked once. A digest that does
// not match refuses the image: the blob is deleted and nothing is unpacked from it.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "image_reference.hpp"
#include "image_store.hpp"

namespace skiff::runc {

struct PullOptions {
  std::vector<std::string> insecure_registries;  // beside loopback: reached over plain HTTP
  std::chrono::milliseconds timeout{std::chrono::minutes(5)};  // per request
  std::string os = "linux";
  std::string architecture = "amd64";
};

// The manifest of `os`/`architecture` in an OCI index or Docker manifest list (the document's
// `manifests`); throws sdk::Error(404) listing the platforms there when it has none.
std::string platform_manifest_digest(const std::string& index, const PullOptions& options);

// Throws sdk::Error: the registry's status and message, 422 DigestMismatch, 415 for a
// manifest schema it does not read.
ImageRecord pull_image(const ImageReference& image, ImageStore& store, const PullOptions& options);

}  // namespace skiff::runc
