// Names, addresses and objects derived from indices only, so every contender gets the same cluster.
#include "dns_cluster_data.hpp"

#include <cstdio>

namespace skiff::bench {

namespace {

dns::IpAddress ip(const std::string& text) { return boost::asio::ip::make_address(text); }

std::string uid(const char* kind, int index) {
  char text[40];
  std::snprintf(text, sizeof text, "%.8x-0000-4000-8000-%012x", static_cast<unsigned>(kind[0]), static_cast<unsigned>(index));
  return text;
}

std::string pod_name(int pod, const ClusterShape& shape) {
  int service = pod / shape.pods_per_service;
  return service_name(service) + "-" + std::to_string(pod % shape.pods_per_service);
}

void fill_metadata(api::meta::v1::ObjectMeta& meta, const std::string& name, const std::string& namespace_,
                   const char* kind, int index) {
  meta.set_name(name);
  meta.set_namespace_(namespace_);
  meta.set_uid(uid(kind, index));
  meta.set_resource_version(std::to_string(100000 + index));
  meta.set_creation_timestamp("2026-11-27T01:02:03Z");
}

}  // namespace

std::string service_namespace(int service, const ClusterShape& shape) { return "ns-" + std::to_string(service % shape.namespaces); }
std::string service_name(int service) { return "svc-" + std::to_string(service); }
std::string service_fqdn(int service, const ClusterShape& shape) {
  return service_name(service) + "." + service_namespace(service, shape) + ".svc.cluster.local";
}
bool is_headless(int service, const ClusterShape& shape) {
  return shape.headless_every > 0 && service % shape.headless_every == shape.headless_every - 1;
}

std::string cluster_ip(int service) {
  int n = service + 10;
  return "10." + std::to_string(96 + (n >> 16)) + "." + std::to_string((n >> 8) & 255) + "." + std::to_string(n & 255);
}

std::string pod_ip(int pod) { return "10.244." + std::to_string(pod / 250) + "." + std::to_string(pod % 250 + 2); }

std::vector<dns::Service> zone_services(const ClusterShape& shape) {
  std::vector<dns::Service> services;
  services.reserve(static_cast<std::size_t>(shape.services));
  for (int i = 0; i < shape.services; ++i) {
    dns::Service service;
    service.namespace_ = service_namespace(i, shape);
    service.name = service_name(i);
    if (is_headless(i, shape)) {
      service.headless = true;
      service.ports = {{"peer", dns::PortProtocol::TCP, 2380}};
      for (int k = 0; k < shape.pods_per_service; ++k) {
        dns::ServiceEndpoint endpoint;
        endpoint.address = ip(pod_ip(i * shape.pods_per_service + k));
        endpoint.hostname = pod_name(i * shape.pods_per_service + k, shape);
        endpoint.node_name = "node-" + std::to_string(k);
        service.endpoints.push_back(std::move(endpoint));
      }
    } else {
      service.cluster_ips = {ip(cluster_ip(i))};
      service.ports = {{"http", dns::PortProtocol::TCP, 80}};
      if (i % 2 == 0) service.ports.push_back({"metrics", dns::PortProtocol::TCP, 9090});
    }
    services.push_back(std::move(service));
  }
  return services;
}

std::vector<dns::Pod> zone_pods(const ClusterShape& shape) {
  std::vector<dns::Pod> pods;
  int count = shape.services * shape.pods_per_service;
  pods.reserve(static_cast<std::size_t>(count));
  for (int p = 0; p < count; ++p) {
    dns::Pod pod;
    pod.namespace_ = service_namespace(p / shape.pods_per_service, shape);
    pod.name = pod_name(p, shape);
    pod.ips = {ip(pod_ip(p))};
    pods.push_back(std::move(pod));
  }
  return pods;
}

api::core::v1::Service service_object(int service, const ClusterShape& shape) {
  api::core::v1::Service object;
  fill_metadata(*object.mutable_metadata(), service_name(service), service_namespace(service, shape), "Service", service);
  (*object.mutable_metadata()->mutable_labels())["app"] = service_name(service);
  auto& spec = *object.mutable_spec();
  (*spec.mutable_selector())["app"] = service_name(service);
  spec.set_type("ClusterIP");
  spec.set_session_affinity("None");
  spec.add_ip_families("IPv4");
  spec.set_ip_family_policy("SingleStack");
  spec.set_internal_traffic_policy("Cluster");
  bool headless = is_headless(service, shape);
  spec.set_cluster_ip(headless ? "None" : cluster_ip(service));
  spec.add_cluster_ips(spec.cluster_ip());
  auto add_port = [&](const char* name, int port, int target) {
    auto& p = *spec.add_ports();
    p.set_name(name);
    p.set_protocol("TCP");
    p.set_port(port);
    p.mutable_target_port()->set_int_val(target);
  };
  if (headless) add_port("peer", 2380, 2380);
  else add_port("http", 80, 8080);
  if (!headless && service % 2 == 0) add_port("metrics", 9090, 9090);
  return object;
}

api::core::v1::Pod pod_object(int pod, const ClusterShape& shape) {
  int service = pod / shape.pods_per_service;
  api::core::v1::Pod object;
  fill_metadata(*object.mutable_metadata(), pod_name(pod, shape), service_namespace(service, shape), "Pod", pod);
  (*object.mutable_metadata()->mutable_labels())["app"] = service_name(service);
  (*object.mutable_metadata()->mutable_labels())["pod-template-hash"] = "5d4f8c7b9";
  auto& owner = *object.mutable_metadata()->add_owner_references();
  owner.set_api_version("apps/v1");
  owner.set_kind("ReplicaSet");
  owner.set_name(service_name(service) + "-5d4f8c7b9");
  owner.set_uid(uid("ReplicaSet", service));
  owner.set_controller(true);
  owner.set_block_owner_deletion(true);

  auto& spec = *object.mutable_spec();
  auto& container = *spec.add_containers();
  container.set_name("app");
  container.set_image("registry.example.com/team/app:1.4.2");
  auto& port = *container.add_ports();
  port.set_container_port(8080);
  port.set_protocol("TCP");
  (*container.mutable_resources()->mutable_requests())["cpu"] = "100m";
  (*container.mutable_resources()->mutable_requests())["memory"] = "128Mi";
  container.set_termination_message_path("/dev/termination-log");
  container.set_termination_message_policy("File");
  container.set_image_pull_policy("IfNotPresent");
  spec.set_restart_policy("Always");
  spec.set_termination_grace_period_seconds(30);
  spec.set_dns_policy("ClusterFirst");
  spec.set_service_account_name("default");
  spec.set_service_account("default");
  spec.set_node_name("node-" + std::to_string(pod % 100));
  spec.set_scheduler_name("default-scheduler");
  spec.set_enable_service_links(true);

  auto& status = *object.mutable_status();
  status.set_phase("Running");
  for (const char* type : {"PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"}) {
    auto& condition = *status.add_conditions();
    condition.set_type(type);
    condition.set_status("True");
    condition.set_last_transition_time("2026-11-27T01:02:05Z");
  }
  status.set_host_ip("172.18.0." + std::to_string(pod % 100 + 2));
  status.add_host_ips()->set_ip(status.host_ip());
  status.set_pod_ip(pod_ip(pod));
  status.add_pod_ips()->set_ip(pod_ip(pod));
  status.set_start_time("2026-11-27T01:02:04Z");
  auto& container_status = *status.add_container_statuses();
  container_status.set_name("app");
  container_status.mutable_state()->mutable_running()->set_started_at("2026-11-27T01:02:05Z");
  container_status.set_ready(true);
  container_status.set_image(container.image());
  container_status.set_image_id("registry.example.com/team/app@sha256:9b1c3e0d5f7a2b4c6d8e0f1a3b5c7d9e1f3a5b7c9d1e3f5a7b9c1d3e5f7a9b1c");
  container_status.set_container_id("docker://" + std::string(64, 'a'));
  container_status.set_started(true);
  status.set_qos_class("Burstable");
  return object;
}

api::discovery::v1::EndpointSlice endpoint_slice_object(int service, const ClusterShape& shape) {
  api::discovery::v1::EndpointSlice object;
  auto namespace_ = service_namespace(service, shape);
  fill_metadata(*object.mutable_metadata(), service_name(service) + "-x7k2p", namespace_, "EndpointSlice", service);
  (*object.mutable_metadata()->mutable_labels())["kubernetes.io/service-name"] = service_name(service);
  (*object.mutable_metadata()->mutable_labels())["endpointslice.kubernetes.io/managed-by"] = "endpointslice-controller.k8s.io";
  auto& owner = *object.mutable_metadata()->add_owner_references();
  owner.set_api_version("v1");
  owner.set_kind("Service");
  owner.set_name(service_name(service));
  owner.set_uid(uid("Service", service));
  object.set_address_type("IPv4");
  for (int k = 0; k < shape.pods_per_service; ++k) {
    int pod = service * shape.pods_per_service + k;
    auto& endpoint = *object.add_endpoints();
    endpoint.add_addresses(pod_ip(pod));
    endpoint.mutable_conditions()->set_ready(true);
    endpoint.mutable_conditions()->set_serving(true);
    endpoint.mutable_conditions()->set_terminating(false);
    if (is_headless(service, shape)) endpoint.set_hostname(pod_name(pod, shape));
    auto& target = *endpoint.mutable_target_ref();
    target.set_kind("Pod");
    target.set_namespace_(namespace_);
    target.set_name(pod_name(pod, shape));
    target.set_uid(uid("Pod", pod));
    endpoint.set_node_name("node-" + std::to_string(pod % 100));
  }
  auto& port = *object.add_ports();
  port.set_name(is_headless(service, shape) ? "peer" : "http");
  port.set_protocol("TCP");
  port.set_port(is_headless(service, shape) ? 2380 : 8080);
  return object;
}

}  // namespace skiff::bench
