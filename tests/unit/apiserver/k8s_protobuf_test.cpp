// Kubernetes' protobuf bodies (the "k8s\0" envelope around runtime.Unknown), bytes written by
// hand here from generated.proto's field numbers, decoded into Kubernetes JSON.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "k8s_protobuf.hpp"

namespace {

using namespace skiff;
namespace json = boost::json;

// ---- the wire format, by hand ----

std::string varint(std::uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  return out + static_cast<char>(v);
}

std::string bytes(int number, const std::string& payload) {
  return varint(static_cast<std::uint64_t>(number) << 3 | 2) + varint(payload.size()) + payload;
}

std::string number(int field, std::uint64_t value) { return varint(static_cast<std::uint64_t>(field) << 3) + varint(value); }

std::string entry(const std::string& key, const std::string& value) { return bytes(1, key) + bytes(2, value); }

// runtime.Unknown: typeMeta 1 (apiVersion 1, kind 2), raw 2, contentEncoding 3, contentType 4.
std::string envelope(const std::string& api_version, const std::string& kind, const std::string& raw) {
  return std::string("k8s\0", 4) + bytes(1, bytes(1, api_version) + bytes(2, kind)) + bytes(2, raw) + bytes(3, "") +
         bytes(4, "application/vnd.kubernetes.protobuf");
}

std::string meta(const std::string& name, const std::string& ns = "") {
  return bytes(1, name) + (ns.empty() ? "" : bytes(3, ns));
}

json::value decode(const std::string& body) { return apiserver::decode_k8s_protobuf(body); }

sdk::Status failure(const std::string& body) {
  try {
    apiserver::decode_k8s_protobuf(body);
  } catch (const apiserver::ApiError& e) {
    return e.status();
  }
  return sdk::Status{};
}

TEST(K8sProtobuf, ANamespaceWithLabels) {
  std::string ns = bytes(1, meta("team-a") + bytes(11, entry("env", "dev")) + bytes(11, entry("owner", "ops")));
  EXPECT_EQ(decode(envelope("v1", "Namespace", ns)),
            json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a","labels":{"env":"dev","owner":"ops"}}})"));
}

TEST(K8sProtobuf, AConfigMapAndASecretWithBinaryData) {
  std::string cm = bytes(1, meta("settings", "default")) + bytes(2, entry("mode", "fast")) + bytes(3, entry("blob", "\x01\x02"));
  EXPECT_EQ(decode(envelope("v1", "ConfigMap", cm)),
            json::parse(R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"settings","namespace":"default"},
                            "data":{"mode":"fast"},"binaryData":{"blob":"AQI="}})"));
  std::string secret = bytes(1, meta("creds")) + bytes(2, entry("pw", "hunter2")) + bytes(3, "Opaque");
  EXPECT_EQ(decode(envelope("v1", "Secret", secret)).at("data").at("pw"), "aHVudGVyMg==");
}

TEST(K8sProtobuf, ADeploymentAsKubectlCreateSendsIt) {
  std::string container = bytes(1, "web") + bytes(2, "nginx:1.25") + bytes(6, number(3, 80)) +
                          bytes(8, bytes(1, entry("cpu", bytes(1, "500m"))));
  std::string pod_spec = bytes(2, container);
  std::string labels = bytes(11, entry("app", "web"));
  std::string tmpl = bytes(1, labels) + bytes(2, pod_spec);
  std::string int_or_percent = number(1, 1) + bytes(3, "25%");
  std::string strategy = bytes(1, "RollingUpdate") + bytes(2, bytes(1, number(1, 0) + number(2, 1)) + bytes(2, int_or_percent));
  std::string spec = number(1, 3) + bytes(2, bytes(1, entry("app", "web"))) + bytes(3, tmpl) + bytes(4, strategy);
  std::string deployment = bytes(1, meta("web", "default")) + bytes(2, spec);
  EXPECT_EQ(decode(envelope("apps/v1", "Deployment", deployment)), json::parse(R"({
      "apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},
      "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
              "template":{"metadata":{"labels":{"app":"web"}},
                          "spec":{"containers":[{"name":"web","image":"nginx:1.25","ports":[{"containerPort":80}],
                                                 "resources":{"limits":{"cpu":"500m"}}}]}},
              "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxUnavailable":1,"maxSurge":"25%"}}}})"));
}

TEST(K8sProtobuf, GoEmbeddedStructsTimesAndPackedNumbers) {
  // SecretKeySelector embeds LocalObjectReference (field 1) and VolumeSource is inline in
  // Volume: their fields sit at the parent's level in JSON.
  std::string env = bytes(1, "PW") + bytes(3, bytes(4, bytes(1, bytes(1, "db")) + bytes(2, "password")));
  std::string container = bytes(1, "app") + bytes(2, "app:1") + bytes(4, "--a") + bytes(4, "--b") + bytes(7, env);
  std::string volume = bytes(1, "scratch") + bytes(2, bytes(2, ""));
  std::string security = bytes(4, varint(1000) + varint(2000));  // supplementalGroups, packed
  std::string spec = bytes(1, volume) + bytes(2, container) + bytes(14, security);
  std::string created = bytes(8, number(1, 1700000000));
  std::string zero_time = bytes(9, "");  // Go's zero time: no deletionTimestamp
  std::string pod = bytes(1, meta("p", "default") + created + zero_time) + bytes(2, spec);
  EXPECT_EQ(decode(envelope("v1", "Pod", pod)), json::parse(R"({
      "apiVersion":"v1","kind":"Pod",
      "metadata":{"name":"p","namespace":"default","creationTimestamp":"2023-11-14T22:13:20Z"},
      "spec":{"volumes":[{"name":"scratch","emptyDir":{}}],
              "containers":[{"name":"app","image":"app:1","args":["--a","--b"],
                             "env":[{"name":"PW","valueFrom":{"secretKeyRef":{"name":"db","key":"password"}}}]}],
              "securityContext":{"supplementalGroups":[1000,2000]}}})"));
}

// A pod as `kubectl debug --copy-to` and client-go write it: ephemeral containers are field 34
// of PodSpec, shareProcessNamespace 27; in PodStatus qosClass is 9 and the ephemeral
// containers' statuses 13 (Skiff's own PodStatus numbers both otherwise).
TEST(K8sProtobuf, APodWithEphemeralContainersAndTheirStatuses) {
  std::string ephemeral = bytes(1, bytes(1, "debugger") + bytes(2, "busybox:1") + number(16, 1) + number(18, 1)) +
                          bytes(2, "app");
  std::string spec = bytes(2, bytes(1, "app") + bytes(2, "nginx")) + number(27, 1) + bytes(34, ephemeral);
  std::string running = bytes(2, bytes(1, number(1, 1700000000)));
  std::string debugger_status = bytes(1, "debugger") + bytes(2, running) + number(4, 0) + number(5, 0) +
                                bytes(6, "busybox:1") + bytes(8, "docker://abc");
  std::string status = bytes(1, "Running") + bytes(2, bytes(1, "Ready") + bytes(2, "True")) + bytes(5, "10.0.0.1") +
                       bytes(6, "10.244.0.5") + bytes(12, bytes(1, "10.244.0.5")) + bytes(9, "BestEffort") +
                       bytes(13, debugger_status) + bytes(11, "node-b") + bytes(16, bytes(1, "10.0.0.1"));
  std::string pod = bytes(1, meta("web", "default")) + bytes(2, spec) + bytes(3, status);
  EXPECT_EQ(decode(envelope("v1", "Pod", pod)), json::parse(R"({
      "apiVersion":"v1","kind":"Pod","metadata":{"name":"web","namespace":"default"},
      "spec":{"containers":[{"name":"app","image":"nginx"}],"shareProcessNamespace":true,
              "ephemeralContainers":[{"name":"debugger","image":"busybox:1","stdin":true,"tty":true,
                                      "targetContainerName":"app"}]},
      "status":{"phase":"Running","conditions":[{"type":"Ready","status":"True"}],"hostIP":"10.0.0.1",
                "podIP":"10.244.0.5","podIPs":[{"ip":"10.244.0.5"}],"qosClass":"BestEffort",
                "ephemeralContainerStatuses":[{"name":"debugger","state":{"running":{"startedAt":"2023-11-14T22:13:20Z"}},
                                               "ready":false,"restartCount":0,"image":"busybox:1",
                                               "containerID":"docker://abc"}],
                "nominatedNodeName":"node-b","hostIPs":[{"ip":"10.0.0.1"}]}})"));
}

// core/v1 generated.proto: VolumeSource (inline in Volume at 2) has downwardAPI at 16 and projected at 26; the
// projections embed LocalObjectReference (field 1) and number optional 4 after items 2.
TEST(K8sProtobuf, DownwardApiAndProjectedVolumes) {
  std::string labels = bytes(1, "labels") + bytes(2, bytes(1, "v1") + bytes(2, "metadata.labels")) + number(4, 256);
  std::string cpu = bytes(1, "cpu") + bytes(3, bytes(1, "app") + bytes(2, "limits.cpu") + bytes(3, bytes(1, "1m")));
  std::string downward = bytes(1, "podinfo") + bytes(2, bytes(16, bytes(1, labels) + bytes(1, cpu) + number(2, 420)));
  std::string secret = bytes(1, bytes(1, bytes(1, "creds")) + bytes(2, bytes(1, "pw") + bytes(2, "pw")) + number(4, 1));
  std::string config_map = bytes(3, bytes(1, bytes(1, "settings")));
  std::string name_file = bytes(2, bytes(1, bytes(1, "name") + bytes(2, bytes(2, "metadata.name"))));
  std::string token = bytes(4, bytes(1, "api") + number(2, 3600) + bytes(3, "token"));
  std::string projected = bytes(1, "all") + bytes(2, bytes(26, bytes(1, secret) + bytes(1, config_map) + bytes(1, name_file) +
                                                                 bytes(1, token) + number(2, 292)));
  std::string container = bytes(1, "app") + bytes(2, "app:1");
  std::string pod = bytes(1, meta("p", "default")) + bytes(2, bytes(1, downward) + bytes(1, projected) + bytes(2, container));
  json::value expected = json::parse(R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default"},
      "spec":{"volumes":[
        {"name":"podinfo","downwardAPI":{"items":[
            {"path":"labels","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.labels"},"mode":256},
            {"path":"cpu","resourceFieldRef":{"containerName":"app","resource":"limits.cpu","divisor":"1m"}}],
          "defaultMode":420}},
        {"name":"all","projected":{"sources":[
            {"secret":{"name":"creds","items":[{"key":"pw","path":"pw"}],"optional":true}},
            {"configMap":{"name":"settings"}},
            {"downwardAPI":{"items":[{"path":"name","fieldRef":{"fieldPath":"metadata.name"}}]}},
            {"serviceAccountToken":{"audience":"api","expirationSeconds":3600,"path":"token"}}],
          "defaultMode":292}}],
        "containers":[{"name":"app","image":"app:1"}]}})");
  EXPECT_EQ(decode(envelope("v1", "Pod", pod)), expected);
  EXPECT_EQ(decode(apiserver::encode_k8s_protobuf(expected)), expected) << "written back as read";
}

TEST(K8sProtobuf, FieldsSkiffDoesNotModelAreSkipped) {
  std::string unknown = number(99, 7) + bytes(98, "whatever") + varint(97 << 3 | 1) + std::string(8, '\x01') +
                        varint(96 << 3 | 5) + std::string(4, '\x02');
  std::string ns = bytes(1, meta("team-a") + unknown) + unknown;
  EXPECT_EQ(decode(envelope("v1", "Namespace", ns)),
            json::parse(R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"team-a"}})"));
}

// discovery/v1 generated.proto: addressType is field 4 after endpoints 2 and ports 3; the
// conditions are pointers, so an explicit false survives.
TEST(K8sProtobuf, AnEndpointSliceWithConditionsTargetRefAndHints) {
  std::string conditions = number(1, 0) + number(2, 1) + number(3, 1);
  std::string target = bytes(1, "Pod") + bytes(2, "default") + bytes(3, "web-1") + bytes(4, "u-1");
  std::string endpoint = bytes(1, "10.0.0.1") + bytes(2, conditions) + bytes(3, "web-1") + bytes(4, target) +
                         bytes(6, "node-a") + bytes(7, "zone-1") + bytes(8, bytes(1, bytes(1, "zone-1")));
  std::string port = bytes(1, "http") + bytes(2, "TCP") + number(3, 8080) + bytes(4, "kubernetes.io/h2c");
  std::string slice = bytes(1, meta("web-abc", "default")) + bytes(2, endpoint) + bytes(3, port) + bytes(4, "IPv4");
  EXPECT_EQ(decode(envelope("discovery.k8s.io/v1", "EndpointSlice", slice)), json::parse(R"({
    "apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice","metadata":{"name":"web-abc","namespace":"default"},
    "addressType":"IPv4",
    "endpoints":[{"addresses":["10.0.0.1"],"conditions":{"ready":false,"serving":true,"terminating":true},
                  "hostname":"web-1","targetRef":{"kind":"Pod","namespace":"default","name":"web-1","uid":"u-1"},
                  "nodeName":"node-a","zone":"zone-1","hints":{"forZones":[{"name":"zone-1"}]}}],
    "ports":[{"name":"http","protocol":"TCP","port":8080,"appProtocol":"kubernetes.io/h2c"}]})"));
}

// As `kubectl create ingress web --class=skiff --rule='web.test/api*=web:http,tls=web-tls'
// --default-backend=web:80` sends it: the rule's value is Go's embedded IngressRuleValue.
TEST(K8sProtobuf, AnIngressAsKubectlCreateSendsIt) {
  std::string by_name = bytes(4, bytes(1, "web") + bytes(2, bytes(1, "http")));
  std::string by_number = bytes(4, bytes(1, "web") + bytes(2, number(2, 80)));
  std::string path = bytes(1, "/api") + bytes(3, "Prefix") + bytes(2, by_name);
  std::string rule = bytes(1, "web.test") + bytes(2, bytes(1, bytes(1, path)));
  std::string spec = bytes(4, "skiff") + bytes(1, by_number) + bytes(2, bytes(1, "web.test") + bytes(2, "web-tls")) +
                     bytes(3, rule);
  EXPECT_EQ(decode(envelope("networking.k8s.io/v1", "Ingress", bytes(1, meta("web", "default")) + bytes(2, spec))),
            json::parse(R"({"apiVersion":"networking.k8s.io/v1","kind":"Ingress",
    "metadata":{"name":"web","namespace":"default"},
    "spec":{"ingressClassName":"skiff","defaultBackend":{"service":{"name":"web","port":{"number":80}}},
            "tls":[{"hosts":["web.test"],"secretName":"web-tls"}],
            "rules":[{"host":"web.test","http":{"paths":[{"path":"/api","pathType":"Prefix",
                      "backend":{"service":{"name":"web","port":{"name":"http"}}}}]}}]}})"));
}

TEST(K8sProtobuf, AnIngressClassWithParameters) {
  std::string parameters = bytes(1, "k8s.example.com") + bytes(2, "Params") + bytes(3, "p") + bytes(4, "Cluster");
  EXPECT_EQ(decode(envelope("networking.k8s.io/v1", "IngressClass",
                            bytes(1, meta("skiff")) + bytes(2, bytes(1, "skiff.io/ingress-controller") + bytes(2, parameters)))),
            json::parse(R"({"apiVersion":"networking.k8s.io/v1","kind":"IngressClass","metadata":{"name":"skiff"},
    "spec":{"controller":"skiff.io/ingress-controller",
            "parameters":{"apiGroup":"k8s.example.com","kind":"Params","name":"p","scope":"Cluster"}}})"));
}

TEST(K8sProtobuf, KindsWithoutAWireSchemaAre415) {
  auto widget = failure(envelope("example.com/v1", "Widget", bytes(1, meta("x"))));
  EXPECT_EQ(widget.code, 415);
  EXPECT_EQ(widget.reason, "UnsupportedMediaType");
  EXPECT_EQ(widget.message.rfind("protobuf bodies are understood for ", 0), 0u) << widget.message;
  EXPECT_NE(widget.message.find("ConfigMap, ControllerRevision, CronJob, DaemonSet, DeleteOptions, Deployment, "), std::string::npos)
      << widget.message;
  EXPECT_NE(widget.message.find(", RoleBinding, "), std::string::npos) << widget.message;
  // Kinds numbered unlike k8s.io/api are refused rather than misread.
  EXPECT_EQ(widget.message.find("Node"), std::string::npos) << widget.message;
  EXPECT_EQ(widget.message.find("PersistentVolumeClaim"), std::string::npos) << widget.message;
  EXPECT_NE(widget.message.find(", PodDisruptionBudget, "), std::string::npos) << widget.message;
  EXPECT_NE(widget.message.find("; send Widget as application/json"), std::string::npos) << widget.message;
  // The schema's parts are no kinds of their own.
  EXPECT_EQ(failure(envelope("v1", "PodSpec", "")).code, 415);
  EXPECT_EQ(failure(envelope("v1", "ObjectMeta", meta("x"))).code, 415);
}

TEST(K8sProtobuf, BrokenBodiesAre400) {
  EXPECT_EQ(failure(R"({"kind":"Namespace"})").message, "the protobuf body is not valid: it lacks the k8s envelope");
  EXPECT_EQ(failure("k8s").code, 400);
  std::string good = envelope("v1", "Namespace", bytes(1, meta("team-a")));
  EXPECT_EQ(failure(good.substr(0, good.size() - 3)).message, "the protobuf body is not valid: truncated field");
  // A length that runs past the end of a nested message.
  std::string overlong = bytes(1, varint(1 << 3 | 2) + varint(50) + "short");
  EXPECT_EQ(failure(envelope("v1", "Namespace", overlong)).message, "the protobuf body is not valid: truncated field");
  // A tag of 0 and a tag cut in the middle of its varint are no ends of a message.
  EXPECT_EQ(failure(envelope("v1", "Namespace", bytes(1, meta("a")) + std::string(1, '\0') + "junk")).code, 400);
  EXPECT_EQ(failure(envelope("v1", "Namespace", bytes(1, meta("a") + "\x80"))).code, 400);
  EXPECT_EQ(failure(good + "\x80").code, 400);
}

}  // namespace
