// The EndpointSlice controller against a real bus, store, apiserver, scheduler and garbage
// collector, pods "run" by the fake kubelet: slices appear with the Service's pods, follow
// readiness, node zones and termination, are not rewritten for nothing, and go with the Service.
#include <gtest/gtest.h>

#include <map>

#include "fake_kubelet.hpp"
#include "plugin_node.hpp"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"
#include "skiff/sdk/api_client.hpp"
#include "wait.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace core = api::core::v1;
namespace discovery = api::discovery::v1;

constexpr const char* kHold = "test.skiff.io/hold";  // keeps a deleted pod terminating until the test lets go

// Two endpoints per slice, so three pods need two slices.
const char* kPlugins =
    "  - name: store-lmdb\n    config: {map_size: 256Mi}\n"
    "  - name: apiserver\n    config: {address: 127.0.0.1:0, tls: false}\n"
    "  - name: scheduler-default\n    config: {leader_elect: false, pod_initial_backoff: 100ms}\n"
    "  - name: controller-manager\n    config: {leader_elect: false, max_endpoints_per_slice: 2}\n";

core::Pod pod(const std::string& name, bool held = false) {
  core::Pod p;
  p.mutable_metadata()->set_name(name);
  p.mutable_metadata()->set_namespace_("default");
  (*p.mutable_metadata()->mutable_labels())["app"] = "shop";
  if (held) p.mutable_metadata()->add_finalizers(kHold);
  auto* c = p.mutable_spec()->add_containers();
  c->set_name("main");
  c->set_image("shop:1");
  auto* port = c->add_ports();
  port->set_name("http");
  port->set_container_port(8080);
  (*c->mutable_resources()->mutable_requests())["cpu"] = "100m";
  return p;
}

core::Service service() {
  core::Service s;
  s.mutable_metadata()->set_name("shop");
  s.mutable_metadata()->set_namespace_("default");
  (*s.mutable_spec()->mutable_selector())["app"] = "shop";
  auto* port = s.mutable_spec()->add_ports();
  port->set_name("web");
  port->set_port(80);
  port->mutable_target_port()->set_type(1);
  port->mutable_target_port()->set_str_val("http");
  return s;
}

// Get, change, update — again on a conflict (the kubelet writes the same objects).
template <class T>
void change(const sdk::ApiClient& api, const std::string& ns, const std::string& name, const std::function<void(T&)>& edit) {
  for (int attempt = 0;; ++attempt) {
    T object = api.get<T>(ns, name);
    edit(object);
    try {
      api.update(object);
      return;
    } catch (const sdk::Error& e) {
      if (e.status().code != 409 || attempt >= 100) throw;
    }
  }
}

class EndpointSlices : public ::testing::Test {
 protected:
  void SetUp() override {
    node_.start();
    api_ = std::make_unique<sdk::ApiClient>(node_.bus(), node_.subjects());
    test::FakeKubeletOptions options;
    options.ready = false;  // readiness is the test's to give
    kubelet_ = std::make_unique<test::FakeKubelet>(node_.bus(), node_.subjects(),
                                                   std::vector<std::string>{"node-a", "node-b"}, options);
  }
  void TearDown() override {
    if (HasFailure()) std::fprintf(stderr, "skiffd output:\n%s\n", node_.output().c_str());
    kubelet_.reset();
  }

  std::vector<discovery::EndpointSlice> slices() {
    return api_->list<discovery::EndpointSlice>("default", "kubernetes.io/service-name=shop");
  }
  // Every endpoint of the Service's slices, by pod name.
  std::map<std::string, discovery::Endpoint> endpoints() {
    std::map<std::string, discovery::Endpoint> out;
    for (const auto& s : slices())
      for (const auto& e : s.endpoints()) out[e.target_ref().name()] = e;
    return out;
  }
  bool running(const std::string& name) {
    auto p = api_->get<core::Pod>("default", name);
    return p.status().phase() == "Running" && !p.status().pod_ip().empty();
  }

  test::NatsServer nats_;
  test::PluginNode node_{nats_, kPlugins};
  std::unique_ptr<sdk::ApiClient> api_;
  std::unique_ptr<test::FakeKubelet> kubelet_;
};

std::string conditions(const discovery::Endpoint& e) {
  const auto& c = e.conditions();
  return std::string(c.ready() ? "r" : "-") + (c.serving() ? "s" : "-") + (c.terminating() ? "t" : "-");
}

TEST_F(EndpointSlices, FollowPodsReadinessZonesAndTerminationAndGoWithTheirService) {
  for (const auto& p : {pod("a"), pod("b"), pod("held", true)}) api_->create(p);
  auto svc = api_->create(service());
  ASSERT_TRUE(test::wait_until([&] { return running("a") && running("b") && running("held"); }, 20s));

  // Three pods, two per slice: two slices, every endpoint not ready yet.
  ASSERT_TRUE(test::wait_until([&] { return endpoints().size() == 3; }, 10s));
  auto all = slices();
  ASSERT_EQ(all.size(), 2u);
  for (const auto& s : all) {
    EXPECT_EQ(s.address_type(), "IPv4");
    EXPECT_EQ(s.metadata().name().rfind("shop-", 0), 0u) << s.metadata().name();
    EXPECT_EQ(s.metadata().labels().at("endpointslice.kubernetes.io/managed-by"), "endpointslice-controller.k8s.io");
    ASSERT_EQ(s.metadata().owner_references_size(), 1);
    EXPECT_EQ(s.metadata().owner_references(0).uid(), svc.metadata().uid());
    EXPECT_TRUE(s.metadata().owner_references(0).controller());
    ASSERT_EQ(s.ports_size(), 1);
    EXPECT_EQ(s.ports(0).name(), "web");
    EXPECT_EQ(s.ports(0).port(), 8080) << "the named targetPort, resolved";
    EXPECT_EQ(s.ports(0).protocol(), "TCP");
  }
  for (const auto& [name, e] : endpoints()) {
    EXPECT_EQ(conditions(e), "---") << name;
    EXPECT_EQ(e.addresses(0), api_->get<core::Pod>("default", name).status().pod_ip());
    EXPECT_EQ(e.node_name(), api_->get<core::Pod>("default", name).spec().node_name());
  }
  EXPECT_EQ(api_->get<core::Endpoints>("default", "shop").subsets_size(), 1) << "Endpoints stay for old clients";

  // Readiness, then a zone on one node.
  kubelet_->set_ready("default", "a", true);
  kubelet_->set_ready("default", "held", true);
  ASSERT_TRUE(test::wait_until([&] {
    auto e = endpoints();
    return conditions(e["a"]) == "rs-" && conditions(e["held"]) == "rs-" && conditions(e["b"]) == "---";
  }, 10s));
  const std::string zoned = api_->get<core::Pod>("default", "a").spec().node_name();
  change<core::Node>(*api_, "", zoned, [](core::Node& n) {
    (*n.mutable_metadata()->mutable_labels())["topology.kubernetes.io/zone"] = "zone-1";
  });
  // Every endpoint on that node gets it (other pods may share it): wait for all, so no write
  // is still on its way when the generations are taken below.
  ASSERT_TRUE(test::wait_until([&] {
    for (const auto& [name, e] : endpoints())
      if (e.node_name() == zoned && e.zone() != "zone-1") return false;
    return endpoints()["a"].zone() == "zone-1";
  }, 10s));

  // An event that changes nothing in the slices writes nothing: the next real change is the
  // slice's next generation.
  std::map<std::string, std::int64_t> generations;
  for (const auto& s : slices()) generations[s.metadata().name()] = s.metadata().generation();
  change<core::Pod>(*api_, "default", "b", [](core::Pod& p) { (*p.mutable_metadata()->mutable_annotations())["note"] = "x"; });
  kubelet_->set_ready("default", "b", true);
  ASSERT_TRUE(test::wait_until([&] { return conditions(endpoints()["b"]) == "rs-"; }, 10s));
  int rewritten = 0;
  for (const auto& s : slices()) {
    auto before = generations.at(s.metadata().name());
    EXPECT_LE(s.metadata().generation(), before + 1) << s.metadata().name();
    rewritten += s.metadata().generation() != before;
  }
  EXPECT_EQ(rewritten, 1) << "only the slice holding b";

  // A deleted pod stays listed as terminating (serving, not ready) until it is gone.
  api_->erase<core::Pod>("default", "held");
  ASSERT_TRUE(test::wait_until([&] { return conditions(endpoints()["held"]) == "-st"; }, 10s));
  change<core::Pod>(*api_, "default", "held", [](core::Pod& p) { p.mutable_metadata()->clear_finalizers(); });
  ASSERT_TRUE(test::wait_until([&] {
    auto e = endpoints();
    return e.size() == 2 && !e.count("held");
  }, 10s));

  // The Service goes: the garbage collector removes its slices.
  api_->erase<core::Service>("default", "shop");
  ASSERT_TRUE(test::wait_until([&] { return slices().empty(); }, 15s));
}

TEST_F(EndpointSlices, AServiceWithoutPodsHasOneEmptySliceAndLosingTheSelectorRemovesIt) {
  api_->create(service());
  ASSERT_TRUE(test::wait_until([&] { return slices().size() == 1; }, 10s));
  EXPECT_EQ(slices()[0].endpoints_size(), 0);
  EXPECT_EQ(slices()[0].ports_size(), 0);
  change<core::Service>(*api_, "default", "shop", [](core::Service& s) { s.mutable_spec()->clear_selector(); });
  ASSERT_TRUE(test::wait_until([&] { return slices().empty(); }, 10s));
}

TEST_F(EndpointSlices, ASliceRemovedByHandComesBack) {
  api_->create(pod("a"));
  api_->create(service());
  ASSERT_TRUE(test::wait_until([&] { return endpoints().size() == 1; }, 20s));
  auto first = slices().at(0);
  api_->erase<discovery::EndpointSlice>("default", first.metadata().name());
  ASSERT_TRUE(test::wait_until([&] {
    auto now = slices();
    return now.size() == 1 && now[0].metadata().name() != first.metadata().name() && now[0].endpoints_size() == 1;
  }, 10s));
}

}  // namespace
