// `skiffd logs`' kubeconfig reader: the current context's server, CA, namespace and
// credentials, from *-data fields or files beside the kubeconfig; and its clear refusals.
#include <gtest/gtest.h>

#include <fstream>

#include "api_http_client.hpp"
#include "kubeconfig_reader.hpp"
#include "temp_dir.hpp"

namespace {

using namespace skiff;

void write(const std::string& path, const std::string& text) { std::ofstream(path) << text; }

TEST(KubeconfigReader, TheCurrentContextsClusterUserAndNamespace) {
  test::TempDir dir;
  write(dir.file("ca.crt"), "CA PEM");
  write(dir.file("token"), "file-token\n");
  const std::string body = R"(apiVersion: v1
kind: Config
clusters:
- {name: other, cluster: {server: "https://10.0.0.1:6443"}}
- {name: lab, cluster: {server: "https://127.0.0.1:6443/prefix/", certificate-authority: ca.crt}}
users:
- {name: admin, user: {client-certificate-data: Q0VSVA==, client-key-data: S0VZ}}
- {name: robot, user: {tokenFile: token}}
contexts:
- {name: a, context: {cluster: lab, user: admin, namespace: shop}}
- {name: b, context: {cluster: lab, user: robot}}
)";
  write(dir.file("config"), body + "current-context: a\n");
  write(dir.file("config-b"), body + "current-context: b\n");
  auto a = kernel::read_kubeconfig(dir.file("config"));
  EXPECT_EQ(a.server, "https://127.0.0.1:6443/prefix/");
  EXPECT_EQ(a.ca_pem, "CA PEM");
  EXPECT_EQ(a.client_cert_pem, "CERT");
  EXPECT_EQ(a.client_key_pem, "KEY");
  EXPECT_EQ(a.namespace_, "shop");
  EXPECT_NO_THROW(kernel::ApiHttpClient{a});
  auto b = kernel::read_kubeconfig(dir.file("config-b"));
  EXPECT_EQ(b.token, "file-token");
  EXPECT_EQ(b.namespace_, "default");
}

TEST(KubeconfigReader, MistakesNameTheFileAndWhatIsMissing) {
  test::TempDir dir;
  write(dir.file("config"), "current-context: gone\ncontexts: []\n");
  try {
    kernel::read_kubeconfig(dir.file("config"));
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("no contexts entry named \"gone\""), std::string::npos) << e.what();
  }
  kernel::ApiEndpoint bad;
  bad.server = "127.0.0.1:6443";
  EXPECT_THROW(kernel::ApiHttpClient{bad}, std::runtime_error);
  EXPECT_EQ(kernel::url_encode("app in (a,b)"), "app%20in%20%28a%2Cb%29");
}

}  // namespace
