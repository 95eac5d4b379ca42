// One exec: `runc exec` as a child process in a process group of its own, its stdout and
// stderr sent on the stream as they come (fd 1 and 2), the caller's stdin written to it when
// asked for (closed when the caller closes it), killed when the caller stops; its exit code is
// the command's (runc exec passes it through; 127 when the command is not found). With a TTY,
// `runc exec -t` gets a pseudo-terminal of the session's as its own stdio (runc wants a terminal
// there to proxy the container's one to, in raw mode) and everything goes through it: output as
// fd 1, stdin typed into it.
#pragma once

#include <string>
#include <vector>

#include "skiff/sdk/runtime/runtime_service.hpp"

namespace skiff::runc {

struct ExecSpec {
  std::vector<std::string> argv;  // runc … exec [-t] <id> <command…>
  bool with_stdin = false;
  bool tty = false;
};

// Throws sdk::Error(500) when the process cannot be started.
int run_exec_session(const ExecSpec& spec, sdk::RuntimeStream& stream);

}  // namespace skiff::runc
