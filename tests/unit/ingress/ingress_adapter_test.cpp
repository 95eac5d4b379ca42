// Ingresses, Services, EndpointSlices and Secrets as the informers hand them over, turned into
// the proxy's IngressValues: backends by port number and name, problems, annotations, TLS, class.
#include <gtest/gtest.h>

#include <map>
#include <variant>

#include "ingress_adapter.hpp"

namespace skiff::ingress {
namespace {

namespace core = api::core::v1;
namespace discovery = api::discovery::v1;
namespace net = api::networking::v1;

const std::string kPem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const std::string kKeyPem = "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";

// The objects a lookup finds, by "namespace/name".
struct Cluster {
  std::map<std::string, core::Service> services;
  std::map<std::string, std::vector<discovery::EndpointSlice>> slices;  // by "namespace/service"
  std::map<std::string, core::Secret> secrets;

  core::Service& service(const std::string& name, std::vector<std::pair<std::string, int>> ports) {
    auto& s = services["shop/" + name];
    s.mutable_metadata()->set_namespace_("shop");
    s.mutable_metadata()->set_name(name);
    for (const auto& [port_name, number] : ports) {
      auto* p = s.mutable_spec()->add_ports();
      p->set_name(port_name);
      p->set_port(number);
    }
    return s;
  }
  discovery::EndpointSlice& slice(const std::string& service, std::vector<std::pair<std::string, int>> ports) {
    auto& list = slices["shop/" + service];
    auto& s = list.emplace_back();
    s.mutable_metadata()->set_namespace_("shop");
    s.mutable_metadata()->set_name(service + "-" + std::to_string(list.size()));
    s.set_address_type("IPv4");
    for (const auto& [port_name, number] : ports) {
      auto* p = s.add_ports();
      p->set_name(port_name);
      p->set_port(number);
    }
    return s;
  }
  void tls_secret(const std::string& name, const std::string& type = kTlsSecretType) {
    auto& s = secrets["shop/" + name];
    s.mutable_metadata()->set_namespace_("shop");
    s.mutable_metadata()->set_name(name);
    s.set_type(type);
    (*s.mutable_data())["tls.crt"] = kPem;
    (*s.mutable_data())["tls.key"] = kKeyPem;
  }

  ObjectLookup lookup() const {
    ObjectLookup l;
    l.service = [this](const std::string& ns, const std::string& name) -> ServicePtr {
      auto it = services.find(ns + "/" + name);
      return it == services.end() ? nullptr : std::make_shared<core::Service>(it->second);
    };
    l.slices = [this](const std::string& ns, const std::string& name) {
      std::vector<SlicePtr> out;
      if (auto it = slices.find(ns + "/" + name); it != slices.end())
        for (const auto& s : it->second) out.push_back(std::make_shared<discovery::EndpointSlice>(s));
      return out;
    };
    l.secret = [this](const std::string& ns, const std::string& name) -> SecretPtr {
      auto it = secrets.find(ns + "/" + name);
      return it == secrets.end() ? nullptr : std::make_shared<core::Secret>(it->second);
    };
    return l;
  }
};

void add_endpoint(discovery::EndpointSlice& slice, const std::string& address, std::optional<bool> ready = std::nullopt) {
  auto* e = slice.add_endpoints();
  e->add_addresses(address);
  if (ready) e->mutable_conditions()->set_ready(*ready);
}

net::Ingress ingress(const std::string& name = "web") {
  net::Ingress i;
  i.mutable_metadata()->set_namespace_("shop");
  i.mutable_metadata()->set_name(name);
  return i;
}

// A rule for `host` with one Prefix path to `service`, its port by number or (when text) by name.
void add_path(net::Ingress& i, const std::string& host, const std::string& path, const std::string& service,
              std::variant<int, std::string> port) {
  auto* rule = i.mutable_spec()->add_rules();
  rule->set_host(host);
  auto* p = rule->mutable_http()->add_paths();
  p->set_path(path);
  p->set_path_type("Prefix");
  auto* backend = p->mutable_backend()->mutable_service();
  backend->set_name(service);
  if (auto* number = std::get_if<int>(&port)) backend->mutable_port()->set_number(*number);
  else backend->mutable_port()->set_name(std::get<std::string>(port));
}

const Backend& first_backend(const AdaptedIngress& adapted) { return adapted.values.rules.at(0).paths.at(0).backend; }

std::vector<std::string> reasons(const AdaptedIngress& adapted) {
  std::vector<std::string> out;
  for (const auto& p : adapted.problems) out.push_back(p.reason);
  return out;
}

TEST(IngressAdapterBackends, PortByNumberFindsTheSlicePortOfTheServicePortsName) {
  Cluster cluster;
  cluster.service("api", {{"metrics", 9090}, {"http", 80}});
  auto& slice = cluster.slice("api", {{"metrics", 9100}, {"http", 8080}});
  add_endpoint(slice, "10.244.1.5", true);
  add_endpoint(slice, "10.244.2.7");  // no condition: ready, as Kubernetes reads it
  auto i = ingress();
  add_path(i, "shop.example.com", "/api", "api", 80);

  auto adapted = adapt_ingress(i, cluster.lookup(), {});
  EXPECT_TRUE(adapted.problems.empty());
  const auto& backend = first_backend(adapted);
  EXPECT_EQ(backend.endpoints, (std::vector<Endpoint>{{"10.244.1.5", 8080}, {"10.244.2.7", 8080}}));
  EXPECT_EQ(backend.identity, (BackendIdentity{"shop", "web", "api", "80"}));
  EXPECT_EQ(adapted.values.rules.at(0).host, "shop.example.com");
  EXPECT_EQ(adapted.values.rules.at(0).paths.at(0).path, "/api");
  EXPECT_EQ(adapted.values.rules.at(0).paths.at(0).type, PathType::Prefix);
}

TEST(IngressAdapterBackends, PortByNameAndOnlyReadyEndpointsOfEverySlice) {
  Cluster cluster;
  cluster.service("api", {{"http", 80}});
  auto& first = cluster.slice("api", {{"http", 8080}});
  add_endpoint(first, "10.244.1.5", true);
  add_endpoint(first, "10.244.1.6", false);
  auto& second = cluster.slice("api", {{"http", 8080}});
  add_endpoint(second, "10.244.3.1", true);
  add_endpoint(second, "10.244.1.5", true);  // the same pod in two slices while they change
  auto i = ingress();
  add_path(i, "", "/", "api", std::string("http"));

  auto adapted = adapt_ingress(i, cluster.lookup(), {});
  EXPECT_TRUE(adapted.problems.empty());
  EXPECT_EQ(first_backend(adapted).endpoints, (std::vector<Endpoint>{{"10.244.1.5", 8080}, {"10.244.3.1", 8080}}));
  EXPECT_EQ(first_backend(adapted).identity.service_port, "http");
}

TEST(IngressAdapterBackends, UnnamedServicePortUsesTheUnnamedSlicePort) {
  Cluster cluster;
  cluster.service("api", {{"", 80}});
  add_endpoint(cluster.slice("api", {{"", 3000}}), "10.244.1.5");
  auto i = ingress();
  add_path(i, "", "/", "api", 80);
  EXPECT_EQ(first_backend(adapt_ingress(i, cluster.lookup(), {})).endpoints, (std::vector<Endpoint>{{"10.244.1.5", 3000}}));
}

TEST(IngressAdapterBackends, NoSlicesYetIsNoEndpointsAndNoProblem) {
  Cluster cluster;
  cluster.service("api", {{"http", 80}});
  auto i = ingress();
  add_path(i, "", "/", "api", 80);
  auto adapted = adapt_ingress(i, cluster.lookup(), {});
  EXPECT_TRUE(adapted.problems.empty()) << "a Service without ready pods is answered 503, not an Ingress mistake";
  EXPECT_TRUE(first_backend(adapted).endpoints.empty());
}

TEST(IngressAdapterProblems, MissingServiceAndMissingPortKeepTheRouteWithoutEndpoints) {
  Cluster cluster;
  cluster.service("api", {{"http", 80}});
  add_endpoint(cluster.slice("api", {{"http", 8080}}), "10.244.1.5");
  auto i = ingress();
  add_path(i, "a.example.com", "/", "gone", 80);
  add_path(i, "b.example.com", "/", "api", 81);
  add_path(i, "c.example.com", "/", "api", std::string("grpc"));

  auto adapted = adapt_ingress(i, cluster.lookup(), {});
  ASSERT_EQ(adapted.values.rules.size(), 3u) << "routes stay, so their hosts answer 503 rather than 404";
  for (const auto& rule : adapted.values.rules) EXPECT_TRUE(rule.paths.at(0).backend.endpoints.empty()) << rule.host;
  EXPECT_EQ(reasons(adapted), (std::vector<std::string>{"ServiceNotFound", "ServicePortNotFound", "ServicePortNotFound"}));
  EXPECT_NE(adapted.problems.at(0).message.find("Service shop/gone not found"), std::string::npos)
      << adapted.problems.at(0).message;
  EXPECT_NE(adapted.problems.at(1).message.find("has no port 81"), std::string::npos) << adapted.problems.at(1).message;
  EXPECT_NE(adapted.problems.at(2).message.find("has no port grpc"), std::string::npos);
}

TEST(IngressAdapterProblems, TheSameProblemTwiceIsToldOnce) {
  Cluster cluster;
  auto i = ingress();
  add_path(i, "a.example.com", "/", "gone", 80);
  add_path(i, "b.example.com", "/", "gone", 80);
  EXPECT_EQ(adapt_ingress(i, cluster.lookup(), {}).problems.size(), 1u);
}

TEST(IngressAdapterProblems, DefaultBackendIsResolvedLikeAPath) {
  Cluster cluster;
  cluster.service("fallback", {{"http", 80}});
  add_endpoint(cluster.slice("fallback", {{"http", 8080}}), "10.244.4.4");
  auto i = ingress();
  auto* service = i.mutable_spec()->mutable_default_backend()->mutable_service();
  service->set_name("fallback");
  service->mutable_port()->set_name("http");
  auto adapted = adapt_ingress(i, cluster.lookup(), {});
  ASSERT_TRUE(adapted.values.default_backend);
  EXPECT_EQ(adapted.values.default_backend->endpoints, (std::vector<Endpoint>{{"10.244.4.4", 8080}}));
}

TEST(IngressAdapterAnnotations, ParsedOverTheDefaults) {
  auto i = ingress();
  auto& annotations = *i.mutable_metadata()->mutable_annotations();
  annotations["skiff.io/proxy-read-timeout"] = "120";
  annotations["skiff.io/proxy-connect-timeout"] = "2";
  annotations["skiff.io/proxy-body-size"] = "10m";
  annotations["skiff.io/ssl-redirect"] = "false";
  RouteOptions defaults;
  defaults.max_body_size = 5;
  auto adapted = adapt_ingress(i, Cluster{}.lookup(), defaults);
  EXPECT_TRUE(adapted.problems.empty());
  EXPECT_EQ(adapted.values.options.read_timeout, std::chrono::seconds(120));
  EXPECT_EQ(adapted.values.options.connect_timeout, std::chrono::seconds(2));
  EXPECT_EQ(adapted.values.options.max_body_size, 10u * 1024 * 1024);
  EXPECT_FALSE(adapted.values.options.ssl_redirect);

  EXPECT_EQ(adapt_ingress(ingress(), Cluster{}.lookup(), defaults).values.options, defaults) << "no annotations";
}

TEST(IngressAdapterAnnotations, BadValuesKeepTheDefaultAndAreProblems) {
  auto i = ingress();
  auto& annotations = *i.mutable_metadata()->mutable_annotations();
  annotations["skiff.io/proxy-read-timeout"] = "60s";
  annotations["skiff.io/proxy-connect-timeout"] = "0";
  annotations["skiff.io/proxy-body-size"] = "lots";
  annotations["skiff.io/ssl-redirect"] = "yes";
  auto adapted = adapt_ingress(i, Cluster{}.lookup(), {});
  EXPECT_EQ(adapted.values.options, RouteOptions{});
  ASSERT_EQ(adapted.problems.size(), 4u);
  for (const auto& p : adapted.problems) EXPECT_EQ(p.reason, "InvalidAnnotation") << p.message;
  EXPECT_NE(adapted.problems.at(0).message.find("skiff.io/proxy-read-timeout: \"60s\""), std::string::npos)
      << adapted.problems.at(0).message;
}

TEST(IngressAdapterAnnotations, BodySizes) {
  EXPECT_EQ(parse_body_size("0"), 0u);
  EXPECT_EQ(parse_body_size("1024"), 1024u);
  EXPECT_EQ(parse_body_size("512k"), 512u * 1024);
  EXPECT_EQ(parse_body_size("10M"), 10u * 1024 * 1024);
  EXPECT_EQ(parse_body_size("1g"), 1024u * 1024 * 1024);
  for (const char* bad : {"", "m", "-1", "1.5m", "10mb", "1t", " 1"}) EXPECT_FALSE(parse_body_size(bad)) << bad;
}

TEST(IngressAdapterTls, CertificateAndKeyFromATlsSecret) {
  Cluster cluster;
  cluster.tls_secret("shop-cert");
  auto i = ingress();
  auto* tls = i.mutable_spec()->add_tls();
  tls->add_hosts("shop.example.com");
  tls->add_hosts("*.shop.example.com");
  tls->set_secret_name("shop-cert");
  auto adapted = adapt_ingress(i, cluster.lookup(), {});
  EXPECT_TRUE(adapted.problems.empty());
  ASSERT_EQ(adapted.values.tls.size(), 1u);
  EXPECT_EQ(adapted.values.tls[0].hosts, (std::vector<std::string>{"shop.example.com", "*.shop.example.com"}));
  EXPECT_EQ(adapted.values.tls[0].certificate, (TlsCertificate{kPem, kKeyPem}));
}

TEST(IngressAdapterTls, MissingWrongTypeOrIncompleteSecretsAreProblems) {
  Cluster cluster;
  cluster.tls_secret("opaque", "Opaque");
  cluster.tls_secret("no-key");
  cluster.secrets["shop/no-key"].mutable_data()->erase("tls.key");
  cluster.tls_secret("not-pem");
  (*cluster.secrets["shop/not-pem"].mutable_data())["tls.crt"] = "garbage";
  auto i = ingress();
  for (const char* name : {"absent", "opaque", "no-key", "not-pem"}) {
    auto* tls = i.mutable_spec()->add_tls();
    tls->add_hosts(std::string(name) + ".example.com");
    tls->set_secret_name(name);
  }
  auto adapted = adapt_ingress(i, cluster.lookup(), {});
  EXPECT_TRUE(adapted.values.tls.empty());
  ASSERT_EQ(adapted.problems.size(), 4u);
  for (const auto& p : adapted.problems) EXPECT_EQ(p.reason, "InvalidTLSSecret") << p.message;
  EXPECT_NE(adapted.problems[0].message.find("shop/absent not found"), std::string::npos) << adapted.problems[0].message;
  EXPECT_NE(adapted.problems[1].message.find("\"Opaque\""), std::string::npos) << adapted.problems[1].message;
}

TEST(IngressAdapterTls, InformerKeepsOnlyTlsSecretsData) {
  core::Secret tls, opaque;
  tls.set_type(kTlsSecretType);
  (*tls.mutable_data())["tls.crt"] = kPem;
  opaque.set_type("Opaque");
  (*opaque.mutable_data())["password"] = "hunter2";
  (*opaque.mutable_string_data())["token"] = "t";
  slim_secret(tls);
  slim_secret(opaque);
  EXPECT_EQ(tls.data().size(), 1u);
  EXPECT_TRUE(opaque.data().empty());
  EXPECT_TRUE(opaque.string_data().empty());
}

IngressClassPtr ingress_class(const std::string& name, const std::string& controller) {
  auto c = std::make_shared<net::IngressClass>();
  c->mutable_metadata()->set_name(name);
  c->mutable_spec()->set_controller(controller);
  return c;
}

TEST(IngressAdapterClass, ServedByClassNameOfOurControllerOrByAnnotation) {
  std::map<std::string, IngressClassPtr> classes{{"skiff", ingress_class("skiff", kControllerName)},
                                                  {"internal", ingress_class("internal", kControllerName)},
                                                  {"nginx", ingress_class("nginx", "k8s.io/ingress-nginx")}};
  auto find = [&](const std::string& name) -> IngressClassPtr {
    auto it = classes.find(name);
    return it == classes.end() ? nullptr : it->second;
  };
  auto with_class = [](const std::string& name) {
    auto i = ingress();
    i.mutable_spec()->set_ingress_class_name(name);
    return i;
  };
  auto annotated = [](const std::string& value) {
    auto i = ingress();
    (*i.mutable_metadata()->mutable_annotations())[kClassAnnotation] = value;
    return i;
  };
  EXPECT_TRUE(is_served(with_class("skiff"), "skiff", find));
  EXPECT_TRUE(is_served(with_class("internal"), "skiff", find)) << "any class naming our controller";
  EXPECT_FALSE(is_served(with_class("nginx"), "skiff", find));
  EXPECT_FALSE(is_served(with_class("unknown"), "skiff", find));
  EXPECT_FALSE(is_served(ingress(), "skiff", find)) << "no class at all (the API gives the default class at creation)";
  EXPECT_TRUE(is_served(annotated("skiff"), "skiff", find));
  EXPECT_FALSE(is_served(annotated("nginx"), "skiff", find));
  auto both = annotated("nginx");
  both.mutable_spec()->set_ingress_class_name("skiff");
  EXPECT_FALSE(is_served(both, "skiff", find)) << "the annotation, where given, decides";
}

TEST(IngressAdapterOrder, OldestFirstThenNamespaceAndName) {
  auto make = [](const std::string& ns, const std::string& name, const std::string& created) {
    auto i = std::make_shared<net::Ingress>();
    i->mutable_metadata()->set_namespace_(ns);
    i->mutable_metadata()->set_name(name);
    i->mutable_metadata()->set_creation_timestamp(created);
    return IngressPtr(i);
  };
  std::vector<IngressPtr> ingresses{make("b", "x", "2026-11-27T10:00:00Z"), make("a", "y", "2026-11-27T10:00:00Z"),
                                    make("z", "z", "2026-11-26T23:59:59Z"), make("a", "b", "2026-11-27T10:00:00Z")};
  order_oldest_first(ingresses);
  std::vector<std::string> names;
  for (const auto& i : ingresses) names.push_back(i->metadata().namespace_() + "/" + i->metadata().name());
  EXPECT_EQ(names, (std::vector<std::string>{"z/z", "a/b", "a/y", "b/x"}));
}

}  // namespace
}  // namespace skiff::ingress
