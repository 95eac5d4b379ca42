// The Table the server renders for `kubectl get`: columns, and cells as Kubernetes' printers
// compute them (READY x/y, STATUS reasons, RESTARTS with their age, ages, external IPs …).
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "skiff/api/apps/v1/apps.pb.h"
#include "skiff/api/coordination/v1/lease.pb.h"
#include "skiff/api/core/v1/core.pb.h"
#include "skiff/api/core/v1/node.pb.h"
#include "skiff/api/core/v1/pod.pb.h"
#include "skiff/api/core/v1/service.pb.h"
#include "skiff/api/discovery/v1/discovery.pb.h"
#include "skiff/api/networking/v1/networking.pb.h"
#include "skiff/api/core/v1/persistent_volume.pb.h"
#include "skiff/api/storage/v1/storage.pb.h"
#include "skiff/sdk/time.hpp"
#include "tables.hpp"

namespace {

using namespace skiff;
using namespace std::chrono_literals;
namespace json = boost::json;
namespace core = api::core::v1;
namespace apps = api::apps::v1;

// Ages of ten minutes and more: a second passing while the test runs does not change their text.
std::string ago(std::chrono::seconds age) { return sdk::format_rfc3339(sdk::WallClock::now() - age); }

template <class T>
json::object table_of(const std::vector<T>& objects, apiserver::TableOptions options = {}) {
  std::vector<std::shared_ptr<google::protobuf::Message>> items;
  for (const auto& o : objects) items.push_back(std::make_shared<T>(o));
  return apiserver::render_table(sdk::resource_type_of<T>(), items, options);
}

// The row's cells by column name, as text (numbers printed).
template <class T>
std::map<std::string, std::string> row(const T& object) {
  auto table = table_of(std::vector<T>{object});
  std::map<std::string, std::string> cells;
  const auto& columns = table.at("columnDefinitions").as_array();
  const auto& values = table.at("rows").as_array().at(0).at("cells").as_array();
  EXPECT_EQ(columns.size(), values.size());
  for (std::size_t i = 0; i < columns.size() && i < values.size(); ++i) {
    const auto& v = values[i];
    cells[std::string(columns[i].at("name").as_string())] = v.is_string() ? std::string(v.as_string()) : json::serialize(v);
  }
  return cells;
}

std::vector<std::string> column_names(const json::object& table, int priority) {
  std::vector<std::string> names;
  for (const auto& c : table.at("columnDefinitions").as_array())
    if (c.at("priority").as_int64() == priority) names.emplace_back(c.at("name").as_string());
  return names;
}

// ---- pods ----

class PodBuilder {
 public:
  PodBuilder() {
    pod_.mutable_metadata()->set_name("web");
    pod_.mutable_metadata()->set_creation_timestamp(ago(10min));
    pod_.mutable_status()->set_phase("Running");
  }
  core::ContainerStatus& container(const std::string& name, bool init = false) {
    auto* c = init ? pod_.mutable_spec()->add_init_containers() : pod_.mutable_spec()->add_containers();
    c->set_name(name);
    auto* s = init ? pod_.mutable_status()->add_init_container_statuses() : pod_.mutable_status()->add_container_statuses();
    s->set_name(name);
    return *s;
  }
  core::ContainerStatus& running(const std::string& name, bool ready = true) {
    auto& s = container(name);
    s.mutable_state()->mutable_running();
    s.set_ready(ready);
    return s;
  }
  void condition(const std::string& type, const std::string& status, const std::string& reason = "") {
    auto* c = pod_.mutable_status()->add_conditions();
    c->set_type(type);
    c->set_status(status);
    c->set_reason(reason);
  }
  core::Pod& operator*() { return pod_; }
  core::Pod* operator->() { return &pod_; }

 private:
  core::Pod pod_;
};

TEST(PodTable, ColumnsAsKubectlShowsThem) {
  auto table = table_of(std::vector<core::Pod>{});
  EXPECT_EQ(column_names(table, 0), (std::vector<std::string>{"Name", "Ready", "Status", "Restarts", "Age"}));
  EXPECT_EQ(column_names(table, 1), (std::vector<std::string>{"IP", "Node", "Nominated Node", "Readiness Gates"}));
  const auto& first = table.at("columnDefinitions").as_array().at(0);
  EXPECT_EQ(first.at("format"), "name");
  EXPECT_EQ(table.at("columnDefinitions").as_array().at(3).at("type"), "string") << "RESTARTS is \"3 (5m ago)\"";
  EXPECT_EQ(table.at("kind"), "Table");
  EXPECT_EQ(table.at("apiVersion"), "meta.k8s.io/v1");
}

TEST(PodTable, ARunningPod) {
  PodBuilder p;
  p.running("web");
  p.running("metrics", false);
  p->mutable_status()->set_pod_ip("10.244.0.7");
  p->mutable_spec()->set_node_name("node-1");
  auto cells = row(*p);
  EXPECT_EQ(cells["Name"], "web");
  EXPECT_EQ(cells["Ready"], "1/2");
  EXPECT_EQ(cells["Status"], "Running");
  EXPECT_EQ(cells["Restarts"], "0");
  EXPECT_EQ(cells["Age"], "10m");
  EXPECT_EQ(cells["IP"], "10.244.0.7");
  EXPECT_EQ(cells["Node"], "node-1");
  EXPECT_EQ(cells["Nominated Node"], "<none>");
  EXPECT_EQ(cells["Readiness Gates"], "<none>");
}

TEST(PodTable, RestartsSayWhenTheLastOneWas) {
  PodBuilder p;
  auto& a = p.running("a");
  a.set_restart_count(2);
  a.mutable_last_state()->mutable_terminated()->set_finished_at(ago(3h));
  auto& b = p.running("b");
  b.set_restart_count(1);
  b.mutable_last_state()->mutable_terminated()->set_finished_at(ago(15min));
  EXPECT_EQ(row(*p)["Restarts"], "3 (15m ago)");
  PodBuilder unknown_time;
  unknown_time.running("a").set_restart_count(4);
  EXPECT_EQ(row(*unknown_time)["Restarts"], "4");
}

TEST(PodTable, InitContainersNameTheStatusWhileTheyRun) {
  PodBuilder waiting;
  waiting->mutable_status()->set_phase("Pending");
  waiting.container("setup", true).mutable_state()->mutable_waiting()->set_reason("PodInitializing");
  waiting.container("migrate", true);
  waiting.container("web").mutable_state()->mutable_waiting()->set_reason("PodInitializing");
  EXPECT_EQ(row(*waiting)["Status"], "Init:0/2");

  PodBuilder second;
  second->mutable_status()->set_phase("Pending");
  second.container("setup", true).mutable_state()->mutable_terminated()->set_reason("Completed");
  auto& migrate = second.container("migrate", true);
  migrate.mutable_state()->mutable_running();
  migrate.set_restart_count(1);
  second.container("web");
  EXPECT_EQ(row(*second)["Status"], "Init:1/2");
  EXPECT_EQ(row(*second)["Restarts"], "1") << "init containers' restarts count while initializing";

  PodBuilder crashing;
  crashing.container("setup", true).mutable_state()->mutable_waiting()->set_reason("CrashLoopBackOff");
  crashing.container("web");
  EXPECT_EQ(row(*crashing)["Status"], "Init:CrashLoopBackOff");
}

TEST(PodTable, AFailedInitContainerShowsItsExit) {
  auto status_with = [](int exit_code, int signal, const std::string& reason) {
    PodBuilder p;
    auto* t = p.container("setup", true).mutable_state()->mutable_terminated();
    t->set_exit_code(exit_code);
    t->set_signal(signal);
    t->set_reason(reason);
    p.container("web");
    return row(*p)["Status"];
  };
  EXPECT_EQ(status_with(1, 0, ""), "Init:ExitCode:1");
  EXPECT_EQ(status_with(137, 9, ""), "Init:Signal:9");
  EXPECT_EQ(status_with(1, 0, "Error"), "Init:Error");
}

TEST(PodTable, SidecarsCountTowardsReady) {
  PodBuilder p;
  auto& proxy = p.container("proxy", true);
  p->mutable_spec()->mutable_init_containers(0)->set_restart_policy("Always");
  proxy.set_started(true);
  proxy.set_ready(true);
  proxy.mutable_state()->mutable_running();
  p.running("web");
  p.condition("Initialized", "True");
  auto cells = row(*p);
  EXPECT_EQ(cells["Ready"], "2/2");
  EXPECT_EQ(cells["Status"], "Running");
}

TEST(PodTable, ContainerStatesNameTheStatus) {
  PodBuilder pulling;
  pulling->mutable_status()->set_phase("Pending");
  pulling.container("web").mutable_state()->mutable_waiting()->set_reason("ImagePullBackOff");
  EXPECT_EQ(row(*pulling)["Status"], "ImagePullBackOff");

  PodBuilder killed;
  auto* t = killed.container("web").mutable_state()->mutable_terminated();
  t->set_exit_code(137);
  t->set_signal(9);
  EXPECT_EQ(row(*killed)["Status"], "Signal:9");

  PodBuilder exited;
  exited.container("web").mutable_state()->mutable_terminated()->set_exit_code(2);
  EXPECT_EQ(row(*exited)["Status"], "ExitCode:2");

  PodBuilder done;
  done->mutable_status()->set_phase("Succeeded");
  done.container("job").mutable_state()->mutable_terminated()->set_reason("Completed");
  EXPECT_EQ(row(*done)["Status"], "Completed");
  EXPECT_EQ(row(*done)["Ready"], "0/1");
}

TEST(PodTable, ACompletedContainerNextToRunningOnesIsRunningOrNotReady) {
  PodBuilder p;
  p.running("web");
  p.container("once").mutable_state()->mutable_terminated()->set_reason("Completed");
  EXPECT_EQ(row(*p)["Status"], "NotReady") << "the pod is not Ready";
  p.condition("Ready", "True");
  EXPECT_EQ(row(*p)["Status"], "Running");
}

TEST(PodTable, DeletionShowsTerminatingUnlessFinishedOrLost) {
  PodBuilder p;
  p.running("web");
  p->mutable_metadata()->set_deletion_timestamp(ago(1s));
  EXPECT_EQ(row(*p)["Status"], "Terminating");
  p->mutable_status()->set_reason("NodeLost");
  EXPECT_EQ(row(*p)["Status"], "Unknown");
  PodBuilder done;
  done->mutable_status()->set_phase("Succeeded");
  done.container("job").mutable_state()->mutable_terminated()->set_reason("Completed");
  done->mutable_metadata()->set_deletion_timestamp(ago(1s));
  EXPECT_EQ(row(*done)["Status"], "Completed");
}

TEST(PodTable, PendingGatedEvictedAndReadinessGates) {
  PodBuilder pending;
  pending->mutable_status()->set_phase("Pending");
  pending->mutable_spec()->add_containers()->set_name("web");
  EXPECT_EQ(row(*pending)["Status"], "Pending");
  EXPECT_EQ(row(*pending)["Ready"], "0/1");
  pending.condition("PodScheduled", "False", "SchedulingGated");
  EXPECT_EQ(row(*pending)["Status"], "SchedulingGated");
  PodBuilder evicted;
  evicted->mutable_status()->set_phase("Failed");
  evicted->mutable_status()->set_reason("Evicted");
  EXPECT_EQ(row(*evicted)["Status"], "Evicted");
  PodBuilder gated;
  gated.running("web");
  gated->mutable_spec()->add_readiness_gates()->set_condition_type("example.com/lb");
  gated->mutable_spec()->add_readiness_gates()->set_condition_type("example.com/dns");
  gated.condition("example.com/lb", "True");
  gated.condition("example.com/dns", "False");
  EXPECT_EQ(row(*gated)["Readiness Gates"], "1/2");
}

TEST(PodTable, AgesAndTableOptions) {
  PodBuilder p;
  p->mutable_metadata()->set_creation_timestamp("");
  EXPECT_EQ(row(*p)["Age"], "<unknown>");
  p->mutable_metadata()->set_creation_timestamp(ago(50h));
  EXPECT_EQ(row(*p)["Age"], "2d2h");
  p->mutable_metadata()->set_creation_timestamp(ago(std::chrono::hours(24 * 800)));
  EXPECT_EQ(row(*p)["Age"], "2y70d");
  p->mutable_metadata()->set_creation_timestamp(ago(-1h));
  EXPECT_EQ(row(*p)["Age"], "<invalid>") << "created in the future";
  apiserver::TableOptions options;
  options.include_object = "None";
  options.resource_version = "42";
  options.continue_token = "next";
  auto none = table_of(std::vector<core::Pod>{*p}, options);
  EXPECT_EQ(none.at("metadata"), json::parse(R"({"resourceVersion":"42","continue":"next"})"));
  EXPECT_FALSE(none.at("rows").as_array().at(0).as_object().contains("object"));
  auto metadata = table_of(std::vector<core::Pod>{*p});
  const auto& partial = metadata.at("rows").as_array().at(0).at("object");
  EXPECT_EQ(partial.at("kind"), "PartialObjectMetadata");
  EXPECT_EQ(partial.at("metadata").at("name"), "web");
  options.include_object = "Object";
  options.include_columns = false;
  auto full = table_of(std::vector<core::Pod>{*p}, options);
  EXPECT_TRUE(full.at("columnDefinitions").as_array().empty());
  EXPECT_EQ(full.at("rows").as_array().at(0).at("object").at("kind"), "Pod");
}

// ---- nodes ----

core::Node node(const std::string& ready) {
  core::Node n;
  n.mutable_metadata()->set_name("node-1");
  n.mutable_metadata()->set_creation_timestamp(ago(3h + 5min));
  if (!ready.empty()) {
    auto* c = n.mutable_status()->add_conditions();
    c->set_type("Ready");
    c->set_status(ready);
  }
  n.mutable_status()->mutable_node_info()->set_kubelet_version("v1.29.0-skiff");
  return n;
}

TEST(NodeTable, StatusRolesAndWideColumns) {
  auto n = node("True");
  (*n.mutable_metadata()->mutable_labels())["node-role.kubernetes.io/control-plane"] = "";
  (*n.mutable_metadata()->mutable_labels())["kubernetes.io/role"] = "worker";
  auto* internal = n.mutable_status()->add_addresses();
  internal->set_type("InternalIP");
  internal->set_address("192.168.1.10");
  auto cells = row(n);
  EXPECT_EQ(cells["Status"], "Ready");
  EXPECT_EQ(cells["Roles"], "control-plane,worker");
  EXPECT_EQ(cells["Age"], "3h5m");
  EXPECT_EQ(cells["Version"], "v1.29.0-skiff");
  EXPECT_EQ(cells["Internal-IP"], "192.168.1.10");
  EXPECT_EQ(cells["External-IP"], "<none>");
  EXPECT_EQ(cells["OS-Image"], "<unknown>");
  EXPECT_EQ(cells["Kernel-Version"], "<unknown>");
  EXPECT_EQ(cells["Container-Runtime"], "<unknown>");
}

TEST(NodeTable, AnyReadyButTrueIsNotReady) {
  EXPECT_EQ(row(node("False"))["Status"], "NotReady");
  EXPECT_EQ(row(node("Unknown"))["Status"], "NotReady") << "a node gone silent";
  EXPECT_EQ(row(node(""))["Status"], "Unknown") << "no Ready condition at all";
  auto cordoned = node("True");
  cordoned.mutable_spec()->set_unschedulable(true);
  EXPECT_EQ(row(cordoned)["Status"], "Ready,SchedulingDisabled");
  EXPECT_EQ(row(cordoned)["Roles"], "<none>");
}

// ---- workloads ----

TEST(WorkloadTables, DeploymentAndReplicaSet) {
  apps::Deployment d;
  d.mutable_metadata()->set_name("web");
  d.mutable_metadata()->set_creation_timestamp(ago(20min));
  d.mutable_spec()->set_replicas(3);
  (*d.mutable_spec()->mutable_selector()->mutable_match_labels())["app"] = "web";
  for (auto [name, image] : {std::pair{"web", "nginx:1"}, std::pair{"log", "fluent:2"}}) {
    auto* c = d.mutable_spec()->mutable_template_()->mutable_spec()->add_containers();
    c->set_name(name);
    c->set_image(image);
  }
  d.mutable_status()->set_ready_replicas(1);
  d.mutable_status()->set_updated_replicas(2);
  d.mutable_status()->set_available_replicas(1);
  auto cells = row(d);
  EXPECT_EQ(cells["Ready"], "1/3");
  EXPECT_EQ(cells["Up-to-date"], "2");
  EXPECT_EQ(cells["Available"], "1");
  EXPECT_EQ(cells["Age"], "20m");
  EXPECT_EQ(cells["Containers"], "web,log");
  EXPECT_EQ(cells["Images"], "nginx:1,fluent:2");
  EXPECT_EQ(cells["Selector"], "app=web");
  apps::ReplicaSet rs;
  rs.mutable_metadata()->set_name("web-abc");
  rs.mutable_spec()->set_replicas(3);
  rs.mutable_status()->set_replicas(2);
  rs.mutable_status()->set_ready_replicas(1);
  auto rs_cells = row(rs);
  EXPECT_EQ(rs_cells["Desired"], "3");
  EXPECT_EQ(rs_cells["Current"], "2");
  EXPECT_EQ(rs_cells["Ready"], "1");
}

// ---- services, endpoints, ingresses ----

core::Service service(const std::string& type) {
  core::Service s;
  s.mutable_metadata()->set_name("web");
  s.mutable_spec()->set_type(type);
  s.mutable_spec()->set_cluster_ip("10.96.0.10");
  s.mutable_spec()->add_cluster_ips("10.96.0.10");
  auto* http = s.mutable_spec()->add_ports();
  http->set_port(80);
  http->set_protocol("TCP");
  auto* https = s.mutable_spec()->add_ports();
  https->set_port(443);
  https->set_protocol("TCP");
  if (type == "NodePort" || type == "LoadBalancer") https->set_node_port(30443);
  (*s.mutable_spec()->mutable_selector())["tier"] = "front";
  (*s.mutable_spec()->mutable_selector())["app"] = "web";
  return s;
}

TEST(ServiceTable, ClusterIpAndNodePort) {
  auto cells = row(service("ClusterIP"));
  EXPECT_EQ(cells["Type"], "ClusterIP");
  EXPECT_EQ(cells["Cluster-IP"], "10.96.0.10");
  EXPECT_EQ(cells["External-IP"], "<none>");
  EXPECT_EQ(cells["Port(s)"], "80/TCP,443/TCP");
  EXPECT_EQ(cells["Selector"], "app=web,tier=front");
  auto node_port = service("NodePort");
  node_port.mutable_status()->mutable_load_balancer()->add_ingress()->set_ip("1.2.3.4");
  EXPECT_EQ(row(node_port)["Port(s)"], "80/TCP,443:30443/TCP");
  EXPECT_EQ(row(node_port)["External-IP"], "<none>") << "only a LoadBalancer shows its ingress";
  node_port.mutable_spec()->add_external_ips("5.6.7.8");
  EXPECT_EQ(row(node_port)["External-IP"], "5.6.7.8");
}

TEST(ServiceTable, LoadBalancerAndExternalName) {
  auto lb = service("LoadBalancer");
  EXPECT_EQ(row(lb)["External-IP"], "<pending>");
  lb.mutable_status()->mutable_load_balancer()->add_ingress()->set_hostname("lb.example.com");
  lb.mutable_status()->mutable_load_balancer()->add_ingress()->set_ip("203.0.113.9");
  lb.mutable_status()->mutable_load_balancer()->add_ingress()->set_ip("203.0.113.9");
  EXPECT_EQ(row(lb)["External-IP"], "203.0.113.9,lb.example.com") << "sorted, once each";
  lb.mutable_spec()->add_external_ips("198.51.100.1");
  EXPECT_EQ(row(lb)["External-IP"], "203.0.113.9,lb.example.com,198.51.100.1") << "balancer first, then externalIPs";
  core::Service external;
  external.mutable_metadata()->set_name("db");
  external.mutable_spec()->set_type("ExternalName");
  external.mutable_spec()->set_external_name("db.example.com");
  auto cells = row(external);
  EXPECT_EQ(cells["External-IP"], "db.example.com");
  EXPECT_EQ(cells["Cluster-IP"], "<none>");
  EXPECT_EQ(cells["Port(s)"], "<none>");
  EXPECT_EQ(cells["Selector"], "<none>");
}

core::EndpointSubset subset(std::initializer_list<const char*> ips, std::initializer_list<int> ports) {
  core::EndpointSubset s;
  for (const char* ip : ips) s.add_addresses()->set_ip(ip);
  for (int port : ports) s.add_ports()->set_port(port);
  return s;
}

TEST(EndpointsTable, ThreeEndpointsThenACount) {
  core::Endpoints ep;
  ep.mutable_metadata()->set_name("web");
  EXPECT_EQ(row(ep)["Endpoints"], "<none>");
  *ep.add_subsets() = subset({"10.0.0.1", "10.0.0.2"}, {80, 443});
  EXPECT_EQ(row(ep)["Endpoints"], "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...") << "port by port";
  core::Endpoints headless;
  headless.mutable_metadata()->set_name("db");
  *headless.add_subsets() = subset({"10.0.0.5", "10.0.0.6"}, {});
  EXPECT_EQ(row(headless)["Endpoints"], "10.0.0.5,10.0.0.6");
  core::Endpoints v6;
  v6.mutable_metadata()->set_name("v6");
  *v6.add_subsets() = subset({"fd00::1"}, {8080});
  EXPECT_EQ(row(v6)["Endpoints"], "[fd00::1]:8080");
}

TEST(IngressTable, HostsAddressesPorts) {
  api::networking::v1::Ingress ing;
  ing.mutable_metadata()->set_name("site");
  auto cells = row(ing);
  EXPECT_EQ(cells["Class"], "<none>");
  EXPECT_EQ(cells["Hosts"], "*");
  EXPECT_EQ(cells["Ports"], "80");
  ing.mutable_spec()->set_ingress_class_name("nginx");
  for (const char* host : {"a.example.com", "", "b.example.com", "c.example.com", "d.example.com"})
    ing.mutable_spec()->add_rules()->set_host(host);
  ing.mutable_spec()->add_tls();
  ing.mutable_status()->mutable_load_balancer()->add_ingress()->set_ip("10.0.0.9");
  ing.mutable_status()->mutable_load_balancer()->add_ingress()->set_hostname("a-lb.example.com");
  cells = row(ing);
  EXPECT_EQ(cells["Class"], "nginx");
  EXPECT_EQ(cells["Hosts"], "a.example.com,b.example.com,c.example.com + 2 more...") << "a rule without host is no host";
  EXPECT_EQ(cells["Address"], "10.0.0.9,a-lb.example.com");
  EXPECT_EQ(cells["Ports"], "80, 443");
}

// printIngressClass: NAME CONTROLLER PARAMETERS AGE, parameters as Kind[.apiGroup]/name.
TEST(IngressClassTable, ControllerAndParameters) {
  api::networking::v1::IngressClass ic;
  ic.mutable_metadata()->set_name("skiff");
  ic.mutable_metadata()->set_creation_timestamp(ago(std::chrono::hours(3)));
  ic.mutable_spec()->set_controller("skiff.io/ingress");
  auto table = table_of(std::vector<api::networking::v1::IngressClass>{ic});
  EXPECT_EQ(column_names(table, 0), (std::vector<std::string>{"Name", "Controller", "Parameters", "Age"}));
  auto cells = row(ic);
  EXPECT_EQ(cells["Name"], "skiff");
  EXPECT_EQ(cells["Controller"], "skiff.io/ingress");
  EXPECT_EQ(cells["Parameters"], "<none>");
  EXPECT_EQ(cells["Age"], "3h");
  auto* params = ic.mutable_spec()->mutable_parameters();
  params->set_kind("IngressParameters");
  params->set_name("external");
  EXPECT_EQ(row(ic)["Parameters"], "IngressParameters/external") << "no apiGroup, no dot";
  params->set_api_group("k8s.example.com");
  EXPECT_EQ(row(ic)["Parameters"], "IngressParameters.k8s.example.com/external");
}

// formatDiscoveryPorts / formatDiscoveryEndpoints: three, then "+ N more...", "<unset>" for none.
TEST(EndpointSliceTable, PortsAndAddressesAsKubectlPrintsThem) {
  api::discovery::v1::EndpointSlice slice;
  slice.mutable_metadata()->set_name("web-abcde");
  slice.mutable_metadata()->set_creation_timestamp(ago(std::chrono::hours(2)));
  slice.set_address_type("IPv4");
  auto table = table_of(std::vector<api::discovery::v1::EndpointSlice>{slice});
  EXPECT_EQ(column_names(table, 0), (std::vector<std::string>{"Name", "AddressType", "Ports", "Endpoints", "Age"}));
  auto cells = row(slice);
  EXPECT_EQ(cells["AddressType"], "IPv4");
  EXPECT_EQ(cells["Ports"], "<unset>");
  EXPECT_EQ(cells["Endpoints"], "<unset>");
  EXPECT_EQ(cells["Age"], "120m");
  slice.add_ports()->set_port(80);
  slice.add_ports()->set_port(443);
  EXPECT_EQ(row(slice)["Ports"], "80,443");
  slice.add_ports()->set_name("metrics");
  EXPECT_EQ(row(slice)["Ports"], "80,443,metrics") << "a port without a number shows its name";
  slice.add_ports();
  EXPECT_EQ(row(slice)["Ports"], "80,443,metrics + 1 more...");
  slice.clear_ports();
  slice.add_ports();
  EXPECT_EQ(row(slice)["Ports"], "*") << "a port without number or name is every port";
  auto* first = slice.add_endpoints();
  first->add_addresses("10.0.0.1");
  first->add_addresses("10.0.0.2");
  EXPECT_EQ(row(slice)["Endpoints"], "10.0.0.1,10.0.0.2");
  for (const char* ip : {"10.0.0.3", "10.0.0.4", "10.0.0.5"}) slice.add_endpoints()->add_addresses(ip);
  EXPECT_EQ(row(slice)["Endpoints"], "10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...");
}

// ---- events and the rest ----

TEST(EventTable, ColumnsInKubernetesOrderAndCells) {
  auto table = table_of(std::vector<core::Event>{});
  std::vector<std::string> all;
  for (const auto& c : table.at("columnDefinitions").as_array()) all.emplace_back(c.at("name").as_string());
  EXPECT_EQ(all, (std::vector<std::string>{"Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message",
                                           "First Seen", "Count", "Name"}));
  core::Event ev;
  ev.mutable_metadata()->set_name("web.17a");
  ev.set_type("Warning");
  ev.set_reason("BackOff");
  ev.set_message("  Back-off restarting failed container\n");
  ev.mutable_involved_object()->set_kind("Pod");
  ev.mutable_involved_object()->set_name("web");
  ev.mutable_involved_object()->set_field_path("spec.containers{web}");
  ev.mutable_source()->set_component("kubelet");
  ev.mutable_source()->set_host("node-1");
  ev.set_first_timestamp(ago(25min));
  ev.set_last_timestamp(ago(11min));
  ev.set_count(4);
  auto cells = row(ev);
  EXPECT_EQ(cells["Last Seen"], "11m");
  EXPECT_EQ(cells["First Seen"], "25m");
  EXPECT_EQ(cells["Object"], "pod/web");
  EXPECT_EQ(cells["Subobject"], "spec.containers{web}");
  EXPECT_EQ(cells["Source"], "kubelet, node-1");
  EXPECT_EQ(cells["Message"], "Back-off restarting failed container");
  EXPECT_EQ(cells["Count"], "4");
  EXPECT_EQ(cells["Name"], "web.17a");
}

TEST(EventTable, NewStyleEventsAndSeries) {
  core::Event ev;
  ev.mutable_metadata()->set_name("e");
  ev.mutable_involved_object()->set_kind("Node");
  ev.set_event_time(sdk::format_rfc3339_micro(sdk::WallClock::now() - 2h));
  ev.set_reporting_component("skiff-controller-manager");
  ev.set_reporting_instance("cm-1");
  auto cells = row(ev);
  EXPECT_EQ(cells["First Seen"], "120m");
  EXPECT_EQ(cells["Last Seen"], "120m") << "no lastTimestamp: first seen";
  EXPECT_EQ(cells["Object"], "node") << "no name: the kind alone";
  EXPECT_EQ(cells["Source"], "skiff-controller-manager, cm-1");
  EXPECT_EQ(cells["Count"], "1") << "a singleton event counts 1";
  ev.mutable_series()->set_count(7);
  ev.mutable_series()->set_last_observed_time(sdk::format_rfc3339_micro(sdk::WallClock::now() - 40min));
  cells = row(ev);
  EXPECT_EQ(cells["Last Seen"], "40m");
  EXPECT_EQ(cells["Count"], "7");
}

TEST(SmallTables, ConfigMapSecretNamespaceLeaseAndAnyOtherKind) {
  core::ConfigMap cm;
  cm.mutable_metadata()->set_name("settings");
  (*cm.mutable_data())["a"] = "1";
  (*cm.mutable_binary_data())["b"] = "2";
  EXPECT_EQ(row(cm)["Data"], "2");
  core::Secret secret;
  secret.set_type("kubernetes.io/tls");
  (*secret.mutable_data())["tls.crt"] = "x";
  EXPECT_EQ(row(secret)["Type"], "kubernetes.io/tls");
  EXPECT_EQ(row(secret)["Data"], "1");
  core::Namespace ns;
  ns.mutable_status()->set_phase("Terminating");
  EXPECT_EQ(row(ns)["Status"], "Terminating");
  api::coordination::v1::Lease lease;
  lease.mutable_spec()->set_holder_identity("node-1");
  EXPECT_EQ(row(lease)["Holder"], "node-1");
  sdk::ResourceType widget = *sdk::find_resource("namespaces");
  widget.kind = "Widget";
  std::vector<std::shared_ptr<google::protobuf::Message>> items = {std::make_shared<core::Namespace>(ns)};
  auto table = apiserver::render_table(widget, items, {});
  EXPECT_EQ(column_names(table, 0), (std::vector<std::string>{"Name", "Age"}));
}

// printPersistentVolume: capacity, modes as RWO/ROX/RWX/RWOP in that order, claim as ns/name,
// Terminating while deleted, <unset> for no volume attributes class.
TEST(PersistentVolumeTable, ColumnsAndCells) {
  core::PersistentVolume pv;
  pv.mutable_metadata()->set_name("pv-1");
  pv.mutable_metadata()->set_creation_timestamp(ago(5h));
  (*pv.mutable_spec()->mutable_capacity())["storage"] = "5Gi";
  pv.mutable_spec()->add_access_modes("ReadWriteMany");
  pv.mutable_spec()->add_access_modes("ReadWriteOnce");
  pv.mutable_spec()->add_access_modes("ReadWriteOnce");
  pv.mutable_spec()->set_persistent_volume_reclaim_policy("Delete");
  pv.mutable_spec()->set_storage_class_name("local");
  pv.mutable_spec()->set_volume_mode("Filesystem");
  pv.mutable_spec()->mutable_claim_ref()->set_namespace_("default");
  pv.mutable_spec()->mutable_claim_ref()->set_name("data");
  pv.mutable_status()->set_phase("Bound");
  auto table = table_of(std::vector<core::PersistentVolume>{pv});
  EXPECT_EQ(column_names(table, 0), (std::vector<std::string>{"Name", "Capacity", "Access Modes", "Reclaim Policy", "Status",
                                                              "Claim", "StorageClass", "VolumeAttributesClass", "Reason", "Age"}));
  EXPECT_EQ(column_names(table, 1), (std::vector<std::string>{"VolumeMode"}));
  auto cells = row(pv);
  EXPECT_EQ(cells["Capacity"], "5Gi");
  EXPECT_EQ(cells["Access Modes"], "RWO,RWX");
  EXPECT_EQ(cells["Reclaim Policy"], "Delete");
  EXPECT_EQ(cells["Status"], "Bound");
  EXPECT_EQ(cells["Claim"], "default/data");
  EXPECT_EQ(cells["StorageClass"], "local");
  EXPECT_EQ(cells["VolumeAttributesClass"], "<unset>");
  EXPECT_EQ(cells["Reason"], "");
  EXPECT_EQ(cells["Age"], "5h");
  EXPECT_EQ(cells["VolumeMode"], "Filesystem");
  pv.mutable_spec()->clear_claim_ref();
  pv.mutable_metadata()->set_deletion_timestamp(ago(1min));
  EXPECT_EQ(row(pv)["Claim"], "");
  EXPECT_EQ(row(pv)["Status"], "Terminating");
}

// printPersistentVolumeClaim: capacity and modes only once the claim names its volume.
TEST(PersistentVolumeClaimTable, CapacityOnlyWhenBound) {
  core::PersistentVolumeClaim pvc;
  pvc.mutable_metadata()->set_name("data");
  pvc.mutable_metadata()->set_creation_timestamp(ago(10min));
  pvc.mutable_spec()->set_storage_class_name("local");
  (*pvc.mutable_spec()->mutable_resources()->mutable_requests())["storage"] = "1Gi";
  pvc.mutable_status()->set_phase("Pending");
  auto table = table_of(std::vector<core::PersistentVolumeClaim>{pvc});
  EXPECT_EQ(column_names(table, 0), (std::vector<std::string>{"Name", "Status", "Volume", "Capacity", "Access Modes",
                                                              "StorageClass", "VolumeAttributesClass", "Age"}));
  auto cells = row(pvc);
  EXPECT_EQ(cells["Status"], "Pending");
  EXPECT_EQ(cells["Volume"], "");
  EXPECT_EQ(cells["Capacity"], "");
  EXPECT_EQ(cells["Access Modes"], "");
  EXPECT_EQ(cells["StorageClass"], "local");
  EXPECT_EQ(cells["VolumeMode"], "<unset>");
  pvc.mutable_spec()->set_volume_name("pvc-1234");
  pvc.mutable_status()->set_phase("Bound");
  (*pvc.mutable_status()->mutable_capacity())["storage"] = "1Gi";
  pvc.mutable_status()->add_access_modes("ReadWriteOncePod");
  cells = row(pvc);
  EXPECT_EQ(cells["Volume"], "pvc-1234");
  EXPECT_EQ(cells["Capacity"], "1Gi");
  EXPECT_EQ(cells["Access Modes"], "RWOP");
}

// printStorageClass: " (default)" after the name, Delete and Immediate when unset, false for expansion.
TEST(StorageClassTable, DefaultMarkAndUnsetValues) {
  api::storage::v1::StorageClass sc;
  sc.mutable_metadata()->set_name("local");
  sc.mutable_metadata()->set_creation_timestamp(ago(3h));
  sc.set_provisioner("skiff.io/local-storage");
  auto table = table_of(std::vector<api::storage::v1::StorageClass>{sc});
  EXPECT_EQ(column_names(table, 0), (std::vector<std::string>{"Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode",
                                                              "AllowVolumeExpansion", "Age"}));
  auto cells = row(sc);
  EXPECT_EQ(cells["Name"], "local");
  EXPECT_EQ(cells["ReclaimPolicy"], "Delete");
  EXPECT_EQ(cells["VolumeBindingMode"], "Immediate");
  EXPECT_EQ(cells["AllowVolumeExpansion"], "false");
  (*sc.mutable_metadata()->mutable_annotations())["storageclass.kubernetes.io/is-default-class"] = "true";
  sc.set_volume_binding_mode("WaitForFirstConsumer");
  sc.set_reclaim_policy("Retain");
  sc.set_allow_volume_expansion(true);
  cells = row(sc);
  EXPECT_EQ(cells["Name"], "local (default)");
  EXPECT_EQ(cells["ReclaimPolicy"], "Retain");
  EXPECT_EQ(cells["VolumeBindingMode"], "WaitForFirstConsumer");
  EXPECT_EQ(cells["AllowVolumeExpansion"], "true");
}

}  // namespace
