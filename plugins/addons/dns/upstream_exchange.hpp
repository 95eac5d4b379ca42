// One question to one upstream server: over UDP, again over TCP when the UDP answer is truncated,
// within a deadline; only a response that answers our question (ID and question match) counts.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "resolv_conf.hpp"

namespace skiff::dns {

struct ExchangeResult {
  bool answered = false;
  std::vector<std::uint8_t> message;
  bool over_tcp = false;
  std::string error;  // why there is no answer
};

// Runs on `io`; `done` is called exactly once, on `io`'s thread.
void exchange(boost::asio::io_context& io, const UpstreamServer& server, std::vector<std::uint8_t> query,
              std::chrono::milliseconds timeout, std::function<void(ExchangeResult)> done);

// Whether `response` is the response to `query`: same ID, QR set, same question.
bool answers(std::span<const std::uint8_t> query, std::span<const std::uint8_t> response);

}  // namespace skiff::dns
