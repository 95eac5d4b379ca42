// The runtime conformance suite (see the header).
#include "skiff/testing/runtime_conformance.hpp"

#include <chrono>
#include <random>
#include <set>
#include <thread>

#include "skiff/sdk/runtime/labels.hpp"
#include "skiff/sdk/runtime/runtime_client.hpp"
#include "runtime_conformance_pod.hpp"

namespace skiff::conformance {

// The kit links every suite into a plugin's test; it instantiates the ones of its kind.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(RuntimeConformance);

using namespace runtime_suite;

void RuntimeConformance::SetUp() {
  harness_ = GetParam().factory();
  std::mt19937_64 rng{std::random_device{}()};
  label_ = "t" + std::to_string(rng() % 1000000000);
}

void RuntimeConformance::TearDown() {
  if (!harness_) return;
  sdk::RuntimeClient runtime(harness_->bus(), harness_->subjects(), harness_->node());
  try {
    for (const auto& s : runtime.list_sandboxes({{kTestLabel, label_}})) runtime.remove_sandbox(s.id());
  } catch (const std::exception& e) {
    ADD_FAILURE() << "cleaning up: " << e.what();
  }
}

TEST_P(RuntimeConformance, VersionAndStatus) {
  sdk::RuntimeClient runtime(harness().bus(), harness().subjects(), harness().node());
  auto v = runtime.version();
  EXPECT_FALSE(v.runtime_name().empty());
  EXPECT_FALSE(v.runtime_version().empty());
  EXPECT_EQ(v.api_version(), "v1");
  EXPECT_TRUE(runtime.status().ready()) << runtime.status().message();
}

TEST_P(RuntimeConformance, ImagesPresentMissingAndNeverPulled) {
  sdk::RuntimeClient runtime(harness().bus(), harness().subjects(), harness().node());
  EXPECT_FALSE(runtime.image(harness().image()).image_ref().empty());
  // A registry on a closed loopback port: the pull fails at once, and no traffic (not even a
  // DNS query) leaves the machine.
  const std::string missing = "127.0.0.1:1/skiff-missing:1";
  try {
    runtime.image(missing, "IfNotPresent");
    ADD_FAILURE() << "a missing image was found";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().reason, "ErrImagePull") << e.status().message;
    EXPECT_NE(e.status().message.find(missing), std::string::npos) << e.status().message;
  }
  try {
    runtime.image(missing, "Never");
    ADD_FAILURE() << "a missing image was found";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().reason, "ErrImageNeverPull");
  }
}

TEST_P(RuntimeConformance, SandboxLifecycle) {
  Pod pod(harness(), test_label(), "sandbox");
  std::string id = pod.sandbox();
  auto status = pod.runtime.sandbox_status(id);
  EXPECT_EQ(status.state(), "READY");
  EXPECT_FALSE(status.ip().empty()) << "a pod without hostNetwork has an IP of its own";
  EXPECT_EQ(pod.sandbox_ip, status.ip()) << "run_sandbox answers with the IP sandbox_status gives";
  auto listed = pod.runtime.list_sandboxes({{kTestLabel, test_label()}});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id(), id);
  EXPECT_EQ(listed[0].labels().at(sdk::label::kPodUid), pod.config.pod_uid());
  pod.runtime.stop_sandbox(id);
  EXPECT_EQ(pod.runtime.sandbox_status(id).state(), "NOTREADY");
  pod.runtime.remove_sandbox(id);
  try {
    pod.runtime.sandbox_status(id);
    ADD_FAILURE() << "a removed sandbox is still there";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 404);
  }
}

TEST_P(RuntimeConformance, ContainerLifecycleAndLabels) {
  Pod pod(harness(), test_label(), "life");
  pod.sandbox();
  std::string id = pod.container("main", {"sleep", "3600"});
  auto status = pod.runtime.container_status(id);
  EXPECT_EQ(status.state(), "RUNNING");
  EXPECT_EQ(status.name(), "main");
  EXPECT_FALSE(status.started_at().empty());
  auto listed = pod.runtime.list_containers({{kTestLabel, test_label()}});
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].labels().at(sdk::label::kContainerName), "main");
  EXPECT_EQ(pod.runtime.list_containers({}, pod.sandbox_id).size(), 1u);
  auto verbose = pod.runtime.list_containers({{kTestLabel, test_label()}}, "", true);
  ASSERT_EQ(verbose.size(), 1u);
  EXPECT_EQ(verbose[0].DebugString(), pod.runtime.container_status(id).DebugString()) << "a verbose list is container_status";
  pod.runtime.stop_container(id, 5);
  status = pod.runtime.container_status(id);
  EXPECT_EQ(status.state(), "EXITED");
  EXPECT_FALSE(status.finished_at().empty());
  pod.runtime.remove_container(id);
  try {
    pod.runtime.container_status(id);
    ADD_FAILURE() << "a removed container is still there";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 404);
  }
}

TEST_P(RuntimeConformance, ExitCodesAndReasons) {
  if (!GetParam().real_processes) GTEST_SKIP() << "simulated containers do not exit on their own";
  Pod pod(harness(), test_label(), "exits");
  pod.sandbox();
  std::string failed = pod.container("failed", {"sh", "-c", "exit 3"});
  std::string done = pod.container("done", {"true"});
  ASSERT_TRUE(pod.exited(failed));
  ASSERT_TRUE(pod.exited(done));
  auto f = pod.runtime.container_status(failed);
  EXPECT_EQ(f.exit_code(), 3);
  EXPECT_EQ(f.reason(), "Error");
  auto d = pod.runtime.container_status(done);
  EXPECT_EQ(d.exit_code(), 0);
  EXPECT_EQ(d.reason(), "Completed");
}

TEST_P(RuntimeConformance, CommandEnvWorkingDirAndLogs) {
  if (!GetParam().real_processes) GTEST_SKIP() << "simulated containers print nothing of their own";
  Pod pod(harness(), test_label(), "env");
  pod.sandbox();
  rt::KeyValue greeting;
  greeting.set_key("GREETING");
  greeting.set_value("hello there");
  std::string id = pod.container("print", {"sh", "-c", "echo $GREETING; pwd; echo oops >&2"}, {greeting}, "/tmp");
  ASSERT_TRUE(pod.exited(id));
  std::string logs = pod.logs(id);
  // stdout's lines in order; stderr's may fall anywhere between them (two pipes).
  std::string stdout_only = logs;
  if (auto at = stdout_only.find("oops\n"); at != std::string::npos) stdout_only.erase(at, 5);
  else ADD_FAILURE() << "stderr missing from the logs: " << logs;
  EXPECT_NE(stdout_only.find("hello there\n/tmp\n"), std::string::npos) << logs;
}

TEST_P(RuntimeConformance, FollowedLogsArriveAsWritten) {
  Pod pod(harness(), test_label(), "follow");
  pod.sandbox();
  std::string id = pod.container("ticker", {"sh", "-c", "i=0; while true; do echo tick $i; i=$((i+1)); sleep 0.1; done"});
  rt::LogsRequest r;
  r.set_container_id(id);
  r.set_follow(true);
  r.set_tail_lines(-1);
  std::string seen;
  pod.runtime.logs(r, [&](const rt::Chunk& c) {
    seen += c.data();
    return std::count(seen.begin(), seen.end(), '\n') < 3;  // then stop following
  });
  EXPECT_GE(std::count(seen.begin(), seen.end(), '\n'), 3) << seen;
}

TEST_P(RuntimeConformance, ExecRunsInTheContainer) {
  if (!GetParam().real_processes) GTEST_SKIP() << "simulated containers run no commands";
  Pod pod(harness(), test_label(), "exec");
  pod.sandbox();
  std::string id = pod.container("main", {"sleep", "3600"});
  rt::ExecRequest r;
  r.set_container_id(id);
  for (const char* part : {"sh", "-c", "echo out; echo err >&2; exit 4"}) r.add_command(part);
  std::string out, err;
  int code = pod.runtime.exec(r, [&](const rt::Chunk& c) {
    (c.fd() == 2 ? err : out) += c.data();
    return true;
  });
  EXPECT_EQ(code, 4);
  EXPECT_EQ(out, "out\n");
  EXPECT_EQ(err, "err\n");
  rt::ExecRequest cat;
  cat.set_container_id(id);
  cat.add_command("cat");
  std::string echoed;
  EXPECT_EQ(pod.runtime.exec(cat, [&](const rt::Chunk& c) {
    echoed += c.data();
    return true;
  }, "from stdin\n"), 0);
  EXPECT_EQ(echoed, "from stdin\n");
}

TEST_P(RuntimeConformance, ContainersOfAPodShareItsNetwork) {
  if (!GetParam().real_processes) GTEST_SKIP() << "simulated containers have no network";
  Pod pod(harness(), test_label(), "net");
  pod.sandbox();
  pod.container("server", {"httpd", "-f", "-p", "8080", "-h", "/www"});
  std::string client = pod.container("client", {"sh", "-c",
                                                "for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O- http://127.0.0.1:8080/ && exit 0; "
                                                "sleep 0.2; done; exit 1"});
  ASSERT_TRUE(pod.exited(client));
  EXPECT_EQ(pod.runtime.container_status(client).exit_code(), 0) << pod.logs(client);
  EXPECT_NE(pod.logs(client).find("hello from skiff"), std::string::npos);
}

// kubectl port-forward's far end: localhost:port inside the pod's network namespace.
TEST_P(RuntimeConformance, PortForwardReachesThePodsLocalhost) {
  Pod pod(harness(), test_label(), "forward");
  pod.sandbox();
  auto forward = [&](int port, const std::string& input) {
    rt::PortForwardRequest r;
    r.set_sandbox_id(pod.sandbox_id);
    r.set_port(port);
    std::string answer;
    pod.runtime.port_forward(r, input, [&](const rt::Chunk& c) {
      answer += c.data();
      return true;
    }, 20s);
    return answer;
  };
  if (!GetParam().real_processes) {
    EXPECT_EQ(forward(8080, "ping\n"), "ping\n") << "a simulated pod echoes on every port";
    return;
  }
  pod.container("server", {"httpd", "-f", "-p", "8080", "-h", "/www"});
  std::string answer;
  EXPECT_TRUE(eventually([&] {
    try {
      answer = forward(8080, "GET / HTTP/1.0\r\n\r\n");
    } catch (const sdk::Error&) {
      return false;  // httpd is not listening yet
    }
    return answer.find("hello from skiff") != std::string::npos;
  })) << answer;
  EXPECT_EQ(answer.rfind("HTTP/1.", 0), 0u) << answer;
  try {
    forward(8081, "GET / HTTP/1.0\r\n\r\n");
    ADD_FAILURE() << "a port nothing listens on was connected to";
  } catch (const sdk::Error& e) {
    EXPECT_NE(e.status().message.find("connection refused"), std::string::npos) << e.status().message;
  }
}

// kubectl attach: the container's own stdin and stdout; closing stdin (stdin_once) ends its input.
TEST_P(RuntimeConformance, AttachReachesTheContainersOwnStdio) {
  Pod pod(harness(), test_label(), "attach");
  pod.sandbox();
  rt::ContainerConfig c;
  c.set_name("reader");
  c.set_image(pod.image);
  for (const char* part : {"sh", "-c", "while read line; do echo got:$line; done"}) c.add_command(part);
  c.set_stdin(true);
  c.set_stdin_once(true);
  std::string id = pod.runtime.create_container(pod.sandbox_id, c, pod.config);
  pod.runtime.start_container(id);
  rt::AttachRequest r;
  r.set_container_id(id);
  std::string out;
  try {
    pod.runtime.attach(r, "hello\n", [&](const rt::Chunk& chunk) {
      out += chunk.data();
      return true;
    }, 30s);
  } catch (const sdk::Error& e) {
    if (e.status().code == 501) GTEST_SKIP() << "this runtime cannot attach: " << e.status().message;
    throw;
  }
  EXPECT_EQ(out, GetParam().real_processes ? "got:hello\n" : "hello\n");
  try {
    rt::AttachRequest unknown;
    unknown.set_container_id("no-such-container");
    pod.runtime.attach(unknown, "", [](const rt::Chunk&) { return true; });
    ADD_FAILURE() << "attached to an unknown container";
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 404) << e.status().message;
  }
}

// A container burning CPU: its counter grows (by a tenth of a second at least, where it
// really runs), and what it uses of memory is there.
TEST_P(RuntimeConformance, StatsOfARunningContainer) {
  Pod pod(harness(), test_label(), "stats");
  pod.sandbox();
  std::string id = pod.container("burner", {"sh", "-c", "while :; do :; done"});
  auto first = pod.runtime.stats(id);
  EXPECT_FALSE(first.timestamp().empty());
  std::uint64_t at_least = GetParam().real_processes ? 100'000'000 : 1;
  rt::StatsResponse later;
  EXPECT_TRUE(eventually([&] {
    later = pod.runtime.stats(id);
    return later.cpu_usage_nanos() >= first.cpu_usage_nanos() + at_least;
  })) << "cpu_usage_nanos stayed at " << later.cpu_usage_nanos() << " from " << first.cpu_usage_nanos();
  EXPECT_GT(later.memory_working_set_bytes(), 0u);
  EXPECT_GE(later.memory_usage_bytes(), later.memory_working_set_bytes()) << "the working set is part of the usage";
}

// The kubelet's one call per collection: the asked containers and sandboxes, and with empty
// lists everything that runs.
TEST_P(RuntimeConformance, ListStatsAnswersForManyAtOnce) {
  Pod pod(harness(), test_label(), "liststats");
  pod.sandbox();
  std::string one = pod.container("one", {"sleep", "3600"});
  std::string two = pod.container("two", {"sleep", "3600"});
  auto ids_of = [](const rt::ListStatsResponse& r) {
    std::set<std::string> ids;
    for (const auto& c : r.containers()) ids.insert(c.container_id());
    for (const auto& s : r.sandboxes()) ids.insert(s.sandbox_id());
    return ids;
  };
  auto asked = pod.runtime.list_stats({one, two}, {pod.sandbox_id});
  EXPECT_EQ(ids_of(asked), (std::set<std::string>{one, two, pod.sandbox_id}));
  for (const auto& c : asked.containers()) EXPECT_GT(c.stats().memory_working_set_bytes(), 0u) << c.container_id();
  auto everything = ids_of(pod.runtime.list_stats());
  for (const auto& id : {one, two, pod.sandbox_id}) EXPECT_TRUE(everything.count(id)) << id << " missing from list_stats()";
}

// A pod's network as its sandbox sees it: eth0 with traffic each way (a ping and a refused
// connection to the pod's gateway, which is on this machine); none with host network.
TEST_P(RuntimeConformance, SandboxStatsShowThePodsNetwork) {
  Pod pod(harness(), test_label(), "netstats");
  pod.sandbox();
  pod.container("talker", {"sh", "-c",
                           "gw=$(ip route | awk '/default/ {print $3}'); ping -c 2 -W 1 $gw; "
                           "nc -w 1 $gw 9 </dev/null; sleep 3600"});
  rt::SandboxStatsResponse stats;
  auto eth0 = [&]() -> const rt::InterfaceStats* {
    for (const auto& i : stats.interfaces())
      if (i.name() == "eth0") return &i;
    return nullptr;
  };
  EXPECT_TRUE(eventually([&] {
    stats = pod.runtime.sandbox_stats(pod.sandbox_id);
    return eth0() && eth0()->rx_bytes() > 0 && eth0()->tx_bytes() > 0;
  })) << stats.DebugString();
  for (const auto& i : stats.interfaces()) EXPECT_NE(i.name(), "lo") << "loopback is not the pod's network";

  Pod host(harness(), test_label(), "hostnetstats");
  host.config.set_host_network(true);
  host.sandbox();
  EXPECT_EQ(host.runtime.sandbox_stats(host.sandbox_id).interfaces_size(), 0) << "a host-network pod has no network of its own";
}

TEST_P(RuntimeConformance, UnknownIdsAreNotFound) {
  sdk::RuntimeClient runtime(harness().bus(), harness().subjects(), harness().node());
  for (auto call : std::vector<std::function<void()>>{[&] { runtime.container_status("no-such-container"); },
                                                       [&] { runtime.start_container("no-such-container"); },
                                                       [&] { runtime.sandbox_status("no-such-sandbox"); },
                                                       [&] { runtime.stats("no-such-container"); },
                                                       [&] { runtime.sandbox_stats("no-such-sandbox"); },
                                                       [&] {
                                                         rt::PortForwardRequest r;
                                                         r.set_sandbox_id("no-such-sandbox");
                                                         r.set_port(80);
                                                         runtime.port_forward(r, "", [](const rt::Chunk&) { return true; });
                                                       }}) {
    try {
      call();
      ADD_FAILURE() << "an unknown id was found";
    } catch (const sdk::Error& e) {
      EXPECT_EQ(e.status().code, 404) << e.status().message;
    }
  }
}

}  // namespace skiff::conformance
