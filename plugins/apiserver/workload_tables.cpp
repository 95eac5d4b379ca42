// The cells kubectl shows for DaemonSets, StatefulSets and ControllerRevisions.
#include "workload_tables.hpp"

#include <boost/json.hpp>

#include "skiff/api/apps/v1/workloads.pb.h"
#include "skiff/sdk/selector.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::apiserver {
namespace {

namespace json = boost::json;
namespace apps = api::apps::v1;

const char* const kName = "Name must be unique within a namespace.";
const char* const kAge = "CreationTimestamp is a timestamp representing the server time when this object was created.";
const char* const kContainers = "Names of each container in the template.";
const char* const kImages = "Images referenced by each container in the template.";

const std::vector<TableColumn> kDaemonSetColumns = {
    {"Name", "string", 0, kName},
    {"Desired", "integer", 0, "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod)."},
    {"Current", "integer", 0, "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod."},
    {"Ready", "integer", 0, "numberReady is the number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition."},
    {"Up-to-date", "integer", 0, "The total number of nodes that are running updated daemon pod"},
    {"Available", "integer", 0, "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available (ready for at least spec.minReadySeconds)"},
    {"Node Selector", "string", 0, "NodeSelector is a selector which must be true for the pod to fit on a node. Selector which must match a node's labels for the pod to be scheduled on that node."},
    {"Age", "string", 0, kAge},
    {"Containers", "string", 1, kContainers},
    {"Images", "string", 1, kImages},
    {"Selector", "string", 1, "A label query over pods that are managed by the daemon set."},
};

const std::vector<TableColumn> kStatefulSetColumns = {
    {"Name", "string", 0, kName},
    {"Ready", "string", 0, "Number of the pod with ready state"},
    {"Age", "string", 0, kAge},
    {"Containers", "string", 1, kContainers},
    {"Images", "string", 1, kImages},
};

const std::vector<TableColumn> kRevisionColumns = {
    {"Name", "string", 0, kName},
    {"Controller", "string", 0, "Controller of the object"},
    {"Revision", "string", 0, "Revision indicates the revision of the state represented by Data."},
    {"Age", "string", 0, kAge},
};

std::string or_none(const std::string& text) { return text.empty() ? "<none>" : text; }

std::string age(const api::meta::v1::ObjectMeta& meta) { return sdk::age_since(meta.creation_timestamp()); }

json::string names_of(const api::core::v1::PodSpec& spec) {
  std::string out;
  for (const auto& c : spec.containers()) out += (out.empty() ? "" : ",") + c.name();
  return json::string(out);
}

json::string images_of(const api::core::v1::PodSpec& spec) {
  std::string out;
  for (const auto& c : spec.containers()) out += (out.empty() ? "" : ",") + c.image();
  return json::string(out);
}

json::string selector_text(const api::meta::v1::LabelSelector& selector) {
  try {
    return json::string(or_none(sdk::LabelSelector::from_proto(selector).to_string()));
  } catch (const std::exception&) {
    return json::string("<error>");
  }
}

TableRow daemon_set_row(const apps::DaemonSet& ds) {
  const auto& status = ds.status();
  const auto& pod_spec = ds.spec().template_().spec();
  std::string node_selector = or_none(sdk::LabelSelector::from_map(pod_spec.node_selector()).to_string());
  return {json::string(ds.metadata().name()), status.desired_number_scheduled(), status.current_number_scheduled(),
          status.number_ready(), status.updated_number_scheduled(), status.number_available(),
          json::string(node_selector), json::string(age(ds.metadata())), names_of(pod_spec), images_of(pod_spec),
          selector_text(ds.spec().selector())};
}

TableRow stateful_set_row(const apps::StatefulSet& sts) {
  const auto& pod_spec = sts.spec().template_().spec();
  std::string ready = std::to_string(sts.status().ready_replicas()) + "/" + std::to_string(sts.spec().replicas());
  return {json::string(sts.metadata().name()), json::string(ready), json::string(age(sts.metadata())),
          names_of(pod_spec), images_of(pod_spec)};
}

// "daemonset.apps/web": the controlling owner, as printControllerRevision names it.
std::string controller_text(const api::meta::v1::ObjectMeta& meta) {
  for (const auto& owner : meta.owner_references()) {
    if (!owner.controller()) continue;
    std::string kind = owner.kind();
    for (auto& c : kind) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto slash = owner.api_version().find('/');
    std::string group = slash == std::string::npos ? "" : owner.api_version().substr(0, slash);
    return kind + (group.empty() ? "" : "." + group) + "/" + owner.name();
  }
  return "<none>";
}

TableRow revision_row(const apps::ControllerRevision& revision) {
  return {json::string(revision.metadata().name()), json::string(controller_text(revision.metadata())),
          revision.revision(), json::string(age(revision.metadata()))};
}

}  // namespace

const std::vector<TableColumn>* workload_columns(const std::string& kind) {
  if (kind == "DaemonSet") return &kDaemonSetColumns;
  if (kind == "StatefulSet") return &kStatefulSetColumns;
  if (kind == "ControllerRevision") return &kRevisionColumns;
  return nullptr;
}

TableRow workload_row(const std::string& kind, const google::protobuf::Message& object) {
  if (kind == "DaemonSet") return daemon_set_row(static_cast<const apps::DaemonSet&>(object));
  if (kind == "StatefulSet") return stateful_set_row(static_cast<const apps::StatefulSet&>(object));
  return revision_row(static_cast<const apps::ControllerRevision&>(object));
}

}  // namespace skiff::apiserver
