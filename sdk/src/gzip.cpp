#include "skiff/sdk/gzip.hpp"

#include <zlib.h>

namespace skiff::sdk {

std::string gzip(std::string_view bytes, int level) {
  GzipStream stream(level);
  std::string out = stream.add(bytes);
  std::string rest = stream.finish();
  return rest.empty() ? "" : out + rest;  // a finished stream ends with its trailer: none, zlib failed
}

std::optional<std::string> gunzip(std::string_view packed) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 16) != Z_OK) return std::nullopt;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(packed.data()));
  z.avail_in = static_cast<uInt>(packed.size());
  std::string out;
  char chunk[16384];
  int result = Z_OK;
  while (result == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    result = inflate(&z, Z_NO_FLUSH);
    out.append(chunk, sizeof chunk - z.avail_out);
    if (result == Z_BUF_ERROR && z.avail_in == 0) break;  // cut short
  }
  inflateEnd(&z);
  if (result != Z_STREAM_END) return std::nullopt;
  return out;
}

struct GzipStream::State {
  z_stream z{};
  bool ok = false;
};

GzipStream::GzipStream(int level) : state_(new State) {
  state_->ok = deflateInit2(&state_->z, level, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) == Z_OK;
}

GzipStream::~GzipStream() {
  if (state_->ok) deflateEnd(&state_->z);
  delete state_;
}

std::string GzipStream::deflate_some(std::string_view bytes, int flush) {
  std::string out;
  if (!state_->ok) return out;
  auto& z = state_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  char chunk[16384];
  do {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    if (deflate(&z, flush) == Z_STREAM_ERROR) break;
    out.append(chunk, sizeof chunk - z.avail_out);
  } while (z.avail_out == 0 || (flush == Z_FINISH && z.avail_in > 0));
  return out;
}

std::string GzipStream::add(std::string_view bytes) { return deflate_some(bytes, Z_NO_FLUSH); }

std::string GzipStream::finish() { return deflate_some({}, Z_FINISH); }

}  // namespace skiff::sdk
