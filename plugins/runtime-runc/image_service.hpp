// The runtime's images as the contract asks for them: `imagePullPolicy` honoured (Never and
// IfNotPresent use a present image, Always and missing ones pull), failures as ErrImagePull with
// the registry's message and the image, or ErrImageNeverPull. Pulls of one image never overlap.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "image_puller.hpp"
#include "image_store.hpp"
#include "skiff/runtime/v1/runtime.pb.h"

namespace skiff::runc {

class ImageService {
 public:
  ImageService(ImageStore& store, PullOptions options) : store_(store), options_(std::move(options)) {}

  runtime::v1::ImageResponse ensure(const std::string& image, const std::string& pull_policy);
  // The present image a pod names (by name or id); nullopt when it is not here.
  std::optional<ImageRecord> find(const std::string& image) const;

 private:
  std::shared_ptr<std::mutex> pull_lock(const std::string& name);

  ImageStore& store_;
  PullOptions options_;
  std::mutex locks_mutex_;
  std::map<std::string, std::shared_ptr<std::mutex>> pull_locks_;
};

}  // namespace skiff::runc
