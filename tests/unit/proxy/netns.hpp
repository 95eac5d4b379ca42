// A network namespace of the test's own, served by one thread: what run() is given executes
// there, so sockets, netlink sockets and child processes (`ip`, `nft`) made by it belong to the
// namespace. It vanishes with its last socket once the object is gone; the machine's is never touched.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace skiff::test {

class Netns {
 public:
  Netns();  // throws when the namespace cannot be made (the tests need root)
  ~Netns();
  Netns(const Netns&) = delete;
  Netns& operator=(const Netns&) = delete;

  // Runs `task` on the namespace's thread and waits; its exception is rethrown here.
  void run(const std::function<void()>& task);
  // The thread's id, for `ip link set … netns <id>`.
  pid_t thread_id() const { return thread_id_; }
  // Runs a shell command in the namespace; throws with its output when it exits non-zero.
  void shell(const std::string& command);

 private:
  void serve();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  pid_t thread_id_ = 0;
  std::thread thread_;
};

}  // namespace skiff::test
