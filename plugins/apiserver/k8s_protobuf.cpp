// A table of Kubernetes' generated.proto field numbers, read once, drives a generic decoder.
#include "k8s_protobuf.hpp"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/stubs/strutil.h>
#include <google/protobuf/wire_format_lite.h>

#include <map>
#include <set>
#include <sstream>
#include <vector>

#include <boost/json.hpp>

#include "api_error.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace pbio = google::protobuf::io;
using google::protobuf::internal::WireFormatLite;

// "message NAME" then "NUMBER jsonName TYPE [repeated] [inline]" per field. TYPE is a scalar
// (string, bytes, bool, int32, int64), a special (Time, Quantity, IntOrString), a map
// (map:string, map:bytes, map:Quantity) or a message name. `inline` marks Go's embedded structs
// whose fields appear at the parent's level in JSON. Field numbers from kubernetes/api.
constexpr const char* kSchema = R"(
message ObjectMeta
1 name string
2 generateName string
3 namespace string
5 uid string
6 resourceVersion string
7 generation int64
8 creationTimestamp Time
9 deletionTimestamp Time
10 deletionGracePeriodSeconds int64
11 labels map:string
12 annotations map:string
13 ownerReferences OwnerReference repeated
14 finalizers string repeated
message OwnerReference
5 apiVersion string
1 kind string
3 name string
4 uid string
6 controller bool
7 blockOwnerDeletion bool
message LabelSelector
1 matchLabels map:string
2 matchExpressions LabelSelectorRequirement repeated
message LabelSelectorRequirement
1 key string
2 operator string
3 values string repeated
message Namespace
1 metadata ObjectMeta
2 spec NamespaceSpec
message NamespaceSpec
1 finalizers string repeated
message ConfigMap
1 metadata ObjectMeta
2 data map:string
3 binaryData map:bytes
4 immutable bool
message Secret
1 metadata ObjectMeta
2 data map:bytes
3 type string
4 stringData map:string
5 immutable bool
message Service
1 metadata ObjectMeta
2 spec ServiceSpec
message ServiceSpec
1 ports ServicePort repeated
2 selector map:string
3 clusterIP string
18 clusterIPs string repeated
4 type string
5 externalIPs string repeated
7 sessionAffinity string
8 loadBalancerIP string
9 loadBalancerSourceRanges string repeated
10 externalName string
11 externalTrafficPolicy string
12 healthCheckNodePort int32
13 publishNotReadyAddresses bool
14 sessionAffinityConfig SessionAffinityConfig
19 ipFamilies string repeated
17 ipFamilyPolicy string
20 allocateLoadBalancerNodePorts bool
22 internalTrafficPolicy string
message ServicePort
1 name string
2 protocol string
6 appProtocol string
3 port int32
4 targetPort IntOrString
5 nodePort int32
message SessionAffinityConfig
1 clientIP ClientIPConfig
message ClientIPConfig
1 timeoutSeconds int32
message Deployment
1 metadata ObjectMeta
2 spec DeploymentSpec
message DeploymentSpec
1 replicas int32
2 selector LabelSelector
3 template PodTemplateSpec
4 strategy DeploymentStrategy
5 minReadySeconds int32
6 revisionHistoryLimit int32
7 paused bool
9 progressDeadlineSeconds int32
message DeploymentStrategy
1 type string
2 rollingUpdate RollingUpdateDeployment
message RollingUpdateDeployment
1 maxUnavailable IntOrString
2 maxSurge IntOrString
message Pod
1 metadata ObjectMeta
2 spec PodSpec
message PodTemplateSpec
1 metadata ObjectMeta
2 spec PodSpec
message PodSpec
1 volumes Volume repeated
20 initContainers Container repeated
2 containers Container repeated
3 restartPolicy string
4 terminationGracePeriodSeconds int64
5 activeDeadlineSeconds int64
6 dnsPolicy string
7 nodeSelector map:string
8 serviceAccountName string
9 serviceAccount string
21 automountServiceAccountToken bool
10 nodeName string
11 hostNetwork bool
12 hostPID bool
13 hostIPC bool
14 securityContext PodSecurityContext
15 imagePullSecrets LocalObjectReference repeated
16 hostname string
17 subdomain string
18 affinity Affinity
19 schedulerName string
22 tolerations Toleration repeated
23 hostAliases HostAlias repeated
24 priorityClassName string
25 priority int32
26 dnsConfig PodDNSConfig
28 readinessGates PodReadinessGate repeated
29 runtimeClassName string
30 enableServiceLinks bool
31 preemptionPolicy string
33 topologySpreadConstraints TopologySpreadConstraint repeated
message Container
1 name string
2 image string
3 command string repeated
4 args string repeated
5 workingDir string
6 ports ContainerPort repeated
19 envFrom EnvFromSource repeated
7 env EnvVar repeated
8 resources ResourceRequirements
9 volumeMounts VolumeMount repeated
10 livenessProbe Probe
11 readinessProbe Probe
22 startupProbe Probe
12 lifecycle Lifecycle
13 terminationMessagePath string
20 terminationMessagePolicy string
14 imagePullPolicy string
15 securityContext SecurityContext
16 stdin bool
17 stdinOnce bool
18 tty bool
24 restartPolicy string
message ContainerPort
1 name string
2 hostPort int32
3 containerPort int32
4 protocol string
5 hostIP string
message EnvVar
1 name string
2 value string
3 valueFrom EnvVarSource
message EnvVarSource
1 fieldRef ObjectFieldSelector
2 resourceFieldRef ResourceFieldSelector
3 configMapKeyRef ConfigMapKeySelector
4 secretKeyRef SecretKeySelector
message ObjectFieldSelector
1 apiVersion string
2 fieldPath string
message ResourceFieldSelector
1 containerName string
2 resource string
3 divisor Quantity
message ConfigMapKeySelector
1 localObjectReference LocalObjectReference inline
2 key string
3 optional bool
message SecretKeySelector
1 localObjectReference LocalObjectReference inline
2 key string
3 optional bool
message LocalObjectReference
1 name string
message EnvFromSource
1 prefix string
2 configMapRef ConfigMapEnvSource
3 secretRef SecretEnvSource
message ConfigMapEnvSource
1 localObjectReference LocalObjectReference inline
2 optional bool
message SecretEnvSource
1 localObjectReference LocalObjectReference inline
2 optional bool
message ResourceRequirements
1 limits map:Quantity
2 requests map:Quantity
message VolumeMount
1 name string
2 readOnly bool
3 mountPath string
4 subPath string
message Probe
1 handler ProbeHandler inline
2 initialDelaySeconds int32
3 timeoutSeconds int32
4 periodSeconds int32
5 successThreshold int32
6 failureThreshold int32
7 terminationGracePeriodSeconds int64
message ProbeHandler
1 exec ExecAction
2 httpGet HTTPGetAction
3 tcpSocket TCPSocketAction
4 grpc GRPCAction
message ExecAction
1 command string repeated
message HTTPGetAction
1 path string
2 port IntOrString
3 host string
4 scheme string
5 httpHeaders HTTPHeader repeated
message HTTPHeader
1 name string
2 value string
message TCPSocketAction
1 port IntOrString
2 host string
message GRPCAction
1 port int32
2 service string
message Lifecycle
1 postStart LifecycleHandler
2 preStop LifecycleHandler
message LifecycleHandler
1 exec ExecAction
2 httpGet HTTPGetAction
3 tcpSocket TCPSocketAction
4 sleep SleepAction
message SleepAction
1 seconds int64
message SecurityContext
1 capabilities Capabilities
2 privileged bool
4 runAsUser int64
8 runAsGroup int64
5 runAsNonRoot bool
6 readOnlyRootFilesystem bool
7 allowPrivilegeEscalation bool
message Capabilities
1 add string repeated
2 drop string repeated
message PodSecurityContext
2 runAsUser int64
6 runAsGroup int64
3 runAsNonRoot bool
4 supplementalGroups int64 repeated
5 fsGroup int64
message Volume
1 name string
2 volumeSource VolumeSource inline
message VolumeSource
1 hostPath HostPathVolumeSource
2 emptyDir EmptyDirVolumeSource
6 secret SecretVolumeSource
10 persistentVolumeClaim PersistentVolumeClaimVolumeSource
19 configMap ConfigMapVolumeSource
message HostPathVolumeSource
1 path string
2 type string
message EmptyDirVolumeSource
1 medium string
2 sizeLimit Quantity
message SecretVolumeSource
1 secretName string
2 items KeyToPath repeated
3 defaultMode int32
4 optional bool
message ConfigMapVolumeSource
1 localObjectReference LocalObjectReference inline
2 items KeyToPath repeated
3 defaultMode int32
4 optional bool
message KeyToPath
1 key string
2 path string
3 mode int32
message PersistentVolumeClaimVolumeSource
1 claimName string
2 readOnly bool
message Toleration
1 key string
2 operator string
3 value string
4 effect string
5 tolerationSeconds int64
message Affinity
1 nodeAffinity NodeAffinity
2 podAffinity PodAffinity
3 podAntiAffinity PodAntiAffinity
message NodeAffinity
1 requiredDuringSchedulingIgnoredDuringExecution NodeSelector
2 preferredDuringSchedulingIgnoredDuringExecution PreferredSchedulingTerm repeated
message NodeSelector
1 nodeSelectorTerms NodeSelectorTerm repeated
message NodeSelectorTerm
1 matchExpressions NodeSelectorRequirement repeated
2 matchFields NodeSelectorRequirement repeated
message NodeSelectorRequirement
1 key string
2 operator string
3 values string repeated
message PreferredSchedulingTerm
1 weight int32
2 preference NodeSelectorTerm
message PodAffinity
1 requiredDuringSchedulingIgnoredDuringExecution PodAffinityTerm repeated
2 preferredDuringSchedulingIgnoredDuringExecution WeightedPodAffinityTerm repeated
message PodAntiAffinity
1 requiredDuringSchedulingIgnoredDuringExecution PodAffinityTerm repeated
2 preferredDuringSchedulingIgnoredDuringExecution WeightedPodAffinityTerm repeated
message PodAffinityTerm
1 labelSelector LabelSelector
2 namespaces string repeated
3 topologyKey string
4 namespaceSelector LabelSelector
message WeightedPodAffinityTerm
1 weight int32
2 podAffinityTerm PodAffinityTerm
message TopologySpreadConstraint
1 maxSkew int32
2 topologyKey string
3 whenUnsatisfiable string
4 labelSelector LabelSelector
5 minDomains int32
message HostAlias
1 ip string
2 hostnames string repeated
message PodDNSConfig
1 nameservers string repeated
2 searches string repeated
3 options PodDNSConfigOption repeated
message PodDNSConfigOption
1 name string
2 value string
message PodReadinessGate
1 conditionType string
message ObjectReference
1 kind string
2 namespace string
3 name string
4 uid string
5 apiVersion string
6 resourceVersion string
7 fieldPath string
message EndpointSlice
1 metadata ObjectMeta
4 addressType string
2 endpoints Endpoint repeated
3 ports EndpointPort repeated
message Endpoint
1 addresses string repeated
2 conditions EndpointConditions
3 hostname string
4 targetRef ObjectReference
6 nodeName string
7 zone string
8 hints EndpointHints
message EndpointConditions
1 ready bool
2 serving bool
3 terminating bool
message EndpointHints
1 forZones ForZone repeated
message ForZone
1 name string
message EndpointPort
1 name string
2 protocol string
3 port int32
4 appProtocol string
message Ingress
1 metadata ObjectMeta
2 spec IngressSpec
message IngressSpec
4 ingressClassName string
1 defaultBackend IngressBackend
2 tls IngressTLS repeated
3 rules IngressRule repeated
message IngressBackend
4 service IngressServiceBackend
3 resource TypedLocalObjectReference
message IngressServiceBackend
1 name string
2 port ServiceBackendPort
message ServiceBackendPort
1 name string
2 number int32
message TypedLocalObjectReference
1 apiGroup string
2 kind string
3 name string
message IngressTLS
1 hosts string repeated
2 secretName string
message IngressRule
1 host string
2 ingressRuleValue IngressRuleValue inline
message IngressRuleValue
1 http HTTPIngressRuleValue
message HTTPIngressRuleValue
1 paths HTTPIngressPath repeated
message HTTPIngressPath
1 path string
3 pathType string
2 backend IngressBackend
message IngressClass
1 metadata ObjectMeta
2 spec IngressClassSpec
message IngressClassSpec
1 controller string
2 parameters IngressClassParametersReference
message IngressClassParametersReference
1 apiGroup string
2 kind string
3 name string
4 scope string
5 namespace string
message Job
1 metadata ObjectMeta
2 spec JobSpec
message JobSpec
1 parallelism int32
2 completions int32
3 activeDeadlineSeconds int64
4 selector LabelSelector
5 manualSelector bool
6 template PodTemplateSpec
7 backoffLimit int32
8 ttlSecondsAfterFinished int32
9 completionMode string
10 suspend bool
11 podFailurePolicy PodFailurePolicy
14 podReplacementPolicy string
message PodFailurePolicy
1 rules PodFailurePolicyRule repeated
message PodFailurePolicyRule
1 action string
2 onExitCodes PodFailurePolicyOnExitCodesRequirement
3 onPodConditions PodFailurePolicyOnPodConditionsPattern repeated
message PodFailurePolicyOnExitCodesRequirement
1 containerName string
2 operator string
3 values int32 repeated
message PodFailurePolicyOnPodConditionsPattern
1 type string
2 status string
message CronJob
1 metadata ObjectMeta
2 spec CronJobSpec
message CronJobSpec
1 schedule string
8 timeZone string
2 startingDeadlineSeconds int64
3 concurrencyPolicy string
4 suspend bool
5 jobTemplate JobTemplateSpec
6 successfulJobsHistoryLimit int32
7 failedJobsHistoryLimit int32
message JobTemplateSpec
1 metadata ObjectMeta
2 spec JobSpec
)";

// The kinds a body may be: the schema's other messages are only parts of these.
const std::set<std::string> kObjectKinds = {"Namespace", "ConfigMap", "Secret", "Service", "Deployment", "Pod",
                                            "EndpointSlice", "Ingress", "IngressClass", "Job", "CronJob"};

struct Field {
  std::string json;
  std::string type;
  bool repeated = false;
  bool inline_ = false;
};
using Schema = std::map<std::string, std::map<int, Field>>;

const Schema& schema() {
  static const Schema parsed = [] {
    Schema s;
    std::istringstream in(kSchema);
    std::string line, current;
    while (std::getline(in, line)) {
      if (line.empty()) continue;
      std::istringstream words(line);
      std::string first;
      words >> first;
      if (first == "message") {
        words >> current;
        continue;
      }
      Field f;
      words >> f.json >> f.type;
      for (std::string flag; words >> flag;) {
        f.repeated |= flag == "repeated";
        f.inline_ |= flag == "inline";
      }
      s[current][std::stoi(first)] = f;
    }
    return s;
  }();
  return parsed;
}

[[noreturn]] void broken(const std::string& why) {
  throw ApiError(sdk::Status::BadRequest("the protobuf body is not valid: " + why));
}

// ReadTag answers 0 both at the end and on a broken tag; only the end is fine.
void require_clean_end(pbio::CodedInputStream& in, const std::string& what) {
  if (!in.ConsumedEntireMessage()) broken("unreadable tag in " + what);
}

std::string read_bytes(pbio::CodedInputStream& in) {
  std::string out;
  uint32_t length;
  if (!in.ReadVarint32(&length) || !in.ReadString(&out, static_cast<int>(length))) broken("truncated field");
  return out;
}

json::value decode_message(const std::string& bytes, const std::string& type);

// Time, Quantity and IntOrString have JSON forms of their own.
json::value decode_special(const std::string& bytes, const std::string& type) {
  pbio::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int>(bytes.size()));
  std::int64_t seconds = 0, int_value = 0, kind = 0;
  std::string text;
  while (uint32_t tag = in.ReadTag()) {
    int number = WireFormatLite::GetTagFieldNumber(tag);
    auto wire = WireFormatLite::GetTagWireType(tag);
    if (wire == WireFormatLite::WIRETYPE_VARINT) {
      uint64_t v;
      if (!in.ReadVarint64(&v)) broken("truncated varint");
      if (type == "Time" && number == 1) seconds = static_cast<std::int64_t>(v);
      if (type == "IntOrString" && number == 1) kind = static_cast<std::int64_t>(v);
      if (type == "IntOrString" && number == 2) int_value = static_cast<std::int32_t>(v);
    } else if (wire == WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      std::string s = read_bytes(in);
      if ((type == "Quantity" && number == 1) || (type == "IntOrString" && number == 3)) text = s;
    } else if (!WireFormatLite::SkipField(&in, tag)) {
      broken("unreadable field in " + type);
    }
  }
  require_clean_end(in, type);
  if (type == "Time")  // Go encodes its zero time as an empty message: that means "unset"
    return seconds == 0 ? json::value(nullptr) : json::value(json::string(sdk::format_rfc3339(sdk::WallClock::from_time_t(seconds))));
  if (type == "Quantity") return json::string(text);
  return kind == 1 ? json::value(json::string(text)) : json::value(int_value);
}

json::value decode_map_entry_value(const std::string& entry, const std::string& value_type, std::string& key) {
  pbio::CodedInputStream in(reinterpret_cast<const uint8_t*>(entry.data()), static_cast<int>(entry.size()));
  json::value value = json::string();
  while (uint32_t tag = in.ReadTag()) {
    int number = WireFormatLite::GetTagFieldNumber(tag);
    if (WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) broken("unreadable map entry");
      continue;
    }
    std::string s = read_bytes(in);
    if (number == 1) key = s;
    else if (value_type == "Quantity") value = decode_special(s, "Quantity");
    else if (value_type == "bytes") {
      std::string encoded;
      google::protobuf::Base64Escape(s, &encoded);
      value = json::string(encoded);
    } else value = json::string(s);
  }
  require_clean_end(in, "a map entry");
  return value;
}

json::value scalar(uint64_t v, const std::string& type) {
  if (type == "bool") return v != 0;
  if (type == "int32") return static_cast<std::int32_t>(v);
  return static_cast<std::int64_t>(v);
}

void put(json::object& out, const Field& f, json::value v) {
  if (v.is_null()) return;
  if (f.repeated) {
    json::value& list = out[f.json];
    if (!list.is_array()) list = json::array();
    list.as_array().push_back(std::move(v));
  } else {
    out[f.json] = std::move(v);
  }
}

void decode_into(json::object& out, const std::string& bytes, const std::string& type) {
  const auto found = schema().find(type);
  if (found == schema().end()) broken("no schema for " + type);
  const auto& fields = found->second;
  pbio::CodedInputStream in(reinterpret_cast<const uint8_t*>(bytes.data()), static_cast<int>(bytes.size()));
  while (uint32_t tag = in.ReadTag()) {
    int number = WireFormatLite::GetTagFieldNumber(tag);
    auto wire = WireFormatLite::GetTagWireType(tag);
    auto it = fields.find(number);
    if (it == fields.end()) {  // a field Skiff does not model: skipped, as unknown JSON fields are
      if (!WireFormatLite::SkipField(&in, tag)) broken("unreadable field " + std::to_string(number) + " of " + type);
      continue;
    }
    const Field& f = it->second;
    if (wire == WireFormatLite::WIRETYPE_VARINT) {
      uint64_t v;
      if (!in.ReadVarint64(&v)) broken("truncated varint");
      put(out, f, scalar(v, f.type));
      continue;
    }
    if (wire != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) broken("unreadable field");
      continue;
    }
    std::string payload = read_bytes(in);
    if (f.type.rfind("map:", 0) == 0) {
      std::string key;
      json::value value = decode_map_entry_value(payload, f.type.substr(4), key);
      json::value& map = out[f.json];
      if (!map.is_object()) map = json::object();
      map.as_object()[key] = std::move(value);
    } else if (f.type == "string") {
      put(out, f, json::string(payload));
    } else if (f.type == "bytes") {
      std::string encoded;
      google::protobuf::Base64Escape(payload, &encoded);
      put(out, f, json::string(encoded));
    } else if (f.type == "int32" || f.type == "int64" || f.type == "bool") {  // packed repeated scalars
      pbio::CodedInputStream packed(reinterpret_cast<const uint8_t*>(payload.data()), static_cast<int>(payload.size()));
      uint64_t v;
      while (packed.ReadVarint64(&v)) put(out, f, scalar(v, f.type));
    } else if (f.type == "Time" || f.type == "Quantity" || f.type == "IntOrString") {
      put(out, f, decode_special(payload, f.type));
    } else if (f.inline_) {
      decode_into(out, payload, f.type);  // Go embedded struct: its fields sit at this level
    } else {
      put(out, f, decode_message(payload, f.type));
    }
  }
  require_clean_end(in, type);
}

json::value decode_message(const std::string& bytes, const std::string& type) {
  json::object out;
  decode_into(out, bytes, type);
  return out;
}

}  // namespace

json::value decode_k8s_protobuf(const std::string& body) {
  static const std::string kMagic("k8s\0", 4);
  if (body.compare(0, 4, kMagic) != 0) broken("it lacks the k8s envelope");
  std::string envelope = body.substr(4);
  pbio::CodedInputStream in(reinterpret_cast<const uint8_t*>(envelope.data()), static_cast<int>(envelope.size()));
  std::string api_version, kind, raw;
  while (uint32_t tag = in.ReadTag()) {
    int number = WireFormatLite::GetTagFieldNumber(tag);
    if (WireFormatLite::GetTagWireType(tag) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
      if (!WireFormatLite::SkipField(&in, tag)) broken("unreadable envelope");
      continue;
    }
    std::string payload = read_bytes(in);
    if (number == 2) raw = payload;
    if (number == 1) {  // runtime.TypeMeta
      pbio::CodedInputStream meta(reinterpret_cast<const uint8_t*>(payload.data()), static_cast<int>(payload.size()));
      while (uint32_t t = meta.ReadTag()) {
        if (WireFormatLite::GetTagWireType(t) != WireFormatLite::WIRETYPE_LENGTH_DELIMITED) {
          if (!WireFormatLite::SkipField(&meta, t)) broken("unreadable TypeMeta");
          continue;
        }
        std::string s = read_bytes(meta);
        if (WireFormatLite::GetTagFieldNumber(t) == 1) api_version = s;
        if (WireFormatLite::GetTagFieldNumber(t) == 2) kind = s;
      }
      require_clean_end(meta, "TypeMeta");
    }
  }
  require_clean_end(in, "the envelope");
  if (!kObjectKinds.count(kind))
    throw ApiError(sdk::Status{415, "UnsupportedMediaType",
                               "protobuf bodies are understood for Namespace, ConfigMap, Secret, Service, Deployment, "
                               "Pod, EndpointSlice, Ingress, IngressClass, Job and CronJob; send " +
                                   (kind.empty() ? std::string("this object") : kind) + " as application/json"});
  json::object object;
  object["apiVersion"] = api_version;
  object["kind"] = kind;
  decode_into(object, raw, kind);
  return object;
}

}  // namespace skiff::apiserver
