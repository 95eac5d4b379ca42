// TLS termination: two hosts on one port told apart by SNI, the default certificate for other
// names, X-Forwarded-Proto https, and plain HTTP redirected (308) to https for TLS hosts.
#include <gtest/gtest.h>

#include "proxy_lab.hpp"
#include "temp_dir.hpp"
#include "test_certificates.hpp"
#include "test_client.hpp"

namespace skiff::ingress::test {
namespace {

namespace http = boost::beast::http;

class IngressProxyTls : public ProxyLab {
 protected:
  void SetUp() override {
    one_ = make_certificate(directory_.path(), "one.test");
    two_ = make_certificate(directory_.path(), "two.test");
    fallback_ = make_certificate(directory_.path(), "default.test");
    start([&](ProxyConfig& config) { config.default_certificate = fallback_; });
  }

  IngressValues tls_ingress(const std::string& name, const std::string& host, const TlsCertificate& certificate,
                            const TestBackend& server) {
    IngressValues ingress = simple_ingress(name, host, {{"/", backend_of(name, server)}});
    ingress.tls.push_back({{host}, certificate});
    return ingress;
  }

  skiff::test::TempDir directory_;
  TlsCertificate one_, two_, fallback_;
};

TEST_F(IngressProxyTls, ChoosesTheCertificateBySni) {
  TestBackend first("first"), second("second");
  set_routes({tls_ingress("one", "one.test", one_, first), tls_ingress("two", "two.test", two_, second)});
  TlsResponse to_one = https_get(https_port(), "one.test", "one.test", "/");
  EXPECT_EQ(to_one.certificate_subject, "one.test");
  EXPECT_TRUE(to_one.response.body().starts_with("first ")) << to_one.response.body();
  EXPECT_NE(to_one.response.body().find("X-Forwarded-Proto: https\n"), std::string::npos) << to_one.response.body();
  TlsResponse to_two = https_get(https_port(), "TWO.test", "two.test", "/");
  EXPECT_EQ(to_two.certificate_subject, "two.test");
  EXPECT_TRUE(to_two.response.body().starts_with("second ")) << to_two.response.body();
  EXPECT_EQ(https_get(https_port(), "", "one.test", "/").certificate_subject, "default.test");
  EXPECT_EQ(https_get(https_port(), "unknown.test", "one.test", "/").certificate_subject, "default.test");
}

TEST_F(IngressProxyTls, CertificatesFollowTheRouteTable) {
  TestBackend first("first");
  set_routes({simple_ingress("one", "one.test", {{"/", backend_of("one", first)}})});
  EXPECT_EQ(https_get(https_port(), "one.test", "one.test", "/").certificate_subject, "default.test");
  set_routes({tls_ingress("one", "one.test", one_, first)});
  EXPECT_EQ(https_get(https_port(), "one.test", "one.test", "/").certificate_subject, "one.test");
}

TEST_F(IngressProxyTls, RefusedCertificatesAreReported) {
  TestBackend first("first");
  IngressValues ingress = tls_ingress("one", "one.test", {one_.certificate_pem, two_.private_key_pem}, first);
  auto problems = proxy_->set_routes(std::make_shared<const RouteTable>(std::vector{ingress}));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].find("private key"), std::string::npos) << problems[0];
  EXPECT_EQ(https_get(https_port(), "one.test", "one.test", "/").certificate_subject, "default.test");
}

TEST_F(IngressProxyTls, PlainHttpToATlsHostIsRedirected) {
  TestBackend first("first"), second("second");
  IngressValues no_redirect = tls_ingress("two", "two.test", two_, second);
  no_redirect.options.ssl_redirect = false;
  set_routes({tls_ingress("one", "one.test", one_, first), no_redirect,
              simple_ingress("plain", "plain.test", {{"/", backend_of("plain", first)}})});
  TestClient client(http_port());
  Response redirected = client.get("one.test", "/a/b?c=d");
  EXPECT_EQ(redirected.result_int(), 308);
  EXPECT_EQ(redirected[http::field::location], "https://one.test:" + std::to_string(https_port()) + "/a/b?c=d");
  EXPECT_EQ(client.get("two.test", "/").result_int(), 200);
  EXPECT_EQ(client.get("plain.test", "/").result_int(), 200);
  EXPECT_EQ(first.requests_served(), 1u);  // only plain.test's
}

}  // namespace
}  // namespace skiff::ingress::test
