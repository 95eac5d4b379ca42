// A child process whose standard input the bench writes and whose output it reads line by
// line as it comes (a browser scenario, `kubectl get --watch`), for measuring delays live.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace skiff::bench {

class ChildPipes {
 public:
  explicit ChildPipes(const std::vector<std::string>& argv);  // stderr goes with stdout
  ~ChildPipes();
  ChildPipes(const ChildPipes&) = delete;
  ChildPipes& operator=(const ChildPipes&) = delete;

  void write_line(const std::string& line);
  void close_input();
  // The next line, or nullopt when the output ended or `timeout` passed.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  int wait();  // its exit code (-1 when killed)

 private:
  pid_t pid_ = -1;
  int in_ = -1, out_ = -1;
  std::string buffered_;
};

}  // namespace skiff::bench
