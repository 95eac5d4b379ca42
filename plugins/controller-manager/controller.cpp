#include "controller.hpp"

#include <spdlog/logger.h>

#include "skiff/sdk/object_meta.hpp"

namespace skiff::controllers {

Controller::Controller(ControllerContext& context, std::string name)
    : context_(context), events_(context.api, {name, context.host}, &context.log), name_(std::move(name)) {}

Controller::~Controller() { stop(); }

void Controller::run(int workers) {
  resync();
  queue_.run(workers, [this](const std::string& key) {
    if (!context_.leading) {
      queue_.add_after(key, std::chrono::seconds(1));  // kept for when we lead
      return true;
    }
    try {
      return sync(key);
    } catch (const sdk::Error& e) {
      if (e.status().code == 409) {
        // Someone wrote the object meanwhile: the informer brings the new version; look
        // again shortly, without counting it as a failure.
        enqueue_after(key, std::chrono::milliseconds(20));
        return true;
      }
      context_.log.warn("{}: {}: {}", name_, key, e.status().message);
      return false;
    } catch (const std::exception& e) {
      context_.log.warn("{}: {}: {}", name_, key, e.what());
      return false;
    }
  });
}

void Controller::resync() {
  for (const auto& key : initial_keys()) queue_.add(key);
}

void Controller::stop() { queue_.stop(); }

std::string key_of(const google::protobuf::Message& object) {
  const auto& meta = sdk::meta_of(object);
  return meta.namespace_().empty() ? meta.name() : meta.namespace_() + "/" + meta.name();
}

std::pair<std::string, std::string> split_key(const std::string& key) {
  auto slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

}  // namespace skiff::controllers
