// How an exec ended, from what the streaming server writes on the remotecommand error stream:
// a Kubernetes Status as JSON — Success, or Failure with reason NonZeroExitCode and the code as
// the ExitCode cause; any other failure is the exec itself failing (no such command …).
#pragma once

#include <string>
#include <string_view>

namespace skiff::containerd {

struct ExecOutcome {
  int exit_code = 0;
  std::string failure;  // set when the command could not run at all; exit_code is then 126 or 127
};

// An empty error stream is success (v1 of the protocol wrote nothing then).
ExecOutcome parse_exec_status(std::string_view error_stream);

}  // namespace skiff::containerd
