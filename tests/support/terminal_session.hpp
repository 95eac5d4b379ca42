// A program run on a pseudo-terminal of the test's (kubectl exec/attach/debug -it): keys typed
// into it, what it shows read back, its window resized as a user's terminal would be.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace skiff::test {

class TerminalSession {
 public:
  // Starts argv[0] (looked up in PATH) as the leader of a new session whose controlling
  // terminal is the pseudo-terminal, `columns` x `rows` wide. extra_env: "KEY=value".
  TerminalSession(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                  unsigned short columns = 80, unsigned short rows = 24);
  ~TerminalSession();  // SIGKILLs what still runs
  TerminalSession(const TerminalSession&) = delete;
  TerminalSession& operator=(const TerminalSession&) = delete;

  // As keys typed at the terminal ("\r" is Enter).
  void type(const std::string& keys);
  // True once everything shown since the start contains `text`.
  bool shows(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(30)) const;
  // The window changes size: the kernel tells the program (SIGWINCH), as a terminal emulator's would.
  void resize(unsigned short columns, unsigned short rows);
  // Its exit code (128 + the signal when killed); nullopt when it still runs after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  // Everything it showed so far.
  std::string output() const;

 private:
  void read_until_closed();

  int master_ = -1;
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  mutable std::mutex mutex_;
  std::string output_;  // guarded by mutex_
  std::thread reader_;
};

}  // namespace skiff::test
