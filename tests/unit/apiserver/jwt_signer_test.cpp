#include "jwt_signer.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "temp_dir.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;

TEST(Base64Url, RoundTripsEveryLengthWithoutPadding) {
  std::string bytes;
  for (int i = 0; i < 40; ++i) {
    std::string encoded = base64url_encode(bytes);
    EXPECT_EQ(encoded.find_first_of("+/="), std::string::npos) << encoded;
    EXPECT_EQ(base64url_decode(encoded), bytes);
    bytes += static_cast<char>(i * 37 + 250);
  }
  EXPECT_EQ(base64url_encode("\xfb\xff"), "-_8");
  EXPECT_FALSE(base64url_decode("a+b"));
}

TEST(JwtSigner, SignsAndVerifiesWithTheKeyItKeepsOnDisk) {
  test::TempDir dir;
  std::string path = dir.file("sa.key");
  auto signer = JwtSigner::load_or_create(path);
  EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::string token = signer.sign(json::object{{"sub", "system:serviceaccount:default:robot"}, {"exp", 1}});
  auto claims = signer.verify(token);
  ASSERT_TRUE(claims);
  EXPECT_EQ(claims->at("sub").as_string(), "system:serviceaccount:default:robot");
  auto again = JwtSigner::load_or_create(path);  // the same key after a restart
  EXPECT_EQ(again.key_id(), signer.key_id());
  EXPECT_TRUE(again.verify(token));
  EXPECT_EQ(signer.jwks().at("keys").as_array().at(0).at("kid").as_string(), signer.key_id());
}

TEST(JwtSigner, RefusesTokensItDidNotSignOrThatWereChanged) {
  test::TempDir dir;
  auto signer = JwtSigner::load_or_create(dir.file("a.key"));
  auto other = JwtSigner::load_or_create(dir.file("b.key"));
  std::string token = signer.sign(json::object{{"sub", "a"}});
  EXPECT_FALSE(other.verify(token));
  std::string changed = token;
  auto dot = changed.find('.');
  changed.replace(dot + 1, changed.find('.', dot + 1) - dot - 1, base64url_encode(R"({"sub":"b"})"));
  EXPECT_FALSE(signer.verify(changed));
  std::string none = base64url_encode(R"({"alg":"none"})") + "." + base64url_encode(R"({"sub":"a"})") + ".";
  EXPECT_FALSE(signer.verify(none));
  EXPECT_FALSE(signer.verify("garbage"));
  EXPECT_FALSE(signer.verify("a.b.c.d"));
}

TEST(JwtSigner, NamesAKeyFileItCannotRead) {
  test::TempDir dir;
  std::string path = dir.file("broken.key");
  { std::ofstream(path) << "not a key\n"; }
  try {
    JwtSigner::load_or_create(path);
    FAIL() << "accepted a broken key";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace skiff::apiserver
