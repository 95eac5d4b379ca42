// The channels of a remote command (stdin, stdout, stderr, the error channel) over one of
// the two protocols kubectl speaks: WebSocket (channel.k8s.io, kubectl 1.30 and later) and
// SPDY/3.1 streams (every kubectl before, and the fallback of the later ones).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "http_names.hpp"

namespace skiff::apiserver {

// Which channels the request asked for (the query's stdin/stdout/stderr/tty).
struct ExecStreams {
  bool stdin = false, stdout = false, stderr = false, tty = false;
};

class ExecChannels {
 public:
  enum Channel : unsigned char { Stdin = 0, Stdout = 1, Stderr = 2, Error = 3 };
  virtual ~ExecChannels() = default;
  using OnResize = std::function<void(std::uint32_t width, std::uint32_t height)>;
  // The client's side, until it leaves (run it on a thread of its own): stdin, its end, and
  // with a tty the terminal's size as kubectl sends it.
  virtual void read_client(const std::function<void(std::string)>& on_stdin, const std::function<void()>& on_stdin_closed,
                           const OnResize& on_resize) = 0;
  // Output on Stdout or Stderr; false once the client is gone.
  virtual bool write(Channel channel, std::string_view data) = 0;
  // The error channel's last word (a v4 Status), then the end of every stream.
  virtual void finish(const std::string& status_json) = 0;
};

// The protocol a request asks for; throws ApiError (400) naming what is wrong, before
// anything is sent.
struct ExecProtocol {
  enum Kind { WebSocket, Spdy } kind = WebSocket;
  std::string version;  // the channel.k8s.io subprotocol agreed on
};
ExecProtocol choose_exec_protocol(const HttpRequest& request);

// kubectl's resize messages: one JSON object {"Width":w,"Height":h} per line (several may
// come in one frame); each one that parses is handed on.
void parse_terminal_sizes(std::string_view text, const ExecChannels::OnResize& on_resize);

// Answers the upgrade (101) and returns the channels; nothing when the client is gone.
std::unique_ptr<ExecChannels> open_exec_channels(const ExecProtocol& protocol, const HttpRequest& request,
                                                 HttpResponder& response, const ExecStreams& streams);

}  // namespace skiff::apiserver
