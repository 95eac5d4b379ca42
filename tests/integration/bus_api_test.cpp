// Skiff's components use the API server over the bus: same validation and semantics as HTTP,
// and the SDK informer lists and catches up through it.
#include <gtest/gtest.h>

#include <thread>

#include "api_node.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "skiff/sdk/informer.hpp"
#include "skiff/sdk/status_writer.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;

core::Pod make_pod(const std::string& name) {
  core::Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_("default");
  auto* c = pod.mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image("busybox");
  return pod;
}

class BusApiTest : public ::testing::Test {
 protected:
  test::ApiNode node;
  sdk::ApiClient api{node.node().bus(), node.node().subjects()};
};

TEST_F(BusApiTest, CreateGetListUpdateDeleteWithDefaults) {
  core::Pod created = api.create(make_pod("p"));
  EXPECT_EQ(created.spec().restart_policy(), "Always") << "defaulted as over HTTP";
  EXPECT_EQ(created.status().phase(), "Pending");
  EXPECT_FALSE(created.metadata().uid().empty());
  EXPECT_EQ(api.get<core::Pod>("default", "p").metadata().uid(), created.metadata().uid());
  EXPECT_EQ(api.list<core::Pod>("default").size(), 1u);
  EXPECT_EQ(api.list<core::Namespace>().size(), 4u);

  core::Pod with_status = created;
  with_status.mutable_status()->set_phase("Running");
  with_status.mutable_status()->set_pod_ip("10.0.0.9");
  core::Pod updated = api.update(with_status, "status");
  EXPECT_EQ(updated.status().phase(), "Running");

  core::Pod patched = api.patch<core::Pod>("default", "p", "merge", R"({"metadata":{"labels":{"x":"y"}}})");
  EXPECT_EQ(patched.metadata().labels().at("x"), "y");
  api.erase<core::Pod>("default", "p");
  try {
    api.get<core::Pod>("default", "p");
    FAIL();
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 404);
    EXPECT_EQ(std::string(e.what()), "pods \"p\" not found");
  }
}

// The apiserver compares an update with what is stored: the same object is no write (no
// new resourceVersion), only a spec change bumps the generation.
TEST_F(BusApiTest, AnUpdateThatChangesNothingWritesNothing) {
  core::Pod created = api.create(make_pod("same"));
  EXPECT_EQ(api.update(created).metadata().resource_version(), created.metadata().resource_version());
  EXPECT_EQ(api.update(created, "status").metadata().resource_version(), created.metadata().resource_version());

  core::Pod relabelled = created;
  (*relabelled.mutable_metadata()->mutable_labels())["tier"] = "front";
  core::Pod changed = api.update(relabelled);
  EXPECT_NE(changed.metadata().resource_version(), created.metadata().resource_version());
  EXPECT_EQ(changed.metadata().generation(), created.metadata().generation()) << "labels are not the spec";

  core::Pod new_image = changed;
  new_image.mutable_spec()->mutable_containers(0)->set_image("busybox:2");
  EXPECT_EQ(api.update(new_image).metadata().generation(), created.metadata().generation() + 1);
}

TEST_F(BusApiTest, ValidationAndConflictsAreTheApisOwn) {
  api::apps::v1::Deployment bad;
  bad.mutable_metadata()->set_name("bad");
  bad.mutable_metadata()->set_namespace_("default");
  bad.mutable_spec()->set_replicas(-1);
  try {
    api.create(bad);
    FAIL();
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 422);
    EXPECT_NE(std::string(e.what()).find("spec.replicas: Invalid value: -1"), std::string::npos) << e.what();
  }
  core::Pod created = api.create(make_pod("p"));
  api.bind("default", "p", "node-1", created.metadata().uid());
  EXPECT_EQ(api.get<core::Pod>("default", "p").spec().node_name(), "node-1");
  try {
    api.bind("default", "p", "node-2");
    FAIL();
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().code, 409);
  }
}

TEST_F(BusApiTest, InformerThroughTheApi) {
  api.create(make_pod("before"));
  sdk::Informer<core::Pod> informer(node.node().bus(), node.node().subjects(),
                                    sdk::api_source(node.node().bus(), node.node().subjects()));
  informer.start();
  ASSERT_TRUE(informer.wait_for_sync(10s));
  EXPECT_TRUE(informer.get("default", "before"));
  api.create(make_pod("after"));
  ASSERT_TRUE(test::wait_until([&] { return informer.size() == 2; }));
}

}  // namespace

namespace {

TEST_F(BusApiTest, StatusOfManyPodsInOneRequestEachWithItsOwnResult) {
  core::Pod fresh = api.create(make_pod("fresh"));
  core::Pod stale = api.create(make_pod("stale"));
  core::Pod spec_too = api.create(make_pod("spec-too"));
  api.patch<core::Pod>("default", "stale", "merge", R"({"metadata":{"labels":{"moved":"yes"}}})");
  core::Pod missing = make_pod("missing");
  std::vector<core::Pod> batch{fresh, stale, spec_too, missing};
  for (auto& pod : batch) pod.mutable_status()->set_phase("Running");
  batch[2].mutable_spec()->mutable_containers(0)->set_image("other");  // a status update changes only the status

  auto results = api.update_status_many(batch);
  ASSERT_EQ(results.size(), 4u);
  EXPECT_EQ(results[0].first.code, 200) << results[0].first.message;
  EXPECT_EQ(results[0].second.status().phase(), "Running");
  EXPECT_NE(results[0].second.metadata().resource_version(), fresh.metadata().resource_version());
  EXPECT_EQ(results[1].first.code, 409) << "its resourceVersion is a precondition, as in a single update";
  EXPECT_EQ(results[2].first.code, 200) << results[2].first.message;
  EXPECT_EQ(results[3].first.code, 404);
  EXPECT_EQ(results[3].first.message, "pods \"missing\" not found");

  EXPECT_EQ(api.get<core::Pod>("default", "fresh").status().phase(), "Running");
  EXPECT_EQ(api.get<core::Pod>("default", "stale").status().phase(), "Pending");
  core::Pod stored = api.get<core::Pod>("default", "spec-too");
  EXPECT_EQ(stored.status().phase(), "Running");
  EXPECT_EQ(stored.spec().containers(0).image(), "busybox");
}

TEST_F(BusApiTest, StatusWriterGivesEachOfManyThreadsItsOwnResult) {
  constexpr int kPods = 24;
  std::vector<core::Pod> pods;
  for (int i = 0; i < kPods; ++i) pods.push_back(api.create(make_pod("w-" + std::to_string(i))));
  sdk::StatusWriter writer(api, 8);
  std::vector<int> codes(kPods, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kPods; ++i)
    threads.emplace_back([&, i] {
      core::Pod next = pods[i];
      next.mutable_status()->set_phase("Running");
      if (i % 6 == 5) next.mutable_metadata()->set_resource_version("1");  // stale: refused alone
      try {
        codes[i] = writer.update(next).status().phase() == "Running" ? 200 : -1;
      } catch (const sdk::Error& e) {
        codes[i] = e.status().code;
      }
    });
  for (auto& t : threads) t.join();
  for (int i = 0; i < kPods; ++i) {
    EXPECT_EQ(codes[i], i % 6 == 5 ? 409 : 200) << "pod " << i;
    EXPECT_EQ(api.get<core::Pod>("default", "w-" + std::to_string(i)).status().phase(), i % 6 == 5 ? "Pending" : "Running");
  }
}

}  // namespace
