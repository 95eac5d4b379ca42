// Protobuf on the bus: typed call and serve on top of Bus (templates, no protobuf include needed).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>

#include "skiff/sdk/bus.hpp"

namespace skiff::sdk {

inline constexpr std::chrono::milliseconds kDefaultRequestTimeout{5000};

// Sends `request`, parses the reply as Response; throws Error with the remote status on failure.
template <class Response, class RequestMessage>
Response call(Bus& bus, std::string_view subject, const RequestMessage& request,
              std::chrono::milliseconds timeout = kDefaultRequestTimeout, const Headers& headers = {}) {
  Reply reply = bus.request(subject, request.SerializeAsString(), timeout, headers);
  if (!reply.ok()) throw Error(reply.status);
  Response response;
  if (!response.ParseFromString(reply.data))
    throw Error(Status::Internal("reply on " + std::string(subject) + " is not a valid " +
                                 std::string(Response::descriptor()->full_name())));
  return response;
}

// Serves a subject whose requests are RequestMessage; `handler(const RequestMessage&, const Request&)`
// returns the response message or throws Error.
template <class RequestMessage, class Handler>
Subscription serve_proto(Bus& bus, std::string_view subject, std::string_view queue_group, Handler handler) {
  std::string name(subject);
  return bus.serve(subject, queue_group, [name, handler = std::move(handler)](Request request) {
    RequestMessage message;
    if (!message.ParseFromString(request.data())) {
      request.fail(Status::BadRequest("request on " + name + " is not a valid " +
                                      std::string(RequestMessage::descriptor()->full_name())));
      return;
    }
    request.reply(handler(message, request).SerializeAsString());
  });
}

}  // namespace skiff::sdk
