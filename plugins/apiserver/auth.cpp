// Token checks compare in constant time so a token cannot be guessed byte by byte.
#include "auth.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>

namespace skiff::apiserver {
namespace {

bool equal_constant_time(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::vector<std::string> split_csv(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (char c : line) {
    if (c == '"') quoted = !quoted;
    else if (c == ',' && !quoted) {
      fields.push_back(field);
      field.clear();
    } else {
      field += c;
    }
  }
  fields.push_back(field);
  return fields;
}

}  // namespace

std::string random_token(std::size_t length) {
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  std::random_device device;
  std::uniform_int_distribution<int> pick(0, sizeof kAlphabet - 2);
  std::string token(length, 'x');
  for (char& c : token) c = kAlphabet[pick(device)];
  return token;
}

TokenAuthenticator::TokenAuthenticator(const std::string& path) {
  if (access(path.c_str(), F_OK) != 0) {
    std::string line = random_token() + ",admin,skiff-admin,\"system:masters\"\n";
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create the token file " + path);
    bool ok = write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    close(fd);
    if (!ok) throw std::runtime_error("cannot write the token file " + path);
  }
  std::ifstream file(path);
  std::string line;
  int number = 0;
  while (std::getline(file, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    auto fields = split_csv(line);
    if (fields.size() < 3 || fields[0].empty() || fields[1].empty())
      throw std::runtime_error(path + " line " + std::to_string(number) +
                               ": expected token,user,uid[,\"group,…\"]");
    UserInfo user{fields[1], fields[2], {}};
    if (fields.size() > 3) {
      std::stringstream groups(fields[3]);
      for (std::string g; std::getline(groups, g, ',');)
        if (!g.empty()) user.groups.push_back(g);
    }
    if (admin_token_.empty()) admin_token_ = fields[0];
    tokens_[fields[0]] = user;
  }
  if (tokens_.empty()) throw std::runtime_error(path + " holds no tokens; add a line token,user,uid");
}

std::string bearer_token_of(const std::string& header) {
  const std::string prefix = "Bearer ";
  if (header.size() <= prefix.size() || header.compare(0, prefix.size(), prefix) != 0) return "";
  std::string token = header.substr(prefix.size());
  while (!token.empty() && (token.back() == ' ' || token.back() == '\r')) token.pop_back();
  return token;
}

std::optional<UserInfo> AuthenticatorChain::authenticate(const std::string& header) const {
  for (const auto* member : members_) {
    auto user = member->authenticate(header);
    if (!user) continue;
    if (std::find(user->groups.begin(), user->groups.end(), "system:authenticated") == user->groups.end())
      user->groups.push_back("system:authenticated");
    return user;
  }
  return std::nullopt;
}

std::optional<UserInfo> TokenAuthenticator::authenticate(const std::string& header) const {
  std::string token = bearer_token_of(header);
  if (token.empty()) return std::nullopt;
  std::optional<UserInfo> found;
  for (const auto& [candidate, user] : tokens_)  // every entry compared: the time does not reveal which matched
    if (equal_constant_time(candidate, token)) found = user;
  return found;
}

}  // namespace skiff::apiserver
