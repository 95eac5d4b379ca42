// The bundle's config.json: Kubernetes' command/args over the image's entrypoint/cmd, the
// environment, users from the image's /etc/passwd, limits, mounts and the sandbox's namespaces.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <filesystem>
#include <fstream>

#include "oci_spec.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace {

using namespace skiff::runc;
namespace rt = skiff::runtime::v1;
namespace json = boost::json;
using Strings = std::vector<std::string>;

ImageConfig image() {
  ImageConfig i;
  i.entrypoint = {"/entry"};
  i.cmd = {"serve", "--port=80"};
  i.env = {"PATH=/opt/bin", "MODE=image"};
  return i;
}

TEST(ContainerArgs, CombineAsKubernetesDoes) {
  rt::ContainerConfig c;
  EXPECT_EQ(container_args(c, image()), (Strings{"/entry", "serve", "--port=80"}));
  c.add_args("check");
  EXPECT_EQ(container_args(c, image()), (Strings{"/entry", "check"})) << "args replace cmd";
  c.add_command("/bin/sh");
  EXPECT_EQ(container_args(c, image()), (Strings{"/bin/sh", "check"})) << "command replaces the entrypoint";
  EXPECT_THROW(container_args(rt::ContainerConfig{}, ImageConfig{}), skiff::sdk::Error);
}

TEST(ContainerEnv, PodOverridesImageAndPathIsKept) {
  rt::ContainerConfig c;
  auto* kv = c.add_env();
  kv->set_key("MODE");
  kv->set_value("pod");
  auto env = container_env(c, image(), "web-0");
  EXPECT_EQ(env, (Strings{"PATH=/opt/bin", "MODE=pod", "HOSTNAME=web-0"}));
  auto defaulted = container_env(rt::ContainerConfig{}, ImageConfig{}, "");
  ASSERT_EQ(defaulted.size(), 1u);
  EXPECT_EQ(defaulted[0].rfind("PATH=/usr/local/sbin", 0), 0u);
}

TEST(ResolveUser, NumbersAndNamesFromTheRootfs) {
  skiff::test::TempDir root;
  std::filesystem::create_directories(root.file("etc"));
  std::ofstream(root.file("etc/passwd")) << "root:x:0:0::/root:/bin/sh\nwww:x:33:34::/var/www:/bin/false\n";
  std::ofstream(root.file("etc/group")) << "root:x:0:\nstaff:x:50:\n";
  EXPECT_EQ(resolve_user("", root.path()), (std::pair<unsigned, unsigned>{0, 0}));
  EXPECT_EQ(resolve_user("1000", root.path()), (std::pair<unsigned, unsigned>{1000, 0}));
  EXPECT_EQ(resolve_user("1000:7", root.path()), (std::pair<unsigned, unsigned>{1000, 7}));
  EXPECT_EQ(resolve_user("www", root.path()), (std::pair<unsigned, unsigned>{33, 34}));
  EXPECT_EQ(resolve_user("www:staff", root.path()), (std::pair<unsigned, unsigned>{33, 50}));
  EXPECT_THROW(resolve_user("nobody-here", root.path()), skiff::sdk::Error);
}

TEST(ContainerSpec, LimitsMountsAndNamespaces) {
  rt::ContainerConfig c;
  c.add_command("sleep");
  c.set_cpu_limit_millis(500);
  c.set_cpu_request_millis(250);
  c.set_memory_limit_bytes(64 << 20);
  auto* m = c.add_mounts();
  m->set_host_path("/var/lib/kubelet/pods/x/volumes/data");
  m->set_container_path("/data");
  m->set_read_only(true);
  ImageConfig i = image();
  ContainerSpecInputs in{&c, &i, {"/s/net", "/s/uts", "/s/ipc"}, "pod", "/nonexistent", "/skiff-runc/abc"};
  auto spec = json::parse(container_spec(in)).as_object();
  const auto& linux = spec.at("linux").as_object();
  EXPECT_EQ(linux.at("cgroupsPath").as_string(), "/skiff-runc/abc");
  const auto& cpu = linux.at("resources").at("cpu").as_object();
  EXPECT_EQ(cpu.at("quota").to_number<std::int64_t>(), 50000);
  EXPECT_EQ(cpu.at("period").to_number<std::int64_t>(), 100000);
  EXPECT_EQ(cpu.at("shares").to_number<std::int64_t>(), 256);
  EXPECT_EQ(linux.at("resources").at("memory").at("limit").to_number<std::int64_t>(), 64 << 20);
  std::string namespaces = json::serialize(linux.at("namespaces"));
  EXPECT_NE(namespaces.find(R"({"type":"network","path":"/s/net"})"), std::string::npos) << namespaces;
  EXPECT_NE(namespaces.find(R"({"type":"ipc","path":"/s/ipc"})"), std::string::npos) << namespaces;
  std::string mounts = json::serialize(spec.at("mounts"));
  EXPECT_NE(mounts.find(R"("destination":"/data","type":"bind","source":"/var/lib/kubelet/pods/x/volumes/data","options":["rbind","rprivate","ro"])"),
            std::string::npos)
      << mounts;
  ContainerSpecInputs host = in;
  host.sandbox = {"", "", "/s/ipc"};
  std::string host_namespaces = json::serialize(json::parse(container_spec(host)).at("linux").at("namespaces"));
  EXPECT_EQ(host_namespaces.find("network"), std::string::npos) << "hostNetwork pods stay in the node's";
  EXPECT_NE(namespaces.find(R"({"type":"pid"})"), std::string::npos) << "each container its own PID namespace";
  ContainerSpecInputs node = in;
  node.host_pid = true;
  node.host_ipc = true;
  std::string node_namespaces = json::serialize(json::parse(container_spec(node)).at("linux").at("namespaces"));
  EXPECT_EQ(node_namespaces.find("pid"), std::string::npos) << "hostPID: the node's processes";
  EXPECT_EQ(node_namespaces.find("ipc"), std::string::npos) << "hostIPC: the node's IPC";
  EXPECT_NE(node_namespaces.find("mount"), std::string::npos) << node_namespaces;
}

}  // namespace

namespace {

TEST(ContainerSpec, SecurityContextCapabilitiesReadOnlyRootAndUser) {
  rt::ContainerConfig c;
  c.set_name("secure");
  c.add_command("sleep");
  EXPECT_EQ(container_capabilities(c).size(), 14u) << "Docker's defaults";
  c.add_capabilities_drop("ALL");
  c.add_capabilities_add("net_bind_service");
  EXPECT_EQ(container_capabilities(c), (Strings{"CAP_NET_BIND_SERVICE"}));
  c.set_read_only_root(true);
  c.set_run_as_user(1000);
  c.set_no_new_privileges(true);
  ImageConfig i;
  ContainerSpecInputs in{&c, &i, {"", "", "/s/ipc"}, "pod", "/nonexistent", "/skiff-runc/abc"};
  auto spec = json::parse(container_spec(in)).as_object();
  EXPECT_TRUE(spec.at("root").at("readonly").as_bool());
  EXPECT_EQ(spec.at("process").at("user").at("uid").to_number<int>(), 1000);
  EXPECT_EQ(spec.at("process").at("user").at("gid").to_number<int>(), 0);
  EXPECT_TRUE(spec.at("process").at("noNewPrivileges").as_bool());
  EXPECT_EQ(json::serialize(spec.at("process").at("capabilities").at("bounding")), R"(["CAP_NET_BIND_SERVICE"])");
  rt::ContainerConfig unknown;
  unknown.add_capabilities_add("NOT_A_CAPABILITY");
  EXPECT_THROW(container_capabilities(unknown), skiff::sdk::Error);
}

}  // namespace
