// The addon's config: defaults, refusals naming the key, and what they become (listeners,
// route defaults, the addresses status reports).
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "ingress_settings.hpp"
#include "skiff/sdk/config_schema.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::ingress {
namespace {

// The block as the kernel hands it over: every declared key, defaults applied.
sdk::Config config(const std::string& yaml = "{}") {
  return sdk::Config(YAML::Dump(sdk::validate_config(config_table(), YAML::Load(yaml), "ingress")));
}

std::string refusal(const std::string& yaml) {
  try {
    read_settings(config(yaml));
  } catch (const std::exception& e) {
    return e.what();
  }
  return "accepted";
}

TEST(IngressSettings, DefaultsListenOnEveryAddressOnTheWellKnownPorts) {
  auto settings = read_settings(config());
  auto proxy = proxy_config(settings);
  EXPECT_EQ(proxy.listen, (std::vector<Listener>{{"0.0.0.0", 80, false}, {"0.0.0.0", 443, true}}));
  EXPECT_FALSE(proxy.default_certificate);
  EXPECT_EQ(route_defaults(settings), RouteOptions{}) << "ingress-nginx's defaults";
  EXPECT_TRUE(specific_listen_addresses(settings).empty()) << "status reports the Node's InternalIP";
  EXPECT_EQ(settings.ingress_class, "skiff");
  EXPECT_TRUE(settings.default_class);
}

TEST(IngressSettings, SpecificAddressesAndHighPorts) {
  auto settings = read_settings(config("{listen: [10.213.0.11, 127.0.0.1], http_port: 8080, https_port: 8443, "
                                       "body_size: \"0\", read_timeout: 5s}"));
  EXPECT_EQ(proxy_config(settings).listen,
            (std::vector<Listener>{{"10.213.0.11", 8080, false}, {"10.213.0.11", 8443, true}, {"127.0.0.1", 8080, false},
                                   {"127.0.0.1", 8443, true}}));
  EXPECT_EQ(specific_listen_addresses(settings), (std::vector<std::string>{"10.213.0.11", "127.0.0.1"}));
  EXPECT_EQ(route_defaults(settings).max_body_size, 0u);
  EXPECT_EQ(route_defaults(settings).read_timeout, std::chrono::seconds(5));
}

TEST(IngressSettings, BadValuesAreRefusedNamingTheKey) {
  EXPECT_NE(refusal("{listen: [example.com]}").find("config listen"), std::string::npos);
  EXPECT_NE(refusal("{listen: []}").find("config listen"), std::string::npos);
  EXPECT_NE(refusal("{http_port: 443}").find("config https_port"), std::string::npos);
  EXPECT_NE(refusal("{body_size: lots}").find("config body_size"), std::string::npos);
  EXPECT_NE(refusal("{default_certificate: /tmp/c.pem}").find("config default_key"), std::string::npos);
  EXPECT_NE(refusal("{http_port: 0}").find("http_port"), std::string::npos);
}

TEST(IngressSettings, UnreadableDefaultCertificateNamesTheFile) {
  auto settings = read_settings(config("{default_certificate: /nonexistent/c.pem, default_key: /nonexistent/k.pem}"));
  try {
    proxy_config(settings);
    FAIL() << "an unreadable file was accepted";
  } catch (const sdk::Error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/c.pem"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace skiff::ingress
