// Signs and checks JSON Web Tokens (JWS compact form, ES256) with the cluster's service account
// key. ECDSA P-256 rather than RSA: a kubelet asks for a token per pod, and an ES256 signature
// costs tens of microseconds where RS256 costs a millisecond.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace skiff::apiserver {

std::string base64url_encode(std::string_view bytes);
std::optional<std::string> base64url_decode(std::string_view text);

class JwtSigner {
 public:
  // Reads the PEM private key at `path`, or creates one there (mode 0600) when it is missing.
  // Throws std::runtime_error naming the file when it cannot be read or made.
  static JwtSigner load_or_create(const std::string& path);
  JwtSigner(JwtSigner&&) noexcept;
  JwtSigner& operator=(JwtSigner&&) noexcept;
  ~JwtSigner();

  std::string sign(const boost::json::object& claims) const;
  // The claims of a token this key signed; nullopt for anything else (malformed, other key,
  // other algorithm, bad signature). Expiry and audience are the caller's checks.
  std::optional<boost::json::object> verify(std::string_view token) const;
  // The public key as a JSON Web Key Set (/openid/v1/jwks).
  boost::json::object jwks() const;
  const std::string& key_id() const { return key_id_; }

 private:
  struct Key;
  explicit JwtSigner(std::unique_ptr<Key> key);
  std::unique_ptr<Key> key_;
  std::string key_id_;
};

}  // namespace skiff::apiserver
