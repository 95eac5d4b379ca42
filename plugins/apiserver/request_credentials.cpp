#include "request_credentials.hpp"

#include <google/protobuf/stubs/strutil.h>

namespace skiff::apiserver {

namespace {

std::string token_from_protocols(const HttpRequest& request) {
  for (const auto& protocol : request.header_tokens("Sec-WebSocket-Protocol")) {
    if (protocol.rfind(kBearerProtocolPrefix, 0) != 0) continue;
    std::string token;
    if (google::protobuf::WebSafeBase64Unescape(protocol.substr(std::string(kBearerProtocolPrefix).size()), &token))
      return token;
  }
  return "";
}

}  // namespace

std::string authorization_of(const HttpRequest& request) {
  std::string header = request.header("Authorization");
  if (!header.empty()) return header;
  std::string token = token_from_protocols(request);
  return token.empty() ? std::string() : "Bearer " + token;
}

}  // namespace skiff::apiserver
