#include "request_credentials.hpp"

#include <google/protobuf/stubs/strutil.h>

#include <sstream>

namespace skiff::apiserver {

namespace {

std::string trimmed(std::string s) {
  auto begin = s.find_first_not_of(" \t");
  auto end = s.find_last_not_of(" \t");
  return begin == std::string::npos ? std::string() : s.substr(begin, end - begin + 1);
}

std::string token_from_protocols(const HttpRequest& request) {
  for (const auto& header : request.header_values("Sec-WebSocket-Protocol")) {
    std::istringstream offered(header);
    for (std::string protocol; std::getline(offered, protocol, ',');) {
      protocol = trimmed(protocol);
      if (protocol.rfind(kBearerProtocolPrefix, 0) != 0) continue;
      std::string token;
      if (google::protobuf::WebSafeBase64Unescape(protocol.substr(std::string(kBearerProtocolPrefix).size()), &token))
        return token;
    }
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
