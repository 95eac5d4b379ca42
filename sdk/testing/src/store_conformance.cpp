// The cases every store must pass: CRUD, compare-and-swap, transactions, selectors, paging,
// watch order, resume, compaction and persistence across restarts.
#include "skiff/testing/store_conformance.hpp"

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/sdk/store_client.hpp"

namespace skiff::conformance {

// The kit links every suite into a plugin's test; it instantiates the ones of its kind.
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(StoreConformance);
namespace {

using namespace std::chrono_literals;
using api::core::v1::Pod;
using sdk::StoreClient;
namespace v1 = store::v1;

const sdk::ResourceType& pods() { return sdk::resource_type_of<Pod>(); }

Pod make_pod(const std::string& ns, const std::string& name, std::map<std::string, std::string> labels = {},
             const std::string& node = "") {
  Pod pod;
  pod.mutable_metadata()->set_name(name);
  pod.mutable_metadata()->set_namespace_(ns);
  for (auto& [k, v] : labels) (*pod.mutable_metadata()->mutable_labels())[k] = v;
  auto* container = pod.mutable_spec()->add_containers();
  container->set_name("main");
  container->set_image("busybox");
  pod.mutable_spec()->set_node_name(node);
  return pod;
}

Pod parse(const std::string& bytes) {
  Pod pod;
  EXPECT_TRUE(pod.ParseFromString(bytes));
  return pod;
}

v1::WriteResponse create(const StoreClient& store, const Pod& pod) {
  return store.create(sdk::object_key(pods(), pod.metadata().namespace_(), pod.metadata().name()),
                      pod.SerializeAsString());
}

int status_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const sdk::Error& e) {
    return e.status().code;
  }
  return 200;
}

std::string reason_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const sdk::Error& e) {
    return e.status().reason;
  }
  return "";
}

// Everything published on the pods watch subject, in arrival order.
class WatchRecorder {
 public:
  WatchRecorder(sdk::Bus& bus, const sdk::Subjects& subjects)
      : sub_(bus.subscribe(subjects.watch("", "Pod"), [this](const sdk::Message& m) {
          v1::WatchBatch batch;
          if (!batch.ParseFromString(m.data)) return;
          std::lock_guard lock(mutex_);
          batches_.push_back(batch);
        })) {}

  std::vector<v1::WatchBatch> batches() {
    std::lock_guard lock(mutex_);
    return batches_;
  }
  std::vector<v1::WatchEvent> events() {
    std::vector<v1::WatchEvent> out;
    for (const auto& b : batches())
      for (const auto& e : b.events()) out.push_back(e);
    return out;
  }
  bool wait_for(std::size_t count, std::chrono::milliseconds timeout = 10s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (events().size() >= count) return true;
      std::this_thread::sleep_for(5ms);
    }
    return events().size() >= count;
  }

 private:
  std::mutex mutex_;
  std::vector<v1::WatchBatch> batches_;
  sdk::Subscription sub_;
};

TEST_P(StoreConformance, CreateAssignsUidAndRevision) {
  StoreClient store(harness().bus(), harness().subjects());
  auto before = store.info().revision();
  auto created = create(store, make_pod("default", "web", {{"app", "web"}}));
  Pod pod = parse(created.object());
  EXPECT_GT(created.revision(), before);
  EXPECT_EQ(pod.metadata().resource_version(), std::to_string(created.revision()));
  EXPECT_EQ(pod.metadata().uid().size(), 36u);
  EXPECT_EQ(pod.metadata().labels().at("app"), "web");
  EXPECT_EQ(pod.spec().containers(0).image(), "busybox");

  auto got = store.get(sdk::object_key(pods(), "default", "web"));
  EXPECT_EQ(got.revision(), created.revision());
  EXPECT_EQ(parse(got.object()).metadata().uid(), pod.metadata().uid());
  EXPECT_EQ(store.info().revision(), created.revision());
}

TEST_P(StoreConformance, CreateKeepsTheUidItsCallerChose) {
  // The API server picks a Job's uid before storing it (its generated selector names it).
  StoreClient store(harness().bus(), harness().subjects());
  const std::string uid = "0b7d2c9e-7d5a-4f7e-9a61-3c2b1e0f4d21";
  auto created = store.create(sdk::object_key(pods(), "default", "chosen"),
                              make_pod("default", "chosen", {}).SerializeAsString(), uid);
  EXPECT_EQ(parse(created.object()).metadata().uid(), uid);
  EXPECT_EQ(parse(store.get(sdk::object_key(pods(), "default", "chosen")).object()).metadata().uid(), uid);
}

TEST_P(StoreConformance, MissingObjectsAndDuplicatesHaveKubernetesStatuses) {
  StoreClient store(harness().bus(), harness().subjects());
  EXPECT_EQ(status_of([&] { store.get(sdk::object_key(pods(), "default", "nope")); }), 404);
  create(store, make_pod("default", "web"));
  EXPECT_EQ(status_of([&] { create(store, make_pod("default", "web")); }), 409);
  EXPECT_EQ(reason_of([&] { create(store, make_pod("default", "web")); }), "AlreadyExists");
  EXPECT_EQ(status_of([&] { create(store, make_pod("other", "web")); }), 200) << "names are per namespace";
  EXPECT_EQ(status_of([&] { store.get(sdk::object_key(pods(), "", "web")); }), 400) << "pods need a namespace";
  v1::ObjectKey unknown;
  unknown.set_resource("widgets");
  unknown.set_name("w");
  EXPECT_EQ(status_of([&] { store.get(unknown); }), 400);
}

TEST_P(StoreConformance, UpdateIsCompareAndSwap) {
  StoreClient store(harness().bus(), harness().subjects());
  auto key = sdk::object_key(pods(), "default", "web");
  auto created = create(store, make_pod("default", "web"));
  Pod pod = parse(created.object());
  pod.mutable_spec()->set_node_name("node-1");
  auto updated = store.update(key, pod.SerializeAsString(), created.revision());
  EXPECT_GT(updated.revision(), created.revision());
  EXPECT_EQ(parse(updated.object()).spec().node_name(), "node-1");
  EXPECT_EQ(parse(updated.object()).metadata().uid(), pod.metadata().uid()) << "the uid never changes";

  pod.mutable_spec()->set_node_name("node-2");
  EXPECT_EQ(status_of([&] { store.update(key, pod.SerializeAsString(), created.revision()); }), 409) << "stale";
  EXPECT_EQ(reason_of([&] { store.update(key, pod.SerializeAsString(), created.revision()); }), "Conflict");
  EXPECT_EQ(parse(store.get(key).object()).spec().node_name(), "node-1") << "a conflict changes nothing";
  EXPECT_EQ(status_of([&] { store.update(key, pod.SerializeAsString(), 0); }), 200) << "0 is unconditional";
  EXPECT_EQ(status_of([&] { store.update(sdk::object_key(pods(), "default", "ghost"), pod.SerializeAsString()); }),
            404);
}

TEST_P(StoreConformance, DeleteHonoursPreconditionsAndReturnsTheLastState) {
  StoreClient store(harness().bus(), harness().subjects());
  auto key = sdk::object_key(pods(), "default", "web");
  auto created = create(store, make_pod("default", "web"));
  std::string uid = parse(created.object()).metadata().uid();
  EXPECT_EQ(status_of([&] { store.erase(key, created.revision() + 1000); }), 409);
  EXPECT_EQ(status_of([&] { store.erase(key, 0, "some-other-uid"); }), 409);
  auto deleted = store.erase(key, created.revision(), uid);
  EXPECT_GT(deleted.revision(), created.revision());
  EXPECT_EQ(parse(deleted.object()).metadata().name(), "web");
  EXPECT_EQ(parse(deleted.object()).metadata().resource_version(), std::to_string(deleted.revision()));
  EXPECT_EQ(status_of([&] { store.get(key); }), 404);
  EXPECT_EQ(status_of([&] { store.erase(key); }), 404);
}

TEST_P(StoreConformance, TransactionsAreAllOrNothingAtOneRevision) {
  StoreClient store(harness().bus(), harness().subjects());
  auto existing = create(store, make_pod("default", "existing"));

  v1::TxnRequest failing;
  auto* a = failing.add_operations()->mutable_create();
  *a->mutable_key() = sdk::object_key(pods(), "default", "a");
  a->set_object(make_pod("default", "a").SerializeAsString());
  auto* dup = failing.add_operations()->mutable_create();
  *dup->mutable_key() = sdk::object_key(pods(), "default", "existing");
  dup->set_object(make_pod("default", "existing").SerializeAsString());
  EXPECT_EQ(status_of([&] { store.txn(failing); }), 409);
  EXPECT_EQ(status_of([&] { store.get(sdk::object_key(pods(), "default", "a")); }), 404) << "nothing applied";

  v1::TxnRequest guarded;
  auto* condition = guarded.add_conditions();
  *condition->mutable_key() = sdk::object_key(pods(), "default", "existing");
  condition->set_expected_revision(existing.revision() + 99);
  *guarded.add_operations() = failing.operations(0);
  EXPECT_EQ(status_of([&] { store.txn(guarded); }), 409) << "a failed condition";
  condition->set_expected_revision(existing.revision());
  auto* b = guarded.add_operations()->mutable_create();
  *b->mutable_key() = sdk::object_key(pods(), "default", "b");
  b->set_object(make_pod("default", "b").SerializeAsString());
  auto* del = guarded.add_operations()->mutable_delete_();
  *del->mutable_key() = sdk::object_key(pods(), "default", "existing");
  auto done = store.txn(guarded);
  ASSERT_EQ(done.results_size(), 3);
  EXPECT_EQ(done.results(0).revision(), done.revision());
  EXPECT_EQ(done.results(1).revision(), done.revision());
  EXPECT_EQ(status_of([&] { store.get(sdk::object_key(pods(), "default", "existing")); }), 404);
  EXPECT_EQ(store.get(sdk::object_key(pods(), "default", "b")).revision(), done.revision());

  v1::TxnRequest must_not_exist;
  auto* absent = must_not_exist.add_conditions();
  *absent->mutable_key() = sdk::object_key(pods(), "default", "b");
  absent->set_expected_revision(-1);
  *must_not_exist.add_operations() = failing.operations(0);
  EXPECT_EQ(status_of([&] { store.txn(must_not_exist); }), 409);
}

TEST_P(StoreConformance, ListFiltersByNamespaceLabelsAndFields) {
  StoreClient store(harness().bus(), harness().subjects());
  create(store, make_pod("a", "web-1", {{"app", "web"}, {"tier", "front"}}, "node-1"));
  create(store, make_pod("a", "web-2", {{"app", "web"}, {"tier", "front"}}, "node-2"));
  create(store, make_pod("a", "db-1", {{"app", "db"}}, "node-1"));
  create(store, make_pod("b", "web-3", {{"app", "web"}}, ""));
  auto names = [&](const std::string& ns, const std::string& labels, const std::string& fields) {
    v1::ListRequest request;
    request.set_resource("pods");
    request.set_namespace_(ns);
    request.set_label_selector(labels);
    request.set_field_selector(fields);
    std::set<std::string> out;
    v1::ListResponse response = store.list(request);
    for (const auto& bytes : response.objects()) out.insert(parse(bytes).metadata().name());
    return out;
  };
  using Names = std::set<std::string>;
  EXPECT_EQ(names("", "", ""), (Names{"web-1", "web-2", "db-1", "web-3"}));
  EXPECT_EQ(names("a", "", ""), (Names{"web-1", "web-2", "db-1"}));
  EXPECT_EQ(names("", "app=web", ""), (Names{"web-1", "web-2", "web-3"}));
  EXPECT_EQ(names("", "app=web,tier!=front", ""), (Names{"web-3"}));
  EXPECT_EQ(names("", "app in (db,cache)", ""), (Names{"db-1"}));
  EXPECT_EQ(names("", "", "spec.nodeName=node-1"), (Names{"web-1", "db-1"}));
  EXPECT_EQ(names("", "", "spec.nodeName="), (Names{"web-3"}));
  EXPECT_EQ(names("", "app=web", "metadata.namespace=a,metadata.name!=web-1"), (Names{"web-2"}));
  EXPECT_EQ(status_of([&] { names("", "app in web", ""); }), 400);
  EXPECT_EQ(status_of([&] { names("", "", "spec.color=red"); }), 400);
}

TEST_P(StoreConformance, PagingWalksEverythingOnceAtOneRevision) {
  StoreClient store(harness().bus(), harness().subjects());
  for (int i = 0; i < 25; ++i) create(store, make_pod("default", "pod-" + std::to_string(100 + i)));
  v1::ListRequest request;
  request.set_resource("pods");
  request.set_limit(10);
  std::vector<std::string> seen;
  std::vector<std::int64_t> revisions;
  std::vector<int> sizes;
  do {
    auto page = store.list(request);
    sizes.push_back(page.objects_size());
    revisions.push_back(page.revision());
    for (const auto& bytes : page.objects()) seen.push_back(parse(bytes).metadata().name());
    request.set_continue_(page.continue_());
  } while (!request.continue_().empty());
  EXPECT_EQ(sizes, (std::vector<int>{10, 10, 5}));
  ASSERT_EQ(seen.size(), 25u);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), 25u);
  EXPECT_EQ(std::set<std::int64_t>(revisions.begin(), revisions.end()).size(), 1u);
  request.set_continue_("not-a-token");
  EXPECT_EQ(status_of([&] { store.list(request); }), 400);
}

TEST_P(StoreConformance, BigListsComeInPagesThatFitABusMessage) {
  StoreClient store(harness().bus(), harness().subjects());
  for (int i = 0; i < 40; ++i) {
    Pod pod = make_pod("default", "big-" + std::to_string(100 + i));
    (*pod.mutable_metadata()->mutable_annotations())["payload"] = std::string(64 * 1024, 'x');
    create(store, pod);
  }
  v1::ListRequest request;
  request.set_resource("pods");
  std::set<std::string> seen;
  int pages = 0;
  do {
    auto page = store.list(request);  // no limit asked, yet each reply stays under 1 MiB
    ++pages;
    EXPECT_LT(page.ByteSizeLong(), 1024u * 1024u);
    for (const auto& bytes : page.objects()) seen.insert(parse(bytes).metadata().name());
    request.set_continue_(page.continue_());
  } while (!request.continue_().empty());
  EXPECT_EQ(seen.size(), 40u);
  EXPECT_GT(pages, 1);
}

TEST_P(StoreConformance, WatchDeliversEveryChangeInOrderWithItsChain) {
  StoreClient store(harness().bus(), harness().subjects());
  WatchRecorder watch(harness().bus(), harness().subjects());
  auto key = sdk::object_key(pods(), "default", "web");
  auto created = create(store, make_pod("default", "web"));
  Pod pod = parse(created.object());
  pod.mutable_spec()->set_node_name("node-1");
  auto updated = store.update(key, pod.SerializeAsString(), created.revision());
  auto deleted = store.erase(key);
  ASSERT_TRUE(watch.wait_for(3));
  auto events = watch.events();
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].type(), "ADDED");
  EXPECT_EQ(events[0].revision(), created.revision());
  EXPECT_EQ(events[1].type(), "MODIFIED");
  EXPECT_EQ(events[1].revision(), updated.revision());
  EXPECT_EQ(parse(events[1].object()).spec().node_name(), "node-1");
  EXPECT_EQ(events[2].type(), "DELETED");
  EXPECT_EQ(events[2].revision(), deleted.revision());
  auto batches = watch.batches();
  for (std::size_t i = 1; i < batches.size(); ++i)
    EXPECT_EQ(batches[i].prev_revision(), batches[i - 1].events(batches[i - 1].events_size() - 1).revision());
}

TEST_P(StoreConformance, ConcurrentWritersEachGetTheirOwnRevision) {
  StoreClient store(harness().bus(), harness().subjects());
  WatchRecorder watch(harness().bus(), harness().subjects());
  constexpr int kThreads = 8, kEach = 40;
  std::mutex mutex;
  std::set<std::int64_t> revisions;
  std::atomic<int> failures{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        try {
          auto r = create(store, make_pod("default", "p-" + std::to_string(t) + "-" + std::to_string(i)));
          std::lock_guard lock(mutex);
          revisions.insert(r.revision());
        } catch (const sdk::Error&) {
          failures++;
        }
      }
    });
  for (auto& w : writers) w.join();
  EXPECT_EQ(failures, 0);
  EXPECT_EQ(revisions.size(), static_cast<std::size_t>(kThreads * kEach)) << "revisions are unique";
  ASSERT_TRUE(watch.wait_for(kThreads * kEach));
  auto events = watch.events();
  EXPECT_EQ(events.size(), static_cast<std::size_t>(kThreads * kEach));
  for (std::size_t i = 1; i < events.size(); ++i) EXPECT_GT(events[i].revision(), events[i - 1].revision());
}

TEST_P(StoreConformance, HistoryResumesAfterARevision) {
  StoreClient store(harness().bus(), harness().subjects());
  auto first = create(store, make_pod("default", "one"));
  auto second = create(store, make_pod("default", "two"));
  auto third = store.erase(sdk::object_key(pods(), "default", "one"));
  auto history = store.history("pods", first.revision());
  ASSERT_EQ(history.events_size(), 2);
  EXPECT_EQ(history.events(0).revision(), second.revision());
  EXPECT_EQ(history.events(1).type(), "DELETED");
  EXPECT_EQ(history.events(1).revision(), third.revision());
  EXPECT_GE(history.revision(), third.revision());
  EXPECT_EQ(store.history("pods", third.revision()).events_size(), 0);
  EXPECT_EQ(store.history("services", 0).events_size(), 0) << "another resource's history is separate";
}

TEST_P(StoreConformance, OldRevisionsAreCompacted) {
  restart_with({{"history_length", "5"}});
  StoreClient store(harness().bus(), harness().subjects());
  auto first = create(store, make_pod("default", "p0"));
  for (int i = 1; i < 20; ++i) create(store, make_pod("default", "p" + std::to_string(i)));
  EXPECT_EQ(status_of([&] { store.history("pods", first.revision()); }), 410);
  EXPECT_EQ(reason_of([&] { store.history("pods", first.revision()); }), "Expired");
  auto recent = store.info().revision() - 3;
  EXPECT_EQ(store.history("pods", recent).events_size(), 3);
  // Nothing happened to services since revision 0: nothing to compact away.
  EXPECT_EQ(status_of([&] { store.history("services", 0); }), 200);
}

TEST_P(StoreConformance, SingleOperationSubjectsAndBatchesAgree) {
  sdk::Bus& bus = harness().bus();
  const sdk::Subjects& subjects = harness().subjects();
  v1::CreateRequest create_request;
  *create_request.mutable_key() = sdk::object_key(pods(), "default", "single");
  create_request.set_object(make_pod("default", "single").SerializeAsString());
  sdk::Reply created = bus.request(subjects.store("create"), create_request.SerializeAsString(), 5s);
  ASSERT_TRUE(created.ok()) << created.status.message;
  v1::WriteResponse written;
  ASSERT_TRUE(written.ParseFromString(created.data));
  EXPECT_EQ(parse(written.object()).metadata().name(), "single");
  EXPECT_EQ(bus.request(subjects.store("create"), create_request.SerializeAsString(), 5s).status.code, 409);

  // A batch: independent transactions, each with its own result and revision.
  v1::BatchRequest batch;
  auto add_create = [&](const std::string& name) {
    auto* c = batch.add_transactions()->add_operations()->mutable_create();
    *c->mutable_key() = sdk::object_key(pods(), "default", name);
    c->set_object(make_pod("default", name).SerializeAsString());
  };
  add_create("batch-a");
  add_create("single");  // already exists
  add_create("batch-b");
  sdk::Reply reply = bus.request(subjects.store("batch"), batch.SerializeAsString(), 5s);
  ASSERT_TRUE(reply.ok()) << reply.status.message;
  v1::BatchResponse results;
  ASSERT_TRUE(results.ParseFromString(reply.data));
  ASSERT_EQ(results.results_size(), 3);
  EXPECT_EQ(results.results(0).code(), 200);
  EXPECT_EQ(results.results(1).code(), 409);
  EXPECT_EQ(results.results(1).reason(), "AlreadyExists");
  EXPECT_EQ(results.results(2).code(), 200);
  EXPECT_NE(results.results(0).response().revision(), results.results(2).response().revision());
  StoreClient store(bus, subjects);
  EXPECT_EQ(status_of([&] { store.get(sdk::object_key(pods(), "default", "batch-b")); }), 200);
}

TEST_P(StoreConformance, EverythingSurvivesARestart) {
  StoreClient store(harness().bus(), harness().subjects());
  auto created = create(store, make_pod("default", "keep", {{"app", "keep"}}));
  std::string uid = parse(created.object()).metadata().uid();
  auto last = create(store, make_pod("default", "also"));
  harness().restart();
  StoreClient again(harness().bus(), harness().subjects());
  auto got = again.get(sdk::object_key(pods(), "default", "keep"));
  EXPECT_EQ(got.revision(), created.revision());
  EXPECT_EQ(parse(got.object()).metadata().uid(), uid);
  EXPECT_EQ(again.info().revision(), last.revision());
  WatchRecorder watch(harness().bus(), harness().subjects());
  auto next = create(again, make_pod("default", "after"));
  EXPECT_GT(next.revision(), last.revision()) << "revisions keep increasing across restarts";
  ASSERT_TRUE(watch.wait_for(1));
  EXPECT_EQ(watch.batches()[0].prev_revision(), last.revision()) << "the watch chain continues across restarts";
  EXPECT_EQ(again.history("pods", last.revision()).events_size(), 1);
}

}  // namespace
}  // namespace skiff::conformance
