#include "image_service.hpp"

#include "sha256.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::runc {

namespace rt = runtime::v1;
using sdk::Error;
using sdk::Status;

std::optional<ImageRecord> ImageService::find(const std::string& image) const {
  if (valid_digest(image)) return store_.find(image);
  try {
    return store_.find(parse_image_reference(image).canonical());
  } catch (const Error&) {
    return std::nullopt;
  }
}

std::shared_ptr<std::mutex> ImageService::pull_lock(const std::string& name) {
  std::lock_guard guard(locks_mutex_);
  auto& lock = pull_locks_[name];
  if (!lock) lock = std::make_shared<std::mutex>();
  return lock;
}

rt::ImageResponse ImageService::ensure(const std::string& image, const std::string& pull_policy) {
  auto respond = [](const ImageRecord& record, bool pulled) {
    rt::ImageResponse r;
    r.set_image_ref(record.id);
    r.set_pulled(pulled);
    r.set_size_bytes(record.size);
    return r;
  };
  if (pull_policy != "Always")
    if (auto present = find(image)) return respond(*present, false);
  if (pull_policy == "Never")
    throw Error(Status{404, "ErrImageNeverPull",
                       "image \"" + image + "\" is not present and the pull policy is Never; import it (image_archives)"});
  ImageReference ref;
  try {
    ref = parse_image_reference(image);
  } catch (const Error& e) {
    throw Error(Status{400, "ErrImagePull", e.status().message});
  }
  auto lock = pull_lock(ref.canonical());
  std::lock_guard guard(*lock);
  if (pull_policy != "Always")
    if (auto present = store_.find(ref.canonical())) return respond(*present, false);  // pulled meanwhile
  try {
    return respond(pull_image(ref, store_, options_), true);
  } catch (const Error& e) {
    throw Error(Status{e.status().code >= 400 ? e.status().code : 502, "ErrImagePull",
                       "Failed to pull image \"" + image + "\": " + e.status().message});
  }
}

}  // namespace skiff::runc
