// The wire schema of Kubernetes' protobuf: a hand table where Skiff's protos number fields
// differently, Skiff's descriptors (and their k8s_wire options) everywhere else.
#include "k8s_wire_schema.hpp"

#include <google/protobuf/descriptor.h>

#include <set>
#include <sstream>

#include "skiff/api/authentication/v1/authentication.pb.h"
#include "skiff/api/options.pb.h"
#include "served_versions.hpp"
#include "skiff/sdk/resources.hpp"

namespace skiff::apiserver {
namespace {

namespace pb = google::protobuf;

// "message NAME" then "NUMBER jsonName TYPE [repeated] [inline]" per field, field numbers from
// kubernetes/api. Only messages whose Skiff proto is numbered differently (the first protos
// were), and the non-resource kinds kubectl sends; a message named here wins over Skiff's own.
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
3 status PodStatus
message PodStatus
1 phase string
2 conditions PodCondition repeated
3 message string
4 reason string
11 nominatedNodeName string
5 hostIP string
16 hostIPs HostIP repeated
6 podIP string
12 podIPs PodIP repeated
7 startTime Time
10 initContainerStatuses ContainerStatus repeated
8 containerStatuses ContainerStatus repeated
9 qosClass string
13 ephemeralContainerStatuses ContainerStatus repeated
message PodCondition
1 type string
2 status string
3 lastProbeTime Time
4 lastTransitionTime Time
5 reason string
6 message string
message PodIP
1 ip string
message HostIP
1 ip string
message ContainerStatus
1 name string
2 state ContainerState
3 lastState ContainerState
4 ready bool
5 restartCount int32
6 image string
7 imageID string
8 containerID string
9 started bool
message ContainerState
1 waiting ContainerStateWaiting
2 running ContainerStateRunning
3 terminated ContainerStateTerminated
message ContainerStateWaiting
1 reason string
2 message string
message ContainerStateRunning
1 startedAt Time
message ContainerStateTerminated
1 exitCode int32
2 signal int32
3 reason string
4 message string
5 startedAt Time
6 finishedAt Time
7 containerID string
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
27 shareProcessNamespace bool
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
34 ephemeralContainers EphemeralContainer repeated
message EphemeralContainer
1 ephemeralContainerCommon EphemeralContainerCommon inline
2 targetContainerName string
message EphemeralContainerCommon
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
16 downwardAPI DownwardAPIVolumeSource
19 configMap ConfigMapVolumeSource
26 projected ProjectedVolumeSource
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
message DownwardAPIVolumeSource
1 items DownwardAPIVolumeFile repeated
2 defaultMode int32
message DownwardAPIVolumeFile
1 path string
2 fieldRef ObjectFieldSelector
3 resourceFieldRef ResourceFieldSelector
4 mode int32
message ProjectedVolumeSource
1 sources VolumeProjection repeated
2 defaultMode int32
message VolumeProjection
1 secret SecretProjection
2 downwardAPI DownwardAPIProjection
3 configMap ConfigMapProjection
4 serviceAccountToken ServiceAccountTokenProjection
message SecretProjection
1 localObjectReference LocalObjectReference inline
2 items KeyToPath repeated
4 optional bool
message ConfigMapProjection
1 localObjectReference LocalObjectReference inline
2 items KeyToPath repeated
4 optional bool
message DownwardAPIProjection
1 items DownwardAPIVolumeFile repeated
message ServiceAccountTokenProjection
1 audience string
2 expirationSeconds int64
3 path string
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
message ReplicaSet
1 metadata ObjectMeta
2 spec ReplicaSetSpec
message ReplicaSetSpec
1 replicas int32
2 selector LabelSelector
3 template PodTemplateSpec
4 minReadySeconds int32
message DeleteOptions
1 gracePeriodSeconds int64
2 preconditions Preconditions
3 orphanDependents bool
4 propagationPolicy string
5 dryRun string repeated
message Preconditions
1 uid string
2 resourceVersion string
message Eviction
1 metadata ObjectMeta
2 deleteOptions DeleteOptions
message Scale
1 metadata ObjectMeta
2 spec ScaleSpec
message ScaleSpec
1 replicas int32
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
message SelfSubjectAccessReview
1 metadata ObjectMeta
2 spec SelfSubjectAccessReviewSpec
message SelfSubjectAccessReviewSpec
1 resourceAttributes ResourceAttributes
2 nonResourceAttributes NonResourceAttributes
message ResourceAttributes
1 namespace string
2 verb string
3 group string
4 version string
5 resource string
6 subresource string
7 name string
message NonResourceAttributes
1 path string
2 verb string
message SelfSubjectRulesReview
1 metadata ObjectMeta
2 spec SelfSubjectRulesReviewSpec
message SelfSubjectRulesReviewSpec
1 namespace string
message SelfSubjectReview
1 metadata ObjectMeta
message SubjectAccessReview
1 metadata ObjectMeta
2 spec SubjectAccessReviewSpec
message LocalSubjectAccessReview
1 metadata ObjectMeta
2 spec SubjectAccessReviewSpec
message SubjectAccessReviewSpec
1 resourceAttributes ResourceAttributes
2 nonResourceAttributes NonResourceAttributes
3 user string
4 groups string repeated
6 uid string
)";

// The hand table's top-level kinds (the rest are parts of these).
const std::set<std::string> kTableKinds = {"Namespace", "ConfigMap", "Secret",        "Service",      "Deployment",
                                           "ReplicaSet", "Pod",      "EndpointSlice", "Ingress",      "IngressClass",
                                           "DeleteOptions", "Eviction", "Scale", "Job", "CronJob",
                                           "SelfSubjectAccessReview", "SelfSubjectRulesReview", "SelfSubjectReview",
                                           "SubjectAccessReview", "LocalSubjectAccessReview"};

// Kinds whose Skiff proto is numbered unlike k8s.io/api and that the hand table does not
// cover (kubectl's typed commands never send them as protobuf). A CRD keeps its schema as JSON
// text where Kubernetes has the JSONSchemaProps message.
const std::set<std::string> kSkiffNumberedKinds = {"Node",  "Endpoints",    "Event",
                                                   "Lease", "RuntimeClass", "PersistentVolume",
                                                   "PersistentVolumeClaim", "CustomResourceDefinition"};

using Schema = std::map<std::string, WireMessage>;

Schema parse_table() {
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
    WireField f;
    words >> f.json >> f.type;
    for (std::string flag; words >> flag;) {
      f.repeated |= flag == "repeated";
      f.inline_ |= flag == "inline";
    }
    s[current][std::stoi(first)] = f;
  }
  return s;
}

// Kubernetes keeps times as a Time message; Skiff keeps RFC 3339 text under the same name.
bool named_like_time(const std::string& json) {
  auto ends_with = [&](const std::string& tail) {
    return json.size() >= tail.size() && json.compare(json.size() - tail.size(), tail.size(), tail) == 0;
  };
  return ends_with("Time") || ends_with("Timestamp");
}

class SchemaBuilder {
 public:
  explicit SchemaBuilder(Schema& schema) : schema_(schema) {}

  // The key a Skiff message is known by, its fields derived on first sight.
  std::string key_of(const pb::Descriptor* d) {
    if (d->full_name() == "skiff.api.meta.v1.IntOrString") return "IntOrString";
    if (d->full_name() == "skiff.api.meta.v1.RawExtension") return "RawExtension";
    if (table_names_.count(d->name())) return d->name();
    std::string key = d->full_name();
    if (!schema_.count(key)) {
      schema_[key];  // claimed first: a message may contain itself
      WireMessage fields;
      for (int i = 0; i < d->field_count(); ++i) fields[d->field(i)->number()] = field_of(d->field(i));
      schema_[key] = std::move(fields);
    }
    return key;
  }

  // Before any derivation: the hand table's names win over Skiff's messages of that name.
  void remember_table() {
    for (const auto& [name, fields] : schema_) table_names_.insert(name);
  }

 private:
  std::string scalar_of(const pb::FieldDescriptor* f) {
    switch (f->cpp_type()) {
      case pb::FieldDescriptor::CPPTYPE_BOOL: return "bool";
      case pb::FieldDescriptor::CPPTYPE_INT32:
      case pb::FieldDescriptor::CPPTYPE_ENUM: return "int32";
      case pb::FieldDescriptor::CPPTYPE_INT64:
      case pb::FieldDescriptor::CPPTYPE_UINT32:
      case pb::FieldDescriptor::CPPTYPE_UINT64: return "int64";
      case pb::FieldDescriptor::CPPTYPE_MESSAGE: return key_of(f->message_type());
      default: return f->type() == pb::FieldDescriptor::TYPE_BYTES ? "bytes" : "string";
    }
  }

  WireField field_of(const pb::FieldDescriptor* f) {
    WireField out;
    out.json = f->json_name();
    const std::string& wire = f->options().GetExtension(api::k8s_wire);
    if (f->is_map()) {
      const pb::FieldDescriptor* value = f->message_type()->map_value();
      out.type = !wire.empty()                                      ? wire
                 : f->options().GetExtension(api::quantities)      ? "map:Quantity"
                                                                     : "map:" + scalar_of(value);
      return out;
    }
    out.repeated = f->is_repeated();
    out.type = scalar_of(f);
    if (!wire.empty()) out.type = wire;
    else if (out.type == "string" && named_like_time(out.json)) out.type = "Time";
    return out;
  }

  Schema& schema_;
  std::set<std::string> table_names_;
};

struct Registry {
  Schema schema;
  std::map<std::string, std::string> kinds;  // "apiVersion/Kind" and "Kind" → key
};

const Registry& registry() {
  static const Registry built = [] {
    Registry r;
    r.schema = parse_table();
    SchemaBuilder builder(r.schema);
    builder.remember_table();
    for (const auto& kind : kTableKinds) r.kinds[kind] = kind;
    for (const auto& type : sdk::resource_types()) {
      // Read with Skiff's numbers these would decode into the wrong fields: 415 is the honest answer.
      if (kSkiffNumberedKinds.count(type.kind) && !kTableKinds.count(type.kind)) continue;
      std::string key = builder.key_of(type.descriptor);
      r.kinds[type.api_version() + "/" + type.kind] = key;
      r.kinds.emplace(type.kind, key);
    }
    // Kinds only ever posted, never stored (kubectl create token sends a TokenRequest).
    for (const auto* d : {api::authentication::v1::TokenRequest::descriptor(), api::authentication::v1::TokenReview::descriptor()}) {
      std::string key = builder.key_of(d);
      r.kinds["authentication.k8s.io/v1/" + d->name()] = key;
      r.kinds.emplace(d->name(), key);
    }
    // After the stored kinds, so a bare kind name keeps meaning the stored version.
    for (const auto& served : served_versions())
      r.kinds[served.type.api_version() + "/" + served.type.kind] = builder.key_of(served.type.descriptor);
    return r;
  }();
  return built;
}

}  // namespace

const WireMessage* wire_message(const std::string& key) {
  const auto& schema = registry().schema;
  auto found = schema.find(key);
  return found == schema.end() ? nullptr : &found->second;
}

std::string wire_kind(const std::string& api_version, const std::string& kind) {
  const auto& kinds = registry().kinds;
  if (auto exact = kinds.find(api_version + "/" + kind); exact != kinds.end()) return exact->second;
  auto any = kinds.find(kind);  // policy/v1beta1 Eviction, autoscaling/v1 Scale …: one wire shape
  return any == kinds.end() ? "" : any->second;
}

std::string wire_kinds_text() {
  std::set<std::string> names;
  for (const auto& [name, key] : registry().kinds)
    if (name.find('/') == std::string::npos) names.insert(name);
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace skiff::apiserver
