#include "skiff/sdk/jetstream.hpp"

namespace skiff::sdk {

PublishManyResult JetStream::publish_many(const std::vector<OutgoingMessage>& messages,
                                          std::chrono::milliseconds timeout) {
  PublishManyResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const auto& m : messages) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    try {
      if (left.count() <= 0) throw Error(Status::Timeout("JetStream: publish: no time left for the batch"));
      publish(m.subject, m.data, m.message_id, left);
    } catch (const Error& e) {
      result.error = e.status();
      return result;
    }
    ++result.stored;
  }
  return result;
}

}  // namespace skiff::sdk
