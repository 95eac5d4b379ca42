// gzip (RFC 1952) for HTTP bodies: the apiserver's large answers, the Web UI's files.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace skiff::sdk {

// Answers smaller than this are not worth the CPU (Kubernetes' apiserver: 128 KiB).
inline constexpr std::size_t kGzipWorthFrom = 128 * 1024;

// Whether an Accept-Encoding value takes gzip.
inline bool accepts_gzip(std::string_view accept_encoding) {
  return accept_encoding.find("gzip") != std::string_view::npos;
}

// `level` 1 (fastest, what Kubernetes' apiserver uses for answers) to 9 (smallest, for files
// compressed once). Empty when zlib fails.
std::string gzip(std::string_view bytes, int level = 1);

// The bytes a gzip stream holds; nullopt when it is not one (or is cut short).
std::optional<std::string> gunzip(std::string_view packed);

// gzip of a body written in pieces (a streamed list): add() returns what is ready to send so
// far (often nothing), finish() the rest and the trailer.
class GzipStream {
 public:
  explicit GzipStream(int level = 1);
  ~GzipStream();
  GzipStream(const GzipStream&) = delete;
  GzipStream& operator=(const GzipStream&) = delete;

  std::string add(std::string_view bytes);
  std::string finish();

 private:
  std::string deflate_some(std::string_view bytes, int flush);
  struct State;
  State* state_;
};

}  // namespace skiff::sdk
