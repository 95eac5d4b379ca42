// Prerequisites, the busybox archive, a real registry and a multi-platform layout for runtime-runc's tests.
#include "runc_lab.hpp"

#include <openssl/evp.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "command.hpp"
#include "skiff/testing/wait.hpp"

namespace skiff::test {

namespace fs = std::filesystem;

namespace {

std::string sha256_hex(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &size, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < size; ++i) out += {hex[digest[i] >> 4], hex[digest[i] & 15]};
  return out;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Runs a shell snippet with scripts/image-archive.sh sourced; $1 is `arg`.
void image_script(const std::string& snippet, const std::string& arg) {
  std::string script = ". '" + std::string(SKIFF_SOURCE_DIR) + "/scripts/image-archive.sh' && " + snippet;
  auto r = run_command({"/bin/bash", "-c", script, "image-script", arg}, {}, std::chrono::seconds(120));
  if (r.exit_code != 0) throw std::runtime_error("building a test image: " + r.both());
}

// The blob `bytes` in the layout; its descriptor's digest and size as JSON members.
std::string add_blob(const std::string& dir, const std::string& bytes) {
  std::string hex = sha256_hex(bytes);
  write_text(dir + "/blobs/sha256/" + hex, bytes);
  return "\"digest\":\"sha256:" + hex + "\",\"size\":" + std::to_string(bytes.size());
}

// /v2/ answers: 200, or 401 when it wants a token.
bool answers(const std::string& host, int port) {
  auto r = run_command({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://" + host + ":" + std::to_string(port) + "/v2/"},
                       {}, std::chrono::seconds(5));
  return r.out == "200" || r.out == "401";
}

}  // namespace

std::string runc_missing_prerequisite() {
  if (::geteuid() != 0) return "runtime-runc needs root (namespaces, overlayfs, cgroups)";
  if (!fs::exists("/usr/sbin/runc")) return "/usr/sbin/runc is missing (apt-get install runc)";
  if (read_file("/proc/filesystems").find("overlay") == std::string::npos) return "the kernel has no overlayfs";
  if (!fs::exists("/bin/busybox")) return "/bin/busybox is missing (apt-get install busybox-static)";
  if (!fs::exists("/sys/fs/cgroup/memory")) return "runtime-runc reads cgroup v1 files; /sys/fs/cgroup/memory is missing";
  return "";
}

std::string registry_missing_prerequisite() {
  if (find_program("docker-registry").empty()) return "docker-registry is missing (apt-get install docker-registry)";
  if (find_program("skopeo").empty()) return "skopeo is missing (apt-get install skopeo)";
  if (find_program("curl").empty()) return "curl is missing";
  return "";
}

const std::string& busybox_image_archive() {
  static const std::string path = [] {
    std::string out = (fs::temp_directory_path() / ("skiff-busybox-" + std::to_string(::getpid()) + ".tar")).string();
    image_script("d=$(mktemp -d) && busybox_rootfs \"$d/rootfs\" && "
                 "image_archive \"$1\" skiff/busybox:1 \"$d/rootfs\" '{\"Cmd\":[\"/bin/sh\"]}' && rm -rf \"$d\"",
                 out);
    static std::string remove_at_exit = out;
    std::atexit([] { fs::remove(remove_at_exit); });
    return out;
  }();
  return path;
}

TestRegistry::TestRegistry(const std::string& auth_config) {
  fs::create_directories(storage());
  // free_port() only says a port is free now: a test running alongside may bind it first, and
  // then the registry exits at once. Start over on another port.
  for (int attempt = 0; attempt < 3; ++attempt)
    if (start_on(free_port(), auth_config)) return;
  throw std::runtime_error("docker-registry exited three times, each port taken? its last log: " +
                           read_file(dir_.file("registry.log")));
}

bool TestRegistry::start_on(int port, const std::string& auth_config) {
  host_ = "127.0.0.1:" + std::to_string(port);
  write_text(dir_.file("config.yml"), "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: " +
                                          storage() + "\n  delete:\n    enabled: true\nhttp:\n  addr: " + host_ + "\n" + auth_config);
  process_ = std::make_unique<ChildProcess>(
      SpawnSpec{{"docker-registry", "serve", dir_.file("config.yml")}, {}, "", dir_.file("registry.log"), ""});
  bool settled = wait_until([&] { return process_->wait(0ms) || answers("127.0.0.1", port); }, 20s, 50ms);
  if (process_->wait(0ms)) return false;  // exited: another process has the port
  if (!settled)
    throw std::runtime_error("docker-registry did not answer on " + host_ + ": " + read_file(dir_.file("registry.log")));
  return true;
}

TestRegistry::~TestRegistry() { process_->terminate(); }

void TestRegistry::push(const std::string& source, const std::string& name) const {
  auto r = run_command({"skopeo", "copy", "--quiet", "--all", "--dest-tls-verify=false", source, "docker://" + host_ + "/" + name},
                       {}, std::chrono::seconds(120));
  if (r.exit_code != 0) throw std::runtime_error("skopeo copy " + source + " to " + host_ + "/" + name + ": " + r.both());
}

void write_multi_platform_layout(const std::string& dir, const std::string& tag) {
  fs::create_directories(dir + "/blobs/sha256");
  std::string layer_file = dir + "/layer.tar";
  image_script("d=$(mktemp -d) && busybox_rootfs \"$d\" && tar --numeric-owner --owner=0 --group=0 -C \"$d\" -cf \"$1\" . "
               "&& rm -rf \"$d\"",
               layer_file);
  std::string layer = read_file(layer_file);
  fs::remove(layer_file);
  std::string layer_descriptor = add_blob(dir, layer);
  std::string manifests;
  for (const std::string arch : {"amd64", "arm64"}) {
    std::string config = "{\"architecture\":\"" + arch + "\",\"os\":\"linux\",\"config\":{\"Cmd\":[\"sh\",\"-c\",\"echo " +
                         arch + "\"]},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + sha256_hex(layer) +
                         "\"]}}";
    std::string manifest =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
        "\"application/vnd.oci.image.config.v1+json\"," +
        add_blob(dir, config) + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\"," +
        layer_descriptor + "}]}";
    manifests += std::string(manifests.empty() ? "" : ",") +
                 "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"," + add_blob(dir, manifest) +
                 ",\"platform\":{\"architecture\":\"" + arch + "\",\"os\":\"linux\"}}";
  }
  std::string index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[" +
                      manifests + "]}";
  write_text(dir + "/index.json",
             "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.index.v1+json\"," +
                 add_blob(dir, index) + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}}]}");
  write_text(dir + "/oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
}

}  // namespace skiff::test
