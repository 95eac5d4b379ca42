// Validation per kind: what is refused, at which field path, in Kubernetes' words.
#include <gtest/gtest.h>

#include "api_error.hpp"
#include "defaults.hpp"
#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"
#include "skiff/api/node/v1/runtime_class.pb.h"
#include "validation.hpp"
#include "validation_causes.hpp"

namespace {

using namespace skiff;
using namespace skiff::validation_testing;
namespace core = api::core::v1;
namespace apps = api::apps::v1;

const std::string kSubdomainHelp =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
    "end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const std::string kLabelHelp =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with "
    "an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

core::PodSpec pod_spec() {
  core::PodSpec spec;
  auto* c = spec.add_containers();
  c->set_name("web");
  c->set_image("nginx:1.25");
  return spec;
}

core::Pod pod() {
  core::Pod p;
  name(p, "web");
  *p.mutable_spec() = pod_spec();
  apiserver::apply_defaults(p);
  return p;
}

apps::Deployment deployment() {
  apps::Deployment d;
  name(d, "web");
  d.mutable_spec()->set_replicas(2);
  (*d.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "web";
  (*d.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels())["app"] = "web";
  *d.mutable_spec()->mutable_template_()->mutable_spec() = pod_spec();
  apiserver::apply_defaults(d);
  return d;
}

core::Service service() {
  core::Service s;
  name(s, "web");
  (*s.mutable_spec()->mutable_selector())["app"] = "web";
  auto* p = s.mutable_spec()->add_ports();
  p->set_port(80);
  apiserver::apply_defaults(s);
  return s;
}

TEST(Validation, DefaultedObjectsOfEveryKindPass) {
  EXPECT_EQ(causes(pod()), std::vector<std::string>{});
  EXPECT_EQ(causes(deployment()), std::vector<std::string>{});
  EXPECT_EQ(causes(service()), std::vector<std::string>{});
  apps::ReplicaSet rs;
  name(rs, "web-1");
  *rs.mutable_spec()->mutable_selector() = deployment().spec().selector();
  *rs.mutable_spec()->mutable_template_() = deployment().spec().template_();
  EXPECT_EQ(causes(rs), std::vector<std::string>{});
  core::Namespace ns;
  name(ns, "team-a", "");
  EXPECT_EQ(causes(ns), std::vector<std::string>{});
}

TEST(Validation, TheErrorIsA422NamingKindAndObjectWithEveryCause) {
  auto d = deployment();
  name(d, "Web_1");
  d.mutable_spec()->set_replicas(-1);
  try {
    apiserver::validate(type_of<apps::Deployment>(), d, nullptr);
    FAIL() << "accepted";
  } catch (const apiserver::ApiError& e) {
    EXPECT_EQ(e.status().code, 422);
    EXPECT_EQ(e.status().reason, "Invalid");
    EXPECT_EQ(e.status().message, "Deployment.apps \"Web_1\" is invalid: [metadata.name: Invalid value: \"Web_1\": " +
                                      kSubdomainHelp + ", spec.replicas: Invalid value: -1: must be greater than or equal to 0]");
    EXPECT_EQ(e.details().kind(), "Deployment");
    EXPECT_EQ(e.details().group(), "apps");
    EXPECT_EQ(e.details().name(), "Web_1");
    ASSERT_EQ(e.details().causes_size(), 2);
    EXPECT_EQ(e.details().causes(0).reason(), "FieldValueInvalid");
    EXPECT_EQ(e.details().causes(0).field(), "metadata.name");
  }
}

TEST(Validation, OneCauseHasNoBrackets) {
  auto p = pod();
  p.mutable_spec()->mutable_containers(0)->clear_image();
  try {
    apiserver::validate(type_of<core::Pod>(), p, nullptr);
    FAIL() << "accepted";
  } catch (const apiserver::ApiError& e) {
    EXPECT_EQ(e.status().message, "Pod \"web\" is invalid: spec.containers[0].image: Required value");
  }
}

TEST(Validation, NamesFollowTheRuleOfTheirKind) {
  auto p = pod();
  name(p, "");
  EXPECT_CAUSE(p, "metadata.name: Required value: name or generateName is required");
  name(p, std::string(254, 'a'));
  EXPECT_EQ(causes(p), std::vector<std::string>{"metadata.name: Invalid value: \"" + std::string(254, 'a') +
                                                "\": must be no more than 253 characters"});
  name(p, "a.b-c.d");
  EXPECT_TRUE(causes(p).empty()) << "pods are named as subdomains";
  auto s = service();
  name(s, "1web");
  EXPECT_CAUSE(s, "metadata.name: Invalid value: \"1web\": a DNS-1035 label must consist of lower case alphanumeric "
                  "characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. "
                  "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
  core::Namespace ns;
  name(ns, "team.a", "");
  EXPECT_CAUSE(ns, "metadata.name: Invalid value: \"team.a\": " + kLabelHelp);
  auto no_namespace = pod();
  name(no_namespace, "web", "");
  EXPECT_CAUSE(no_namespace, "metadata.namespace: Required value");
}

TEST(Validation, LabelKeysAndValues) {
  auto p = pod();
  auto& labels = *p.mutable_metadata()->mutable_labels();
  labels["bad key"] = "ok";
  labels["example.com/"] = "ok";
  labels["Example.com/tier"] = "ok";
  labels["ok"] = std::string(64, 'v');
  labels["ok2"] = "-edge";
  auto all = causes(p);
  const std::string name_help = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and "
                                "end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex "
                                "used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  const std::string value_help = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "
                                 "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
                                 "'my_value',  or '12345', regex used for validation is "
                                 "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  EXPECT_EQ(all, (std::vector<std::string>{
                     "metadata.labels: Invalid value: \"Example.com/tier\": prefix part " + kSubdomainHelp,
                     "metadata.labels: Invalid value: \"bad key\": " + name_help,
                     "metadata.labels: Invalid value: \"example.com/\": name part must be non-empty",
                     "metadata.labels: Invalid value: \"example.com/\": " + name_help,
                     "metadata.labels: Invalid value: \"" + std::string(64, 'v') + "\": must be no more than 63 characters",
                     "metadata.labels: Invalid value: \"-edge\": " + value_help,
                 }));
}

TEST(Validation, AnnotationKeysIgnoreCase) {
  auto p = pod();
  (*p.mutable_metadata()->mutable_annotations())["Example.com/Owner"] = "team";
  EXPECT_TRUE(causes(p).empty());
  (*p.mutable_metadata()->mutable_annotations())["a/b/c"] = "x";
  ASSERT_EQ(causes(p).size(), 1u);
  EXPECT_EQ(causes(p)[0].rfind("metadata.annotations: Invalid value: \"a/b/c\": a qualified name must consist of", 0), 0u)
      << causes(p)[0];
}

TEST(Validation, DeploymentTemplateMustMatchTheSelectorAndRestartAlways) {
  auto d = deployment();
  (*d.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels())["app"] = "other";
  EXPECT_CAUSE(d, "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does "
                  "not match template `labels`");
  d = deployment();
  d.mutable_spec()->mutable_template_()->mutable_spec()->set_restart_policy("Never");
  EXPECT_EQ(causes(d), std::vector<std::string>{
                           "spec.template.spec.restartPolicy: Unsupported value: \"Never\": supported values: \"Always\""});
  d = deployment();
  d.mutable_spec()->mutable_template_()->mutable_spec()->set_active_deadline_seconds(30);
  EXPECT_EQ(causes(d), std::vector<std::string>{"spec.template.spec.activeDeadlineSeconds: Invalid value: 30: "
                                                "activeDeadlineSeconds in ReplicaSet is not Supported"});
  d = deployment();
  (*d.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels())["bad key"] = "web";
  ASSERT_EQ(causes(d).size(), 1u);
  EXPECT_EQ(causes(d)[0].rfind("spec.template.labels: Invalid value: \"bad key\": name part", 0), 0u) << causes(d)[0];
}

TEST(Validation, DeploymentWithoutSelectorIsMissingOneAndMatchesNothing) {
  auto d = deployment();
  d.mutable_spec()->clear_selector();
  EXPECT_EQ(causes(d), (std::vector<std::string>{
                           "spec.selector: Required value",
                           "spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"web\"}: `selector` "
                           "does not match template `labels`"}));
}

void surge(apps::Deployment& d, const char* max_surge, const char* max_unavailable) {
  auto set = [](api::meta::v1::IntOrString* v, const std::string& text) {
    if (text.back() == '%' || text.find_first_not_of("-0123456789") != std::string::npos) {
      v->set_type(1);
      v->set_str_val(text);
    } else {
      v->set_type(0);
      v->set_int_val(std::stoi(text));
    }
  };
  auto* ru = d.mutable_spec()->mutable_strategy()->mutable_rolling_update();
  set(ru->mutable_max_surge(), max_surge);
  set(ru->mutable_max_unavailable(), max_unavailable);
}

TEST(Validation, RollingUpdateBounds) {
  auto d = deployment();
  surge(d, "0", "0%");
  EXPECT_EQ(causes(d), std::vector<std::string>{"spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
                                                "intstr.IntOrString{Type:1, IntVal:0, StrVal:\"0%\"}: may not be 0 when "
                                                "`maxSurge` is 0"});
  surge(d, "abc", "150%");
  EXPECT_EQ(causes(d), (std::vector<std::string>{
                           "spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, "
                           "StrVal:\"abc\"}: a valid percent string must be a numeric string followed by an ending '%' "
                           "(e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
                           "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, "
                           "IntVal:0, StrVal:\"150%\"}: must not be greater than 100%"}));
  surge(d, "-1", "1");
  EXPECT_EQ(causes(d), std::vector<std::string>{
                           "spec.strategy.rollingUpdate.maxSurge: Invalid value: -1: must be greater than or equal to 0"});
}

TEST(Validation, StrategyTypes) {
  auto d = deployment();
  d.mutable_spec()->mutable_strategy()->set_type("Recreate");
  EXPECT_EQ(causes(d), std::vector<std::string>{"spec.strategy.rollingUpdate: Forbidden: may not be specified when "
                                                "strategy `type` is 'Recreate'"});
  d.mutable_spec()->mutable_strategy()->clear_rolling_update();
  EXPECT_TRUE(causes(d).empty());
  d.mutable_spec()->mutable_strategy()->set_type("BlueGreen");
  EXPECT_EQ(causes(d), std::vector<std::string>{
                           "spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:\"BlueGreen\", "
                           "RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: \"Recreate\", "
                           "\"RollingUpdate\""});
}

TEST(Validation, DeploymentCountsAndDeadlines) {
  auto d = deployment();
  d.mutable_spec()->set_min_ready_seconds(30);
  d.mutable_spec()->set_progress_deadline_seconds(30);
  d.mutable_spec()->set_revision_history_limit(-2);
  EXPECT_EQ(causes(d), (std::vector<std::string>{
                           "spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0",
                           "spec.progressDeadlineSeconds: Invalid value: 30: must be greater than minReadySeconds"}));
}

TEST(Validation, SelectorsAreImmutable) {
  auto before = deployment();
  auto after = before;
  (*after.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "other";
  (*after.mutable_spec()->mutable_template_()->mutable_metadata()->mutable_labels())["app"] = "other";
  EXPECT_EQ(causes(after, &before), std::vector<std::string>{
                                        "spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"
                                        "\"app\":\"other\"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is "
                                        "immutable"});
  auto renamed = before;
  renamed.mutable_metadata()->set_name("web2");
  EXPECT_CAUSE(renamed, "metadata.name: Invalid value: \"web2\": field is immutable", &before);
}

TEST(Validation, ContainerNamesImagesAndDuplicates) {
  auto p = pod();
  auto* init = p.mutable_spec()->add_init_containers();
  init->set_name("web");
  init->set_image("busybox");
  init->set_termination_message_policy("File");
  auto* second = p.mutable_spec()->add_containers();
  second->set_name("Side_car");
  EXPECT_EQ(causes(p), (std::vector<std::string>{
                           "spec.containers[1].name: Invalid value: \"Side_car\": " + kLabelHelp,
                           "spec.containers[1].image: Required value",
                           // Regular containers come first: the clash is the init container's.
                           "spec.initContainers[0].name: Duplicate value: \"web\""}));
}

TEST(Validation, ContainerPorts) {
  auto p = pod();
  auto* c = p.mutable_spec()->mutable_containers(0);
  auto add = [&](const std::string& name, int port, const std::string& protocol = "TCP") {
    auto* cp = c->add_ports();
    cp->set_name(name);
    cp->set_container_port(port);
    cp->set_protocol(protocol);
  };
  add("", 0);
  add("http", 70000);
  add("web--port", 80);
  add("1234", 81);
  add("http", 82, "HTTP");
  add("http", 83);
  EXPECT_EQ(causes(p), (std::vector<std::string>{
                           "spec.containers[0].ports[0].containerPort: Required value",
                           "spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, "
                           "inclusive",
                           "spec.containers[0].ports[2].name: Invalid value: \"web--port\": must not contain consecutive "
                           "hyphens",
                           "spec.containers[0].ports[3].name: Invalid value: \"1234\": must contain at least one letter (a-z)",
                           "spec.containers[0].ports[4].name: Duplicate value: \"http\"",
                           "spec.containers[0].ports[4].protocol: Unsupported value: \"HTTP\": supported values: \"SCTP\", "
                           "\"TCP\", \"UDP\"",
                           "spec.containers[0].ports[5].name: Duplicate value: \"http\""}));
}

TEST(Validation, EnvMountsAndResources) {
  auto p = pod();
  auto* c = p.mutable_spec()->mutable_containers(0);
  c->add_env()->set_name("1ST");
  auto* both = c->add_env();
  both->set_name("PW");
  both->set_value("x");
  both->mutable_value_from()->mutable_secret_key_ref()->set_name("db");
  both->mutable_value_from()->mutable_secret_key_ref()->set_key("pw");
  auto* mount = c->add_volume_mounts();
  mount->set_name("data");
  (*c->mutable_resources()->mutable_limits())["cpu"] = "500m";
  (*c->mutable_resources()->mutable_requests())["cpu"] = "1";
  (*c->mutable_resources()->mutable_requests())["memory"] = "-1Mi";
  EXPECT_EQ(causes(p), (std::vector<std::string>{
                           "spec.containers[0].env[0].name: Invalid value: \"1ST\": a valid environment variable name "
                           "must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a "
                           "digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is "
                           "'[-._a-zA-Z][-._a-zA-Z0-9]*')",
                           "spec.containers[0].env[1].valueFrom: Invalid value: \"\": may not be specified when `value` is "
                           "not empty",
                           "spec.containers[0].volumeMounts[0].name: Not found: \"data\"",
                           "spec.containers[0].volumeMounts[0].mountPath: Required value",
                           "spec.containers[0].resources.requests[memory]: Invalid value: \"-1Mi\": must be greater than "
                           "or equal to 0",
                           "spec.containers[0].resources.requests: Invalid value: \"1\": must be less than or equal to cpu "
                           "limit of 500m"}));
}

TEST(Validation, ProbesAndInitContainers) {
  auto p = pod();
  p.mutable_spec()->mutable_containers(0)->mutable_liveness_probe();
  auto* init = p.mutable_spec()->add_init_containers();
  init->set_name("setup");
  init->set_image("busybox");
  init->mutable_readiness_probe()->mutable_exec()->add_command("true");
  auto* sidecar = p.mutable_spec()->add_init_containers();
  sidecar->set_name("proxy");
  sidecar->set_image("envoy");
  sidecar->set_restart_policy("Always");
  sidecar->mutable_readiness_probe()->mutable_exec()->add_command("true");
  auto* odd = p.mutable_spec()->add_init_containers();
  odd->set_name("odd");
  odd->set_image("busybox");
  odd->set_restart_policy("OnFailure");
  apiserver::apply_defaults(p);
  EXPECT_EQ(causes(p), (std::vector<std::string>{
                           "spec.containers[0].livenessProbe: Required value: must specify a handler type",
                           "spec.initContainers[0].readinessProbe: Forbidden: may not be set for init containers without "
                           "restartPolicy=Always",
                           "spec.initContainers[2].restartPolicy: Unsupported value: \"OnFailure\": supported values: "
                           "\"Always\""}));
}

TEST(Validation, PodPoliciesAndTolerations) {
  auto p = pod();
  p.mutable_spec()->set_restart_policy("Sometimes");
  p.mutable_spec()->set_active_deadline_seconds(0);
  auto* exists = p.mutable_spec()->add_tolerations();
  exists->set_key("gpu");
  exists->set_operator_("Exists");
  exists->set_value("yes");
  auto* keyless = p.mutable_spec()->add_tolerations();
  keyless->set_operator_("Equal");
  auto* effect = p.mutable_spec()->add_tolerations();
  effect->set_key("a");
  effect->set_operator_("Exists");
  effect->set_effect("NoRun");
  EXPECT_EQ(causes(p), (std::vector<std::string>{
                           "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: \"Always\", "
                           "\"OnFailure\", \"Never\"",
                           "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive",
                           "spec.tolerations[0].operator: Invalid value: core.Toleration{Key:\"gpu\", Operator:\"Exists\", "
                           "Value:\"yes\", Effect:\"\", TolerationSeconds:(*int64)(nil)}: value must be empty when "
                           "`operator` is 'Exists'",
                           "spec.tolerations[1].operator: Invalid value: \"Equal\": operator must be Exists when `key` is "
                           "empty, which means \"match all values and all keys\"",
                           "spec.tolerations[2].effect: Unsupported value: \"NoRun\": supported values: \"NoSchedule\", "
                           "\"PreferNoSchedule\", \"NoExecute\""}));
}


// kubectl debug --copy-to sets shareProcessNamespace; kubectl debug node/… sets hostPID.
TEST(Validation, PodSharesItsProcessesOrTheNodesNotBoth) {
  auto p = pod();
  p.mutable_spec()->set_share_process_namespace(true);
  EXPECT_TRUE(causes(p).empty());
  p.mutable_spec()->set_host_pid(true);
  EXPECT_EQ(causes(p), (std::vector<std::string>{
                           "spec.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot "
                           "both be enabled"}));
}
TEST(Validation, PodDnsPolicyNoneNeedsADnsConfigWithNameservers) {
  auto p = pod();
  p.mutable_spec()->set_dns_policy("None");
  EXPECT_EQ(causes(p), (std::vector<std::string>{
                           "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"}));
  p.mutable_spec()->mutable_dns_config()->add_searches("example.com");
  EXPECT_EQ(causes(p), (std::vector<std::string>{"spec.dnsConfig.nameservers: Required value: must provide at least one "
                                                 "DNS nameserver when `dnsPolicy` is None"}));
  p.mutable_spec()->mutable_dns_config()->add_nameservers("1.2.3.4");
  EXPECT_TRUE(causes(p).empty());
}

TEST(Validation, PodDnsConfigNameserversSearchesAndOptions) {
  auto p = pod();
  auto* dns = p.mutable_spec()->mutable_dns_config();
  for (const char* ns : {"1.1.1.1", "2001:db8::1", "dns.example", "4.4.4.4"}) dns->add_nameservers(ns);
  for (const char* search : {"ok.example.", ".", "_sip._tcp.example", "Bad_Domain", "-x.example"}) dns->add_searches(search);
  dns->add_options()->set_value("1");
  dns->add_options()->set_name("ndots");
  const std::string underscore_help =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start "
      "and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
      "'_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?(\\._?[a-z0-9]([-_a-z0-9]*[a-z0-9])?)*')";
  EXPECT_EQ(causes(p), (std::vector<std::string>{
                           "spec.dnsConfig.nameservers: Invalid value: []string{\"1.1.1.1\", \"2001:db8::1\", "
                           "\"dns.example\", \"4.4.4.4\"}: must not have more than 3 nameservers",
                           "spec.dnsConfig.nameservers[2]: Invalid value: \"dns.example\": must be a valid IP address, "
                           "(e.g. 10.9.8.7 or 2001:db8::ffff)",
                           "spec.dnsConfig.searches[3]: Invalid value: \"Bad_Domain\": " + underscore_help,
                           "spec.dnsConfig.searches[4]: Invalid value: \"-x.example\": " + underscore_help,
                           "spec.dnsConfig.options[0]: Required value: must not be empty"}));
}

TEST(Validation, PodDnsSearchLimits) {
  auto p = pod();
  for (int i = 0; i < 33; ++i) p.mutable_spec()->mutable_dns_config()->add_searches("d" + std::to_string(i) + ".example");
  auto all = causes(p);
  ASSERT_EQ(all.size(), 1u) << ::testing::PrintToString(all);
  EXPECT_EQ(all[0].rfind("spec.dnsConfig.searches: Invalid value: []string{\"d0.example\", ", 0), 0u) << all[0];
  EXPECT_TRUE(all[0].ends_with("}: must not have more than 32 search paths")) << all[0];

  auto long_line = pod();
  for (int i = 0; i < 9; ++i) long_line.mutable_spec()->mutable_dns_config()->add_searches(std::string(240, 'a' + i));
  all = causes(long_line);
  ASSERT_EQ(all.size(), 1u) << ::testing::PrintToString(all);
  EXPECT_TRUE(all[0].ends_with("must not have more than 2048 characters (including spaces) in the search list")) << all[0];
  long_line.mutable_spec()->mutable_dns_config()->mutable_searches()->RemoveLast();
  EXPECT_TRUE(causes(long_line).empty()) << "8 domains of 240 and their spaces make 1927 characters";
}

TEST(Validation, PodsChangeOnlyImagesDeadlineAndTolerations) {
  auto before = pod();
  before.mutable_spec()->set_node_name("");
  auto after = before;
  after.mutable_spec()->mutable_containers(0)->set_image("nginx:1.26");
  after.mutable_spec()->set_active_deadline_seconds(60);
  after.mutable_spec()->set_node_name("node-1");  // a binding
  EXPECT_TRUE(causes(after, &before).empty());
  after.mutable_spec()->mutable_containers(0)->add_args("--debug");
  auto all = causes(after, &before);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].rfind("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`", 0), 0u);
}

TEST(Validation, ServicePorts) {
  auto s = service();
  auto* second = s.mutable_spec()->add_ports();
  second->set_port(80);
  second->set_protocol("TCP");
  second->set_node_port(30080);
  second->mutable_target_port()->set_type(1);
  second->mutable_target_port()->set_str_val("Web_Port");
  EXPECT_EQ(causes(s), (std::vector<std::string>{
                           "spec.ports[0].name: Required value",
                           "spec.ports[1].name: Required value",
                           "spec.ports[1].targetPort: Invalid value: \"Web_Port\": must contain only alpha-numeric "
                           "characters (a-z, 0-9), and hyphens (-)",
                           "spec.ports[1].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'",
                           "spec.ports[1]: Duplicate value: core.ServicePort{Name:\"\", Protocol:\"TCP\", "
                           "AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, "
                           "StrVal:\"\"}, NodePort:0}"}));
}

TEST(Validation, ServiceTypesAndClusterIp) {
  auto s = service();
  s.mutable_spec()->set_type("Internal");
  EXPECT_CAUSE(s, "spec.type: Unsupported value: \"Internal\": supported values: \"ClusterIP\", \"ExternalName\", "
                  "\"LoadBalancer\", \"NodePort\"");
  auto headless = service();
  headless.mutable_spec()->clear_ports();
  EXPECT_CAUSE(headless, "spec.ports: Required value");
  headless.mutable_spec()->set_cluster_ip("None");
  EXPECT_TRUE(causes(headless).empty()) << "a headless Service needs no ports";
  auto before = service();
  before.mutable_spec()->set_cluster_ip("10.96.0.10");
  auto after = before;
  after.mutable_spec()->set_cluster_ip("10.96.0.11");
  EXPECT_CAUSE(after, "spec.clusterIPs[0]: Invalid value: []string{\"10.96.0.11\"}: may not change once set", &before);
}

TEST(Validation, ConfigMapAndSecretKeys) {
  core::ConfigMap cm;
  name(cm, "settings");
  (*cm.mutable_data())["bad key"] = "x";
  (*cm.mutable_data())[".."] = "x";
  (*cm.mutable_data())["both"] = "x";
  (*cm.mutable_binary_data())["both"] = "x";
  EXPECT_EQ(causes(cm), (std::vector<std::string>{
                            "data[..]: Invalid value: \"..\": must not be '..'",
                            "data[bad key]: Invalid value: \"bad key\": a valid config key must consist of alphanumeric "
                            "characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
                            "validation is '[-._a-zA-Z0-9]+')",
                            "data[both]: Invalid value: \"both\": duplicate of key present in binaryData"}));
  core::Secret secret;
  name(secret, "creds");
  (*secret.mutable_data())["..hidden"] = "x";
  EXPECT_EQ(causes(secret), std::vector<std::string>{"data[..hidden]: Invalid value: \"..hidden\": must not start with '..'"});
}

TEST(Validation, RuntimeClassHandler) {
  api::node::v1::RuntimeClass rc;
  name(rc, "sandboxed", "");
  rc.set_handler("Run_Sc");
  EXPECT_EQ(causes(rc), std::vector<std::string>{"handler: Invalid value: \"Run_Sc\": " + kLabelHelp});
  auto before = rc;
  before.set_handler("runc");
  rc.set_handler("runsc");
  EXPECT_EQ(causes(rc, &before), std::vector<std::string>{"handler: Invalid value: \"runsc\": field is immutable"});
}

core::Node node_with_cidrs(std::vector<std::string> cidrs) {
  core::Node n;
  name(n, "node-a", "");
  for (const auto& c : cidrs) n.mutable_spec()->add_pod_cidrs(c);
  apiserver::apply_defaults(n);
  return n;
}

TEST(Validation, NodePodCidrsAreCidrsOnePerFamily) {
  EXPECT_EQ(causes(node_with_cidrs({})), std::vector<std::string>{});
  EXPECT_EQ(causes(node_with_cidrs({"10.244.1.0/24"})), std::vector<std::string>{});
  EXPECT_EQ(causes(node_with_cidrs({"10.244.1.0/24", "fd00:10:244:1::/64"})), std::vector<std::string>{});
  EXPECT_EQ(causes(node_with_cidrs({"10.244.1.0"})),
            std::vector<std::string>{"spec.podCIDRs[0]: Invalid value: []string{\"10.244.1.0\"}: must be valid CIDR"});
  EXPECT_EQ(causes(node_with_cidrs({"10.244.1.0/33"})).size(), 1u);
  EXPECT_EQ(causes(node_with_cidrs({"10.244.1.0/24", "10.244.2.0/24"})),
            std::vector<std::string>{"spec.podCIDRs: Invalid value: []string{\"10.244.1.0/24\", \"10.244.2.0/24\"}: may "
                                     "specify no more than one CIDR for each IP family"});
  EXPECT_CAUSE(node_with_cidrs({"10.244.1.0/24", "10.244.1.0/24"}),
               "spec.podCIDRs[1]: Duplicate value: \"10.244.1.0/24\"");
}

TEST(Validation, ANodesPodCidrIsSetOnceThenStays) {
  auto none = node_with_cidrs({});
  auto assigned = node_with_cidrs({"10.244.1.0/24"});
  EXPECT_EQ(causes(assigned, &none), std::vector<std::string>{}) << "from \"\" to valid: the controller-manager's write";
  EXPECT_EQ(causes(assigned, &assigned), std::vector<std::string>{});
  const std::string forbidden = "spec.podCIDRs: Forbidden: node updates may not change podCIDR except from \"\" to valid";
  auto moved = node_with_cidrs({"10.244.2.0/24"});
  EXPECT_EQ(causes(moved, &assigned), std::vector<std::string>{forbidden});
  EXPECT_EQ(causes(none, &assigned), std::vector<std::string>{forbidden}) << "nor cleared";
  // An older client that sends only podCIDR is read as Kubernetes reads it: the list follows.
  core::Node legacy;
  name(legacy, "node-a", "");
  legacy.mutable_spec()->set_pod_cidr("10.244.2.0/24");
  legacy.mutable_spec()->add_pod_cidrs("10.244.1.0/24");
  apiserver::apply_defaults(legacy);
  EXPECT_EQ(causes(legacy, &assigned), std::vector<std::string>{forbidden});

  auto with_provider = none;
  with_provider.mutable_spec()->set_provider_id("local://a");
  auto other_provider = none;
  other_provider.mutable_spec()->set_provider_id("local://b");
  EXPECT_EQ(causes(with_provider, &none), std::vector<std::string>{});
  EXPECT_EQ(causes(other_provider, &with_provider),
            std::vector<std::string>{"spec.providerID: Forbidden: node updates may not change providerID except from "
                                     "\"\" to valid"});
}

// ---- endpoint slices ----

namespace discovery = api::discovery::v1;

discovery::EndpointSlice slice(const std::string& type = "IPv4", std::initializer_list<const char*> addresses = {"10.0.0.1"}) {
  discovery::EndpointSlice s;
  name(s, "web-abcde");
  s.set_address_type(type);
  auto* e = s.add_endpoints();
  for (const char* a : addresses) e->add_addresses(a);
  e->mutable_conditions()->set_ready(true);
  e->set_node_name("node-a");
  auto* p = s.add_ports();
  p->set_port(80);
  apiserver::apply_defaults(s);
  return s;
}

TEST(Validation, EndpointSliceAddressTypeIsRequiredKnownAndImmutable) {
  EXPECT_EQ(causes(slice()), std::vector<std::string>{});
  EXPECT_EQ(causes(slice("IPv6", {"fd00::1"})), std::vector<std::string>{});
  EXPECT_EQ(causes(slice("FQDN", {"db.example.com"})), std::vector<std::string>{});
  EXPECT_EQ(causes(slice("", {"10.0.0.1"})), std::vector<std::string>{"addressType: Required value"});
  EXPECT_EQ(causes(slice("IP", {"10.0.0.1"})),
            std::vector<std::string>{"addressType: Unsupported value: \"IP\": supported values: \"FQDN\", \"IPv4\", \"IPv6\""});
  auto before = slice();
  auto after = slice("IPv6", {"fd00::1"});
  EXPECT_EQ(causes(after, &before), std::vector<std::string>{"addressType: Invalid value: \"IPv6\": field is immutable"});
}

TEST(Validation, EndpointSliceAddressesMatchTheirType) {
  EXPECT_EQ(causes(slice("IPv4", {"fd00::1"})),
            std::vector<std::string>{"endpoints[0].addresses[0]: Invalid value: \"fd00::1\": must be a valid IPv4 address"});
  EXPECT_EQ(causes(slice("IPv4", {"web"})),
            (std::vector<std::string>{"endpoints[0].addresses[0]: Invalid value: \"web\": must be a valid IPv4 address",
                                      "endpoints[0].addresses[0]: Invalid value: \"web\": must be a valid IP address"}));
  EXPECT_EQ(causes(slice("IPv6", {"10.0.0.1"})),
            std::vector<std::string>{"endpoints[0].addresses[0]: Invalid value: \"10.0.0.1\": must be a valid IPv6 address"});
  EXPECT_EQ(causes(slice("IPv4", {"127.0.0.1"})),
            std::vector<std::string>{"endpoints[0].addresses[0]: Invalid value: \"127.0.0.1\": may not be in the loopback "
                                     "range (127.0.0.0/8, ::1/128)"});
  EXPECT_CAUSE(slice("IPv4", {"0.0.0.0"}), "endpoints[0].addresses[0]: Invalid value: \"0.0.0.0\": may not be unspecified (0.0.0.0)");
  EXPECT_CAUSE(slice("IPv4", {"169.254.169.254"}), "endpoints[0].addresses[0]: Invalid value: \"169.254.169.254\": may "
                                                   "not be in the link-local range (169.254.0.0/16, fe80::/10)");
  EXPECT_CAUSE(slice("IPv6", {"fe80::1"}), "endpoints[0].addresses[0]: Invalid value: \"fe80::1\": may not be in the "
                                           "link-local range (169.254.0.0/16, fe80::/10)");
  EXPECT_EQ(causes(slice("FQDN", {"localhost"})),
            std::vector<std::string>{"endpoints[0].addresses[0]: Invalid value: \"localhost\": should be a domain with at "
                                     "least two segments separated by dots"});
  EXPECT_EQ(causes(slice("FQDN", {"db.example.com."})), std::vector<std::string>{}) << "a trailing dot is allowed";
}

TEST(Validation, EndpointSliceCountsEndpointsAndAddresses) {
  auto none = slice("IPv4", {});
  EXPECT_EQ(causes(none), std::vector<std::string>{"endpoints[0].addresses: Required value: must contain at least 1 address"});
  auto crowded = slice();
  for (int i = 0; i < 100; ++i) crowded.mutable_endpoints(0)->add_addresses("10.0.1." + std::to_string(i + 1));
  EXPECT_EQ(causes(crowded), std::vector<std::string>{"endpoints[0].addresses: Too many: 101: must have at most 100 items"});
  auto full = slice();
  for (int i = 1; i < 1000; ++i) *full.add_endpoints() = full.endpoints(0);
  EXPECT_EQ(causes(full), std::vector<std::string>{});
  *full.add_endpoints() = full.endpoints(0);
  EXPECT_EQ(causes(full), std::vector<std::string>{"endpoints: Too many: 1001: must have at most 1000 items"});
}

TEST(Validation, EndpointSliceNodeNamesHostnamesAndZoneHints) {
  auto s = slice();
  auto* e = s.mutable_endpoints(0);
  e->set_node_name("Node_A");
  e->set_hostname("web.0");
  e->mutable_hints()->add_for_zones()->set_name("zone-a");
  e->mutable_hints()->add_for_zones()->set_name("zone-a");
  EXPECT_EQ(causes(s), (std::vector<std::string>{
                           "endpoints[0].nodeName: Invalid value: \"Node_A\": " + kSubdomainHelp,
                           "endpoints[0].hostname: Invalid value: \"web.0\": " + kLabelHelp,
                           "endpoints[0].hints.forZones[1].name: Duplicate value: \"zone-a\""}));
  e->clear_hints();
  for (int i = 0; i < 9; ++i) e->mutable_hints()->add_for_zones()->set_name("z" + std::to_string(i));
  EXPECT_CAUSE(s, "endpoints[0].hints.forZones: Too many: 9: must have at most 8 items");
}

TEST(Validation, EndpointSlicePorts) {
  auto s = slice();
  s.mutable_ports(0)->set_name("http");
  auto* twin = s.add_ports();
  twin->set_name("http");
  twin->set_port(81);
  twin->set_protocol("ICMP");
  auto* odd = s.add_ports();
  odd->set_name("Web_Port");
  odd->set_app_protocol("kubernetes.io/h2c");
  EXPECT_EQ(causes(s), (std::vector<std::string>{
                           "ports[1].name: Duplicate value: \"http\"",
                           "ports[1].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
                           "ports[2].name: Invalid value: \"Web_Port\": " + kLabelHelp,
                           "ports[2].protocol: Required value"}));
}

}  // namespace
