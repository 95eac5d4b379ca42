// One container's log follower against runtime-sim on a real bus: records with the container's
// metadata and ids, a follower started again from the last position neither losing nor
// repeating a line, and a long line in parts under one line's id.
#include <mutex>
#include <cstdlib>
#include <set>

#include "container_log_follower.hpp"
#include "kubelet_harness.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace skiff::kubelet;
using namespace std::chrono_literals;
namespace rt = runtime::v1;

class ContainerLogFollowerTest : public test::SimClusterSuite {
 protected:
  ~ContainerLogFollowerTest() override {
    if (!sandbox_id_.empty()) cluster_->runtime().remove_sandbox(sandbox_id_);
  }

  // A simulated container writing "sim: line <n>" every `every`, padded to `bytes`.
  std::string writer(const std::string& every, const std::string& bytes = "0") {
    sandbox_.set_pod_uid("follower-uid-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()));
    sandbox_.set_pod_name("follower");
    sandbox_.set_namespace_("default");
    sandbox_id_ = cluster_->runtime().run_sandbox(sandbox_);
    rt::ContainerConfig c;
    c.set_name("writer");
    c.set_image("skiff/busybox:1");
    for (auto [key, value] : {std::pair{"SIM_LOG_EVERY", every}, std::pair{"SIM_LOG_LINE_BYTES", bytes}}) {
      auto* kv = c.add_env();
      kv->set_key(key);
      kv->set_value(value);
    }
    std::string id = cluster_->runtime().create_container(sandbox_id_, c, sandbox_);
    cluster_->runtime().start_container(id);
    return id;
  }

  struct Collected {
    std::mutex mutex;
    std::vector<ShipRecord> records;
    std::size_t size() {
      std::lock_guard lock(mutex);
      return records.size();
    }
    std::vector<ShipRecord> copy() {  // while the follower still adds
      std::lock_guard lock(mutex);
      return records;
    }
  };

  std::unique_ptr<ContainerLogFollower> follower(const std::string& id, LogPosition from, Collected& into,
                                                 std::size_t max_line_bytes = 65536) {
    FollowedContainer followed;
    followed.id = id;
    followed.runtime = &cluster_->runtime();
    followed.subject = "skiff.test.logs.default." + sandbox_.pod_uid() + ".writer";
    followed.metadata.set_pod_uid(sandbox_.pod_uid());
    followed.metadata.set_container("writer");
    FollowerOptions options;
    options.max_line_bytes = max_line_bytes;
    auto f = std::make_unique<ContainerLogFollower>(followed, from, options,
                                                    [&into](ShipRecord r) {
                                                      std::lock_guard lock(into.mutex);
                                                      into.records.push_back(std::move(r));
                                                    },
                                                    cluster_->log());
    f->start();
    return f;
  }

  // The n of each "sim: line <n>…" record (each part of a long one); no std::regex: it recurses
  // per character and a 64 KiB part overflows the stack.
  static std::vector<int> numbers(const std::vector<ShipRecord>& records) {
    std::vector<int> out;
    for (const auto& r : records) {
      logging::v1::LogLine line;
      line.ParseFromString(r.data);
      const std::string prefix = "sim: line ";
      if (line.line().rfind(prefix, 0) == 0) out.push_back(std::atoi(line.line().c_str() + prefix.size()));
      else if (line.part() > 0) out.push_back(out.empty() ? 0 : out.back());
    }
    return out;
  }

  rt::SandboxConfig sandbox_;
  std::string sandbox_id_;
};

TEST_F(ContainerLogFollowerTest, StartedAgainFromItsPositionItNeitherLosesNorRepeatsALine) {
  std::string id = writer("10ms");
  Collected first, second;
  auto a = follower(id, {}, first);
  ASSERT_TRUE(test::wait_until([&] { return first.size() >= 15; }, 10s));
  a->stop();
  LogPosition where = first.records.back().position;
  auto b = follower(id, where, second);
  ASSERT_TRUE(test::wait_until([&] { return numbers(second.copy()).size() >= 10; }, 10s));
  b->stop();
  std::vector<int> all = numbers(first.records);
  auto more = numbers(second.records);
  all.insert(all.end(), more.begin(), more.end());
  for (std::size_t i = 0; i < all.size(); ++i) ASSERT_EQ(all[i], static_cast<int>(i) + 1) << "line " << i + 1;
  std::set<std::string> ids;
  for (const auto* records : {&first.records, &second.records})
    for (const auto& r : *records) EXPECT_TRUE(ids.insert(r.message_id).second) << "id used twice: " << r.message_id;
  logging::v1::LogLine line;
  ASSERT_TRUE(line.ParseFromString(second.records.front().data));
  EXPECT_EQ(line.pod_uid(), sandbox_.pod_uid());
  EXPECT_EQ(line.container(), "writer");
  EXPECT_EQ(line.stream(), "stdout");
  EXPECT_GT(line.time_unix_nano(), 0);
  EXPECT_EQ(second.records.front().subject, "skiff.test.logs.default." + sandbox_.pod_uid() + ".writer");
}

TEST_F(ContainerLogFollowerTest, ALongLineComesInPartsOfOneLine) {
  std::string id = writer("200ms", "200000");
  Collected got;
  auto f = follower(id, {}, got, 65536);
  ASSERT_TRUE(test::wait_until([&] { return numbers(got.copy()).size() >= 4; }, 10s)) << "four parts of line 1";
  f->stop();
  std::vector<ShipRecord> parts;
  for (const auto& r : got.records) {
    logging::v1::LogLine line;
    line.ParseFromString(r.data);
    if (line.part_count() > 1 && parts.size() < 4) parts.push_back(r);
  }
  ASSERT_EQ(parts.size(), 4u);
  std::string whole;
  for (int i = 0; i < 4; ++i) {
    logging::v1::LogLine line;
    line.ParseFromString(parts[i].data);
    EXPECT_EQ(line.part(), i);
    EXPECT_EQ(line.part_count(), 4);
    EXPECT_LE(line.line().size(), 65536u);
    EXPECT_EQ(parts[i].ends_line, i == 3) << "the position moves with the last part only";
    EXPECT_EQ(parts[i].message_id.substr(parts[i].message_id.size() - 2), "." + std::to_string(i));
    whole += line.line();
  }
  EXPECT_EQ(whole.size(), 200000u);
  EXPECT_EQ(whole.rfind("sim: line 1.", 0), 0u);
}

}  // namespace
