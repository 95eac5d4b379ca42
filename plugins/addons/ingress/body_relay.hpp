// Passing one HTTP message from a stream to another: the header (changed by the caller), then
// the body a piece at a time as it arrives, never held whole; chunked stays chunked.
#pragma once

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>

namespace skiff::ingress {

struct RelayResult {
  boost::system::error_code error;
  bool failed_reading = false;  // the error came from the side read from
  bool header_written = false;
  std::uint64_t body_bytes = 0;
};

struct RelayTimeouts {
  std::chrono::milliseconds read;   // for each read from the source
  std::chrono::milliseconds write;  // for each write to the destination
};

// `parser` has read the header; its message is written to `to` as it is now.
// `header_written` is false when nothing reached `to`.
template <bool isRequest, class From, class To>
boost::asio::awaitable<RelayResult> relay_message(From& from, boost::beast::flat_buffer& buffer,
                                                  boost::beast::http::parser<isRequest, boost::beast::http::buffer_body>& parser,
                                                  To& to, RelayTimeouts timeouts) {
  namespace http = boost::beast::http;
  constexpr auto use_tuple = boost::asio::as_tuple(boost::asio::use_awaitable);
  RelayResult result;
  auto& body = parser.get().body();
  body.data = nullptr;
  body.size = 0;
  body.more = !parser.is_done();
  http::serializer<isRequest, http::buffer_body> serializer{parser.get()};
  // A body already at hand (none at all, or bytes read with the header) leaves with the header
  // in one write: one send per message instead of two. Otherwise the header goes at once, so
  // the peer sees it before a slow body arrives.
  bool body_at_hand = parser.is_done() || buffer.size() != 0;
  if (!body_at_hand) {
    boost::beast::get_lowest_layer(to).expires_after(timeouts.write);
    auto [header_error, header_size] = co_await http::async_write_header(to, serializer, use_tuple);
    if (header_error) co_return RelayResult{header_error, false, false, 0};
    result.header_written = true;
  }
  // Pieces as large as the body says it is, up to 32 KiB; none for a message without a body. (A
  // 32 KiB array in this coroutine's frame cost a large allocation for every message.)
  std::size_t piece_size = 32 * 1024;
  if (auto length = parser.content_length()) piece_size = std::clamp<std::uint64_t>(*length, 1, piece_size);
  std::span<char> piece;
  std::unique_ptr<char[]> piece_storage;
  if (!parser.is_done()) {
    piece_storage = std::make_unique_for_overwrite<char[]>(piece_size);
    piece = {piece_storage.get(), piece_size};
  }
  while (!serializer.is_done()) {
    if (!parser.is_done()) {
      body.data = piece.data();
      body.size = piece.size();
      boost::beast::get_lowest_layer(from).expires_after(timeouts.read);
      // read_some, not read: a slow body goes on as soon as any of it arrives.
      auto [read_error, read_size] = co_await http::async_read_some(from, buffer, parser, use_tuple);
      if (read_error == http::error::need_buffer) read_error = {};
      if (read_error) {
        result.error = read_error;
        result.failed_reading = true;
        co_return result;
      }
      std::size_t got = piece.size() - body.size;
      if (got == 0 && !parser.is_done()) continue;
      body.data = got ? piece.data() : nullptr;
      body.size = got;
      body.more = !parser.is_done();
      result.body_bytes += got;
    }
    boost::beast::get_lowest_layer(to).expires_after(timeouts.write);
    auto [write_error, write_size] = co_await http::async_write(to, serializer, use_tuple);
    if (write_error == http::error::need_buffer) write_error = {};
    if (write_error) {
      result.error = write_error;
      co_return result;
    }
    result.header_written = true;
  }
  co_return result;
}

}  // namespace skiff::ingress
