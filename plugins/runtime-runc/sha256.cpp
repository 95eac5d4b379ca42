#include "sha256.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <memory>

#include "skiff/sdk/status.hpp"

namespace skiff::runc {

namespace {

using Context = std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)>;

Context new_context() {
  Context context(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
  return context;
}

std::string finish(EVP_MD_CTX* context) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(context, digest, &size);
  static const char* hex = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < size; ++i) {
    out.push_back(hex[digest[i] >> 4]);
    out.push_back(hex[digest[i] & 15]);
  }
  return out;
}

}  // namespace

std::string sha256_digest(std::string_view bytes) {
  auto context = new_context();
  EVP_DigestUpdate(context.get(), bytes.data(), bytes.size());
  return finish(context.get());
}

std::string sha256_file_digest(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw sdk::Error(sdk::Status::Internal("cannot read " + path + " to check its digest"));
  auto context = new_context();
  char buffer[1 << 16];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0)
    EVP_DigestUpdate(context.get(), buffer, static_cast<std::size_t>(in.gcount()));
  return finish(context.get());
}

bool valid_digest(std::string_view digest) {
  if (digest.size() != 71 || digest.substr(0, 7) != "sha256:") return false;
  for (char c : digest.substr(7))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string digest_hex(std::string_view digest) { return std::string(digest.substr(7)); }

}  // namespace skiff::runc
