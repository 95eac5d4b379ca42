#include "image_reference.hpp"

#include <algorithm>
#include <cctype>

#include "sha256.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::runc {

namespace {

// host[:port] with a '.' in the host, a numeric port, or "localhost".
bool looks_like_registry(const std::string& component) {
  auto colon = component.rfind(':');
  if (colon != std::string::npos) {
    std::string port = component.substr(colon + 1);
    return !port.empty() && std::all_of(port.begin(), port.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); });
  }
  return component.find('.') != std::string::npos || component == "localhost";
}

bool valid_repository(const std::string& repository) {
  if (repository.empty() || repository.front() == '/' || repository.back() == '/') return false;
  return std::all_of(repository.begin(), repository.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) || c == '.' ||
           c == '_' || c == '-' || c == '/';
  }) && repository.find("..") == std::string::npos;
}

bool valid_tag(const std::string& tag) {
  if (tag.empty() || tag.size() > 128 || tag.front() == '.' || tag.front() == '-') return false;
  return std::all_of(tag.begin(), tag.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  });
}

}  // namespace

std::string ImageReference::canonical() const {
  return registry + "/" + repository + (digest.empty() ? ":" + tag : "@" + digest);
}

ImageReference parse_image_reference(const std::string& name) {
  auto invalid = [&](const std::string& why) {
    return sdk::Error(sdk::Status::BadRequest("invalid image name \"" + name + "\": " + why));
  };
  ImageReference ref;
  std::string rest = name;
  if (auto at = rest.find('@'); at != std::string::npos) {
    ref.digest = rest.substr(at + 1);
    rest.erase(at);
    if (!valid_digest(ref.digest)) throw invalid("the digest must be sha256: and 64 lowercase hex digits");
  }
  auto slash = rest.find('/');
  if (slash != std::string::npos && looks_like_registry(rest.substr(0, slash))) {
    ref.registry = rest.substr(0, slash);
    rest.erase(0, slash + 1);
  } else {
    ref.registry = "docker.io";
  }
  auto colon = rest.rfind(':');
  if (colon != std::string::npos) {
    ref.tag = rest.substr(colon + 1);
    rest.erase(colon);
    if (!valid_tag(ref.tag)) throw invalid("bad tag \"" + ref.tag + "\"");
  } else if (ref.digest.empty()) {
    ref.tag = "latest";
  }
  if (ref.registry == "docker.io" && rest.find('/') == std::string::npos) rest = "library/" + rest;
  if (!valid_repository(rest)) throw invalid("bad repository \"" + rest + "\" (lowercase letters, digits, . _ - /)");
  ref.repository = rest;
  if (!ref.digest.empty()) ref.tag.clear();  // the digest decides
  return ref;
}

bool plain_http_registry(const std::string& registry, const std::vector<std::string>& insecure_registries) {
  std::string host = registry;
  if (host.rfind("[::1]", 0) == 0) return true;
  if (auto colon = host.find(':'); colon != std::string::npos) host.erase(colon);
  if (host == "localhost" || host.rfind("127.", 0) == 0) return true;
  return std::any_of(insecure_registries.begin(), insecure_registries.end(),
                     [&](const std::string& listed) { return listed == registry || listed == host; });
}

}  // namespace skiff::runc
