// Bearer-token authentication from a static token file (Kubernetes' --token-auth-file format).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace skiff::apiserver {

struct UserInfo {
  std::string name;
  std::string uid;
  std::vector<std::string> groups;
};

class TokenAuthenticator {
 public:
  // Reads `path` (token,user,uid,"group1,group2" per line); creates it with a fresh admin token
  // (mode 0600) when it does not exist. Throws std::runtime_error with the line of a bad entry.
  explicit TokenAuthenticator(const std::string& path);
  std::optional<UserInfo> authenticate(const std::string& authorization_header) const;
  const std::string& admin_token() const { return admin_token_; }

 private:
  std::map<std::string, UserInfo> tokens_;
  std::string admin_token_;
};

std::string random_token(std::size_t length = 48);

}  // namespace skiff::apiserver
