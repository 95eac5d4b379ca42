// The work queue's promises: one entry per key, one worker per key, back-off on failure.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "skiff/sdk/work_queue.hpp"
#include "wait.hpp"

namespace {

using namespace skiff::sdk;
using namespace std::chrono_literals;
using skiff::test::wait_until;

TEST(WorkQueue, AKeyIsQueuedOnceHoweverOftenAdded) {
  WorkQueue queue;
  queue.add("a");
  queue.add("b");
  queue.add("a");
  EXPECT_EQ(queue.size(), 2u);
  EXPECT_EQ(queue.get(), "a");
  EXPECT_EQ(queue.get(), "b");
  EXPECT_FALSE(queue.get_for(20ms));
}

TEST(WorkQueue, AKeyAddedWhileProcessingComesBackAfterDone) {
  WorkQueue queue;
  queue.add("a");
  auto key = queue.get();
  queue.add("a");  // a change arrived while we work on it
  EXPECT_FALSE(queue.get_for(20ms)) << "never handed to two workers at once";
  queue.done(*key);
  EXPECT_EQ(queue.get_for(1s), "a");
}

TEST(WorkQueue, AddAfterWaitsForTheDelay) {
  WorkQueue queue;
  auto start = std::chrono::steady_clock::now();
  queue.add_after("later", 150ms);
  EXPECT_FALSE(queue.get_for(50ms));
  EXPECT_EQ(queue.get_for(2s), "later");
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
}

TEST(WorkQueue, FailuresBackOffExponentiallyUntilForgotten) {
  WorkQueue queue(RateLimit{10ms, 1000ms, 1000, 1000});
  for (int i = 0; i < 4; ++i) queue.add_rate_limited("k");
  EXPECT_EQ(queue.failures("k"), 4);
  // The fourth retry waits 10ms * 2^3 = 80ms.
  auto start = std::chrono::steady_clock::now();
  auto key = queue.get_for(2s);
  ASSERT_EQ(key, "k");
  queue.done(*key);
  queue.forget("k");
  EXPECT_EQ(queue.failures("k"), 0);
  queue.add_rate_limited("k");
  EXPECT_EQ(queue.get_for(2s), "k");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

TEST(WorkQueue, TheOverallBucketLimitsRetries) {
  WorkQueue queue(RateLimit{1ms, 1ms, 20, 1});  // one token, then 20 per second
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) queue.add_rate_limited("key-" + std::to_string(i));
  for (int i = 0; i < 5; ++i) {
    auto key = queue.get_for(5s);
    ASSERT_TRUE(key);
    queue.done(*key);
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, 180ms) << "4 tokens at 20/s take 200 ms";
}

TEST(WorkQueue, WorkersRetryFailuresAndNeverShareAKey) {
  WorkQueue queue(RateLimit{1ms, 10ms, 1000, 1000});
  std::mutex mutex;
  std::set<std::string> busy;
  std::atomic<int> overlaps{0}, attempts{0}, successes{0};
  queue.run(4, [&](const std::string& key) {
    {
      std::lock_guard lock(mutex);
      if (!busy.insert(key).second) overlaps++;
    }
    bool ok = ++attempts % 3 == 0;  // two of three attempts fail
    std::this_thread::sleep_for(1ms);  // hold the key a little so overlaps could show
    {
      std::lock_guard lock(mutex);
      busy.erase(key);
    }
    if (ok) successes++;
    return ok;
  });
  for (int round = 0; round < 5; ++round)
    for (int i = 0; i < 20; ++i) queue.add("key-" + std::to_string(i));
  ASSERT_TRUE(wait_until([&] { return successes >= 20 && queue.size() == 0; }, 10s));
  queue.stop();
  EXPECT_EQ(overlaps, 0);
}

TEST(WorkQueue, ShutDownReleasesWaitingWorkers) {
  WorkQueue queue;
  std::thread waiter([&] { EXPECT_FALSE(queue.get()); });
  queue.shut_down();
  waiter.join();
  queue.add("ignored");
  EXPECT_EQ(queue.size(), 0u);
}

}  // namespace
