// An image name as a pod spec gives it ("busybox", "127.0.0.1:5000/app:1", "app@sha256:…"),
// split as Docker does: the registry is the first component when it has a '.' or ':' or is
// "localhost" (else docker.io, with "library/" for one-component names), then the repository,
// then a tag (default "latest") or a digest.
#pragma once

#include <string>
#include <vector>

namespace skiff::runc {

struct ImageReference {
  std::string registry;    // "docker.io", "127.0.0.1:5000"
  std::string repository;  // "library/busybox"
  std::string tag;         // "" when a digest is given
  std::string digest;      // "sha256:…" or ""

  // The name the store keeps the image under: registry/repository:tag or …@digest.
  std::string canonical() const;
  // The tag or digest, as the registry's manifests endpoint takes it.
  std::string reference() const { return digest.empty() ? tag : digest; }
};

// Throws sdk::Error(400) naming what is wrong with `name`.
ImageReference parse_image_reference(const std::string& name);

// True when the registry is reached over plain HTTP: loopback (127.0.0.0/8, localhost, [::1])
// always, as Docker does, and the ones listed in the config (host or host:port).
bool plain_http_registry(const std::string& registry, const std::vector<std::string>& insecure_registries);

}  // namespace skiff::runc
