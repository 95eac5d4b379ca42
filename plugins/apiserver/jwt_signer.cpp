// OpenSSL 3's EVP interface: the signature comes as DER and JWS wants r‖s, 32 bytes each.
#include "jwt_signer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/sha.h>

#include <cstdio>
#include <stdexcept>
#include <vector>

namespace skiff::apiserver {

namespace json = boost::json;

struct JwtSigner::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

namespace {

constexpr std::size_t kCoordinate = 32;  // P-256

const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

EVP_PKEY* read_key(const std::string& path) {
  FILE* file = std::fopen(path.c_str(), "r");
  if (!file) return nullptr;
  EVP_PKEY* key = PEM_read_PrivateKey(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  return key;
}

void write_key(const std::string& path, EVP_PKEY* key) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create the service account key " + path);
  FILE* file = fdopen(fd, "w");
  bool ok = file && PEM_write_PrivateKey(file, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  if (file) std::fclose(file);
  if (!ok) throw std::runtime_error("cannot write the service account key " + path);
}

std::string public_der(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(key, &der);
  if (length <= 0) throw std::runtime_error("cannot encode the service account public key");
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

std::string sha256(std::string_view bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<char*>(digest), sizeof digest);
}

std::string coordinate(EVP_PKEY* key, const char* name) {
  BIGNUM* value = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &value) != 1) throw std::runtime_error("the service account key is not EC");
  std::string out(kCoordinate, '\0');
  BN_bn2binpad(value, reinterpret_cast<unsigned char*>(out.data()), kCoordinate);
  BN_free(value);
  return out;
}

// DER ECDSA-Sig-Value → r‖s.
std::optional<std::string> raw_signature(const unsigned char* der, std::size_t length) {
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(length));
  if (!sig) return std::nullopt;
  std::string out(2 * kCoordinate, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  BN_bn2binpad(ECDSA_SIG_get0_r(sig), bytes, kCoordinate);
  BN_bn2binpad(ECDSA_SIG_get0_s(sig), bytes + kCoordinate, kCoordinate);
  ECDSA_SIG_free(sig);
  return out;
}

// r‖s → DER.
std::optional<std::string> der_signature(std::string_view raw) {
  if (raw.size() != 2 * kCoordinate) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(raw.data());
  ECDSA_SIG* sig = ECDSA_SIG_new();
  ECDSA_SIG_set0(sig, BN_bin2bn(bytes, kCoordinate, nullptr), BN_bin2bn(bytes + kCoordinate, kCoordinate, nullptr));
  unsigned char* der = nullptr;
  int length = i2d_ECDSA_SIG(sig, &der);
  ECDSA_SIG_free(sig);
  if (length <= 0) return std::nullopt;
  std::string out(reinterpret_cast<char*>(der), static_cast<std::size_t>(length));
  OPENSSL_free(der);
  return out;
}

}  // namespace

std::string base64url_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char c : bytes) {
    buffer = (buffer << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buffer >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(buffer << (6 - bits)) & 0x3f];
  return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    const char* at = std::char_traits<char>::find(kAlphabet, 64, c);
    if (!at) return std::nullopt;
    buffer = (buffer << 6) | static_cast<std::uint32_t>(at - kAlphabet);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xff);
    }
  }
  return out;
}

JwtSigner::JwtSigner(std::unique_ptr<Key> key) : key_(std::move(key)) {
  key_id_ = base64url_encode(sha256(public_der(key_->pkey)));
}
JwtSigner::JwtSigner(JwtSigner&&) noexcept = default;
JwtSigner& JwtSigner::operator=(JwtSigner&&) noexcept = default;
JwtSigner::~JwtSigner() = default;

JwtSigner JwtSigner::load_or_create(const std::string& path) {
  auto key = std::make_unique<Key>();
  if (access(path.c_str(), F_OK) == 0) {
    key->pkey = read_key(path);
    if (!key->pkey || EVP_PKEY_get_base_id(key->pkey) != EVP_PKEY_EC)
      throw std::runtime_error("the service account key " + path +
                               " is not a readable PEM EC P-256 private key; remove it to have a new one made");
  } else {
    key->pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
    if (!key->pkey) throw std::runtime_error("cannot generate a service account key");
    write_key(path, key->pkey);
  }
  return JwtSigner(std::move(key));
}

std::string JwtSigner::sign(const json::object& claims) const {
  json::object header{{"alg", "ES256"}, {"kid", key_id_}};
  std::string input = base64url_encode(json::serialize(header)) + "." + base64url_encode(json::serialize(claims));
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  std::vector<unsigned char> der(128);
  std::size_t length = der.size();
  bool ok = EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
            EVP_DigestSign(context, der.data(), &length, reinterpret_cast<const unsigned char*>(input.data()),
                           input.size()) == 1;
  EVP_MD_CTX_free(context);
  auto raw = ok ? raw_signature(der.data(), length) : std::nullopt;
  if (!raw) throw std::runtime_error("signing a service account token failed");
  return input + "." + base64url_encode(*raw);
}

std::optional<json::object> JwtSigner::verify(std::string_view token) const {
  auto first = token.find('.');
  auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) return std::nullopt;
  auto header_text = base64url_decode(token.substr(0, first));
  auto claims_text = base64url_decode(token.substr(first + 1, second - first - 1));
  auto raw = base64url_decode(token.substr(second + 1));
  if (!header_text || !claims_text || !raw) return std::nullopt;
  boost::system::error_code error;
  json::value header = json::parse(*header_text, error);
  if (error || !header.is_object()) return std::nullopt;
  const auto* alg = header.as_object().if_contains("alg");
  if (!alg || !alg->is_string() || alg->as_string() != "ES256") return std::nullopt;
  auto der = der_signature(*raw);
  if (!der) return std::nullopt;
  std::string_view input = token.substr(0, second);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  bool ok = EVP_DigestVerifyInit(context, nullptr, EVP_sha256(), nullptr, key_->pkey) == 1 &&
            EVP_DigestVerify(context, reinterpret_cast<const unsigned char*>(der->data()), der->size(),
                             reinterpret_cast<const unsigned char*>(input.data()), input.size()) == 1;
  EVP_MD_CTX_free(context);
  if (!ok) return std::nullopt;
  json::value claims = json::parse(*claims_text, error);
  if (error || !claims.is_object()) return std::nullopt;
  return claims.as_object();
}

json::object JwtSigner::jwks() const {
  json::object key{{"use", "sig"},
                   {"kty", "EC"},
                   {"kid", key_id_},
                   {"crv", "P-256"},
                   {"alg", "ES256"},
                   {"x", base64url_encode(coordinate(key_->pkey, OSSL_PKEY_PARAM_EC_PUB_X))},
                   {"y", base64url_encode(coordinate(key_->pkey, OSSL_PKEY_PARAM_EC_PUB_Y))}};
  return json::object{{"keys", json::array{key}}};
}

}  // namespace skiff::apiserver
