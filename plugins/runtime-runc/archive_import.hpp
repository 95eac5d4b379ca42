// Imports images from a local archive into the store, no registry needed: `docker save`'s
// format (manifest.json naming each image's config, tags and layer tars) and OCI image layouts
// (oci-layout, index.json, blobs/sha256/…; an index resolved to linux/amd64, names from the
// `io.containerd.image.name` or `org.opencontainers.image.ref.name` annotations). Every blob is
// checked or named by its digest, as pulled ones are.
#pragma once

#include <string>
#include <vector>

#include "image_puller.hpp"
#include "image_store.hpp"

namespace skiff::runc {

// The images imported. Throws sdk::Error(422) naming the archive when it is neither format.
std::vector<ImageRecord> import_image_archive(const std::string& archive_path, ImageStore& store,
                                              const PullOptions& platform = {});

}  // namespace skiff::runc
