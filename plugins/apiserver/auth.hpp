// Bearer-token authentication: the chain of authenticators, and the static token file
// (Kubernetes' --token-auth-file format).
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

// Who an `Authorization: Bearer …` header names, if anyone.
class BearerAuthenticator {
 public:
  virtual ~BearerAuthenticator() = default;
  virtual std::optional<UserInfo> authenticate(const std::string& authorization_header) const = 0;
};

// Asks each in turn; whoever is known also gets `system:authenticated`, as Kubernetes adds it.
class AuthenticatorChain final : public BearerAuthenticator {
 public:
  explicit AuthenticatorChain(std::vector<const BearerAuthenticator*> members) : members_(std::move(members)) {}
  std::optional<UserInfo> authenticate(const std::string& authorization_header) const override;

 private:
  std::vector<const BearerAuthenticator*> members_;
};

// The token inside a header: "Bearer abc" → "abc" (empty when it is not a bearer header).
std::string bearer_token_of(const std::string& authorization_header);

class TokenAuthenticator final : public BearerAuthenticator {
 public:
  // Reads `path` (token,user,uid,"group1,group2" per line); creates it with a fresh admin token
  // (mode 0600) when it does not exist. Throws std::runtime_error with the line of a bad entry.
  explicit TokenAuthenticator(const std::string& path);
  std::optional<UserInfo> authenticate(const std::string& authorization_header) const override;
  const std::string& admin_token() const { return admin_token_; }

 private:
  std::map<std::string, UserInfo> tokens_;
  std::string admin_token_;
};

std::string random_token(std::size_t length = 48);

}  // namespace skiff::apiserver
