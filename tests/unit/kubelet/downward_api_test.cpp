// The downward API's values as Kubernetes' kubelet computes them: every fieldRef path, the
// whole-map form of labels and annotations (Go-quoted), and resourceFieldRef with
// containerName, divisors rounded up and the node's allocatable for a limit not set.
#include <gtest/gtest.h>

#include "downward_api.hpp"
#include "skiff/sdk/status.hpp"

namespace {

using namespace skiff;
using namespace skiff::kubelet;
namespace core = api::core::v1;

core::Pod sample_pod() {
  core::Pod pod;
  auto* meta = pod.mutable_metadata();
  meta->set_name("web-1");
  meta->set_namespace_("shop");
  meta->set_uid("0b5d8c1e-uid");
  (*meta->mutable_labels())["app"] = "web";
  (*meta->mutable_labels())["tier"] = "front";
  (*meta->mutable_annotations())["owner"] = "team \"blue\"";
  pod.mutable_spec()->set_node_name("node-a");
  pod.mutable_spec()->set_service_account_name("builder");
  auto* main = pod.mutable_spec()->add_containers();
  main->set_name("main");
  (*main->mutable_resources()->mutable_limits())["cpu"] = "1500m";
  (*main->mutable_resources()->mutable_limits())["memory"] = "64Mi";
  (*main->mutable_resources()->mutable_requests())["cpu"] = "250m";
  (*main->mutable_resources()->mutable_requests())["memory"] = "100M";
  pod.mutable_spec()->add_containers()->set_name("unlimited");
  auto* init = pod.mutable_spec()->add_init_containers();
  init->set_name("setup");
  (*init->mutable_resources()->mutable_limits())["memory"] = "1Gi";
  return pod;
}

const DownwardContext kContext{{"192.168.1.10", "fd00::10"}, {"10.244.0.7", "fd00:244::7"}, {{"cpu", "4"}, {"memory", "8Gi"}}};

std::string field(const core::Pod& pod, const std::string& path, const std::string& api_version = "v1") {
  core::ObjectFieldSelector selector;
  selector.set_api_version(api_version);
  selector.set_field_path(path);
  return field_ref_value(pod, selector, kContext);
}

std::string resource(const core::Pod& pod, const std::string& which, const std::string& divisor = "",
                     const std::string& container_name = "") {
  core::ResourceFieldSelector selector;
  selector.set_resource(which);
  selector.set_divisor(divisor);
  selector.set_container_name(container_name);
  return resource_field_value(pod, &pod.spec().containers(0), selector, kContext);
}

// The message of the CreateContainerConfigError `compute` throws, "" when it throws none.
template <class Compute>
std::string config_error(Compute compute) {
  try {
    compute();
  } catch (const sdk::Error& e) {
    EXPECT_EQ(e.status().reason, "CreateContainerConfigError");
    return e.status().message;
  }
  return "";
}

TEST(DownwardApiFields, EveryPathKubernetesOffers) {
  auto pod = sample_pod();
  EXPECT_EQ(field(pod, "metadata.name"), "web-1");
  EXPECT_EQ(field(pod, "metadata.namespace"), "shop");
  EXPECT_EQ(field(pod, "metadata.uid"), "0b5d8c1e-uid");
  EXPECT_EQ(field(pod, "spec.nodeName"), "node-a");
  EXPECT_EQ(field(pod, "spec.host"), "node-a") << "v1's old name for spec.nodeName";
  EXPECT_EQ(field(pod, "spec.serviceAccountName"), "builder");
  EXPECT_EQ(field(pod, "status.hostIP"), "192.168.1.10");
  EXPECT_EQ(field(pod, "status.hostIPs"), "192.168.1.10,fd00::10");
  EXPECT_EQ(field(pod, "status.podIP"), "10.244.0.7") << "the sandbox's, not the status the pod has yet";
  EXPECT_EQ(field(pod, "status.podIPs"), "10.244.0.7,fd00:244::7");
  EXPECT_EQ(field(pod, "metadata.labels['app']"), "web");
  EXPECT_EQ(field(pod, "metadata.labels['missing']"), "") << "a key the pod lacks reads empty";
  EXPECT_EQ(field(pod, "metadata.annotations['owner']"), "team \"blue\"");
  EXPECT_EQ(field(pod, "metadata.name", ""), "web-1") << "no apiVersion (stored before defaulting): v1";
}

TEST(DownwardApiFields, WholeMapsAreKeyEqualsQuotedValueLines) {
  auto pod = sample_pod();
  EXPECT_EQ(field(pod, "metadata.labels"), "app=\"web\"\ntier=\"front\"");
  EXPECT_EQ(field(pod, "metadata.annotations"), "owner=\"team \\\"blue\\\"\"");
  pod.mutable_metadata()->clear_annotations();
  EXPECT_EQ(field(pod, "metadata.annotations"), "");
}

TEST(DownwardApiFields, ValuesAreQuotedAsGoQuotesThem) {
  core::Pod pod;
  auto& a = *pod.mutable_metadata()->mutable_annotations();
  a["a-escapes"] = "tab\tline\nback\\slash\x01\x7f";
  a["b-unicode"] = "caf\xc3\xa9 \xe2\x82\xac";                   // printable: kept as UTF-8
  a["c-unprintable"] = "nb\xc2\xa0sp \xe2\x80\xa8 \xef\xbb\xbf";  // no-break space, line separator, BOM
  a["d-not-utf8"] = "\xff\xfe";
  EXPECT_EQ(format_map(a),
            "a-escapes=\"tab\\tline\\nback\\\\slash\\x01\\x7f\"\n"
            "b-unicode=\"caf\xc3\xa9 \xe2\x82\xac\"\n"
            "c-unprintable=\"nb\\u00a0sp \\u2028 \\ufeff\"\n"
            "d-not-utf8=\"\\xff\\xfe\"");
}

TEST(DownwardApiFields, PathsKubernetesDoesNotOfferAreConfigErrors) {
  auto pod = sample_pod();
  EXPECT_EQ(config_error([&] { field(pod, "spec.nothing"); }), "unsupported fieldPath: spec.nothing");
  EXPECT_EQ(config_error([&] { field(pod, "metadata.name['x']"); }),
            "fieldPath \"metadata.name['x']\" does not support subscript");
  EXPECT_EQ(config_error([&] { field(pod, "metadata.name", "v2"); }), "unsupported pod version: v2");
}

TEST(DownwardApiResources, CpuIsRoundedUpToTheDivisor) {
  auto pod = sample_pod();
  EXPECT_EQ(resource(pod, "limits.cpu"), "2") << "1500m in cores, rounded up";
  EXPECT_EQ(resource(pod, "limits.cpu", "1"), "2");
  EXPECT_EQ(resource(pod, "limits.cpu", "1m"), "1500");
  EXPECT_EQ(resource(pod, "limits.cpu", "0"), "2") << "a zero divisor is 1";
  EXPECT_EQ(resource(pod, "requests.cpu"), "1") << "250m is one core, rounded up";
  EXPECT_EQ(resource(pod, "requests.cpu", "1m"), "250");
}

TEST(DownwardApiResources, MemoryIsRoundedUpToTheDivisor) {
  auto pod = sample_pod();
  EXPECT_EQ(resource(pod, "limits.memory"), std::to_string(64 << 20));
  EXPECT_EQ(resource(pod, "limits.memory", "1Mi"), "64");
  EXPECT_EQ(resource(pod, "limits.memory", "1Ki"), std::to_string(64 << 10));
  EXPECT_EQ(resource(pod, "limits.memory", "1M"), "68") << "67108864 / 10^6, rounded up";
  EXPECT_EQ(resource(pod, "limits.memory", "1Gi"), "1");
  EXPECT_EQ(resource(pod, "requests.memory", "1Mi"), "96") << "100M / 1Mi = 95.37, rounded up";
}

TEST(DownwardApiResources, ALimitNotSetIsTheNodesAllocatableARequestNotSetIsZero) {
  auto pod = sample_pod();
  EXPECT_EQ(resource(pod, "limits.cpu", "", "unlimited"), "4");
  EXPECT_EQ(resource(pod, "limits.cpu", "1m", "unlimited"), "4000");
  EXPECT_EQ(resource(pod, "limits.memory", "1Mi", "unlimited"), "8192");
  EXPECT_EQ(resource(pod, "requests.cpu", "", "unlimited"), "0");
  EXPECT_EQ(resource(pod, "requests.memory", "", "unlimited"), "0");
  EXPECT_EQ(resource(pod, "limits.ephemeral-storage", "", "unlimited"), "0") << "the node reports none";
  (*pod.mutable_spec()->mutable_containers(1)->mutable_resources()->mutable_limits())["cpu"] = "0";
  EXPECT_EQ(resource(pod, "limits.cpu", "", "unlimited"), "4") << "a zero limit is no limit";
}

TEST(DownwardApiResources, ContainerNameChoosesAnyContainerOfThePod) {
  auto pod = sample_pod();
  EXPECT_EQ(resource(pod, "limits.memory", "1Mi", "setup"), "1024") << "init containers too";
  (*pod.mutable_spec()->mutable_containers(1)->mutable_resources()->mutable_limits())["hugepages-2Mi"] = "4Mi";
  EXPECT_EQ(resource(pod, "limits.hugepages-2Mi", "1Mi", "unlimited"), "4");
  EXPECT_EQ(config_error([&] { resource(pod, "limits.cpu", "", "nowhere"); }), "container nowhere not found");
  EXPECT_EQ(config_error([&] { resource(pod, "limits.gpu"); }), "unsupported container resource : limits.gpu");
  core::ResourceFieldSelector unnamed;
  unnamed.set_resource("limits.cpu");
  EXPECT_EQ(config_error([&] { resource_field_value(pod, nullptr, unnamed, kContext); }),
            "resourceFieldRef limits.cpu names no container");
}

}  // namespace
