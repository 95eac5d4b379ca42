// `skiffd join-secrets`: exactly what every master shares is copied; a first master that never
// ran is refused with the fix; a changed CA takes this master's old serving certificate away.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "commands.hpp"
#include "temp_dir.hpp"

namespace {

using namespace skiff;
namespace fs = std::filesystem;

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// What a first master holds after its first start.
void first_master(const fs::path& dir) {
  write(dir / "bus/token", "master-password\n");
  write(dir / "bus/route-token", "route-password\n");
  write(dir / "bus/users/worker-1", "worker-password\n");
  write(dir / "bus/nats.conf", "its own config\n");
  write(dir / "plugins/apiserver/pki/ca.crt", "ca\n");
  write(dir / "plugins/apiserver/pki/ca.key", "ca key\n");
  write(dir / "plugins/apiserver/pki/service-account.key", "sa key\n");
  write(dir / "plugins/apiserver/pki/apiserver.crt", "master-1's own serving certificate\n");
  write(dir / "plugins/apiserver/tokens.csv", "token,admin\n");
  write(dir / "plugins/store-lmdb/data.mdb", "its state\n");
  fs::permissions(dir / "plugins/apiserver/pki/ca.key", fs::perms::owner_read | fs::perms::owner_write);
}

TEST(JoinSecrets, CopiesWhatIsSharedAndNothingElse) {
  test::TempDir from, to;
  first_master(from.path());
  ASSERT_EQ(kernel::join_secrets_command(from.path(), to.path()), 0);
  fs::path t(to.path());
  EXPECT_EQ(read(t / "bus/token"), "master-password\n");
  EXPECT_EQ(read(t / "bus/route-token"), "route-password\n");
  EXPECT_EQ(read(t / "bus/users/worker-1"), "worker-password\n");
  EXPECT_EQ(read(t / "plugins/apiserver/pki/ca.key"), "ca key\n");
  EXPECT_EQ(read(t / "plugins/apiserver/pki/service-account.key"), "sa key\n");
  EXPECT_EQ(read(t / "plugins/apiserver/tokens.csv"), "token,admin\n");
  EXPECT_FALSE(fs::exists(t / "bus/nats.conf")) << "each master writes its own";
  EXPECT_FALSE(fs::exists(t / "plugins/apiserver/pki/apiserver.crt")) << "each apiserver issues its own";
  EXPECT_FALSE(fs::exists(t / "plugins/store-lmdb")) << "state is not a secret";
  EXPECT_EQ(fs::status(t / "plugins/apiserver/pki/ca.key").permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(fs::status(t / "bus").permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(kernel::join_secrets_command(from.path(), to.path()), 0) << "again: nothing to do, no error";
}

TEST(JoinSecrets, ANewCaTakesTheOldServingCertificateAway) {
  test::TempDir from, to;
  first_master(from.path());
  fs::path t(to.path());
  write(t / "plugins/apiserver/pki/ca.key", "another cluster's CA key\n");
  write(t / "plugins/apiserver/pki/apiserver.crt", "signed by the other CA\n");
  write(t / "plugins/apiserver/pki/apiserver.key", "its key\n");
  ASSERT_EQ(kernel::join_secrets_command(from.path(), to.path()), 0);
  EXPECT_FALSE(fs::exists(t / "plugins/apiserver/pki/apiserver.crt"));
  EXPECT_FALSE(fs::exists(t / "plugins/apiserver/pki/apiserver.key"));
}

TEST(JoinSecrets, AFirstMasterThatNeverRanIsRefusedWithTheFix) {
  test::TempDir from, to;
  write(fs::path(from.path()) / "bus/token", "master-password\n");
  testing::internal::CaptureStderr();
  EXPECT_EQ(kernel::join_secrets_command(from.path(), to.path()), 1);
  std::string error = testing::internal::GetCapturedStderr();
  EXPECT_NE(error.find("route-token"), std::string::npos) << error;
  EXPECT_NE(error.find("bus.cluster_port"), std::string::npos) << error;
  EXPECT_FALSE(fs::exists(fs::path(to.path()) / "bus/token")) << "nothing copied half way";
}

TEST(JoinSecrets, TheSameDirectoryIsRefused) {
  test::TempDir dir;
  first_master(dir.path());
  testing::internal::CaptureStderr();
  EXPECT_EQ(kernel::join_secrets_command(dir.path(), dir.path()), 1);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("the same directory"), std::string::npos);
}

}  // namespace
