// What runtime-runc's tests need beside the runtime: the prerequisites (root, runc, overlayfs),
// the busybox image as a `docker save` archive built from busybox-static with no registry
// (scripts/image-archive.sh), and a real registry on 127.0.0.1 — Debian's docker-registry with a
// config file of the test's own, a free port and storage in a temp dir — that skopeo pushes to.
#pragma once

#include <memory>
#include <string>

#include "skiff/testing/process.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace skiff::test {

// "" when runtime-runc can run here; else what is missing (for GTEST_SKIP).
std::string runc_missing_prerequisite();
// "" when a registry can be started and pushed to (docker-registry, skopeo); else what is missing.
std::string registry_missing_prerequisite();

// skiff/busybox:1 (CMD /bin/sh; busybox's applets, /www/index.html) as a docker-save archive,
// built once per test process in a temp file removed at exit.
const std::string& busybox_image_archive();

class TestRegistry {
 public:
  // Starts docker-registry and waits until /v2/ answers. Throws std::runtime_error with its log.
  // `auth_config`: an `auth:` block for its config (a token server's); "" for none.
  explicit TestRegistry(const std::string& auth_config = "");
  ~TestRegistry();

  // "127.0.0.1:<port>"
  const std::string& host() const { return host_; }
  // skopeo copy --all <source> docker://<host>/<name>; source as skopeo names it
  // ("docker-archive:/x.tar", "oci:/dir:tag"). Throws std::runtime_error with skopeo's output.
  void push(const std::string& source, const std::string& name) const;
  // The blob files of the registry's storage (to corrupt one on purpose).
  std::string storage() const { return dir_.path() + "/storage"; }

 private:
  // false when docker-registry exited (its port was taken); throws when it neither exits nor answers.
  bool start_on(int port, const std::string& auth_config);

  TempDir dir_;
  std::string host_;
  std::unique_ptr<ChildProcess> process_;
};

// Writes an OCI image layout in `dir` holding one index (annotated with ref name `tag`) with a linux/amd64 and a
// linux/arm64 manifest over busybox's layer; the arm64 config's Cmd prints "arm64", the amd64
// one's "amd64", so a test sees which one ran.
void write_multi_platform_layout(const std::string& dir, const std::string& tag);

}  // namespace skiff::test
