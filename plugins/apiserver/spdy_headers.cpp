// SPDY/3's header dictionary and the header block reader.
#include "spdy_headers.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace skiff::apiserver {
namespace {

// The dictionary is these words, each after its length as four big-endian bytes, then a run of
// common values with no lengths at all.
std::string build_dictionary() {
  static const std::vector<std::string_view> words = {
      "options", "head", "post", "put", "delete", "trace", "accept", "accept-charset", "accept-encoding",
      "accept-language", "accept-ranges", "age", "allow", "authorization", "cache-control", "connection",
      "content-base", "content-encoding", "content-language", "content-length", "content-location", "content-md5",
      "content-range", "content-type", "date", "etag", "expect", "expires", "from", "host", "if-match",
      "if-modified-since", "if-none-match", "if-range", "if-unmodified-since", "last-modified", "location",
      "max-forwards", "pragma", "proxy-authenticate", "proxy-authorization", "range", "referer", "retry-after",
      "server", "te", "trailer", "transfer-encoding", "upgrade", "user-agent", "vary", "via", "warning",
      "www-authenticate", "method", "get", "status", "200 OK", "version", "HTTP/1.1", "url", "public", "set-cookie",
      "keep-alive", "origin"};
  std::string out;
  for (auto word : words) {
    auto n = static_cast<std::uint32_t>(word.size());
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xff));
    out += word;
  }
  out +=
      "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505"
      "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized"
      "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable"
      "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT"
      "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,"
      "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";
  return out;
}

std::uint32_t take32(std::string_view& in) {
  if (in.size() < 4) throw std::runtime_error("spdy: a header block ends inside a length");
  auto byte = [&](std::size_t i) { return std::uint32_t{static_cast<unsigned char>(in[i])}; };
  std::uint32_t v = (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
  in.remove_prefix(4);
  return v;
}

std::string take_string(std::string_view& in) {
  std::uint32_t n = take32(in);
  if (n > in.size()) throw std::runtime_error("spdy: a header block ends inside a name or value");
  std::string out(in.substr(0, n));
  in.remove_prefix(n);
  return out;
}

}  // namespace

const std::string& spdy3_dictionary() {
  static const std::string dictionary = build_dictionary();
  return dictionary;
}

SpdyHeaderReader::SpdyHeaderReader() {
  if (inflateInit(&inflate_) != Z_OK) throw std::runtime_error("spdy: zlib inflateInit failed");
}

SpdyHeaderReader::~SpdyHeaderReader() { inflateEnd(&inflate_); }

std::string SpdyHeaderReader::inflate_block(std::string_view compressed) {
  std::string out;
  inflate_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  inflate_.avail_in = static_cast<uInt>(compressed.size());
  char buffer[4096];
  while (true) {
    inflate_.next_out = reinterpret_cast<Bytef*>(buffer);
    inflate_.avail_out = sizeof buffer;
    int rc = inflate(&inflate_, Z_SYNC_FLUSH);
    if (rc == Z_NEED_DICT) {
      const std::string& dictionary = spdy3_dictionary();
      if (inflateSetDictionary(&inflate_, reinterpret_cast<const Bytef*>(dictionary.data()),
                               static_cast<uInt>(dictionary.size())) != Z_OK)
        throw std::runtime_error("spdy: the header block wants a dictionary other than SPDY/3's");
      continue;
    }
    out.append(buffer, sizeof buffer - inflate_.avail_out);
    if (rc == Z_BUF_ERROR || (rc == Z_OK && inflate_.avail_in == 0 && inflate_.avail_out != 0)) break;
    if (rc != Z_OK) throw std::runtime_error("spdy: a header block does not inflate (zlib " + std::to_string(rc) + ")");
  }
  return out;
}

std::map<std::string, std::string> SpdyHeaderReader::read(std::string_view compressed) {
  std::string block = inflate_block(compressed);
  std::string_view in = block;
  std::map<std::string, std::string> headers;
  for (std::uint32_t n = take32(in); n > 0; --n) {
    std::string name = take_string(in);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    headers[name] = take_string(in);
  }
  return headers;
}

}  // namespace skiff::apiserver
