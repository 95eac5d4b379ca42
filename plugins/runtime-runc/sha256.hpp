// SHA-256 digests as OCI writes them ("sha256:<64 hex>"), of bytes or of a file, with OpenSSL.
#pragma once

#include <string>
#include <string_view>

namespace skiff::runc {

std::string sha256_digest(std::string_view bytes);
// Throws sdk::Error(500) naming the file when it cannot be read.
std::string sha256_file_digest(const std::string& path);
// True for "sha256:" and 64 lowercase hex digits: the only digests this runtime accepts (a
// digest names a file in the store, so anything else is refused before it reaches a path).
bool valid_digest(std::string_view digest);
// The hex part of a valid digest.
std::string digest_hex(std::string_view digest);

}  // namespace skiff::runc
