// The bus side of the cloud provider contract: one wildcard subscription per worker, dispatched
// by the op (the subject's last token) to the CloudProvider.
#include "skiff/sdk/cloudprovider/serve_cloud_provider.hpp"

#include <string_view>
#include <unordered_map>

#include "skiff/sdk/bus_proto.hpp"

namespace skiff::sdk {

namespace cp = cloudprovider::v1;

namespace {

using Op = void (*)(CloudProvider&, const Request&);

template <class Message>
Message parse(const Request& request) {
  Message m;
  if (!m.ParseFromString(request.data()))
    throw Error(Status::BadRequest("request on " + request.message().subject + " is not a valid " +
                                   std::string(Message::descriptor()->full_name())));
  return m;
}

void reply(const Request& request, const google::protobuf::Message& message) {
  request.reply(message.SerializeAsString());
}

cp::InstanceExistsResponse exists(CloudProvider& p, const Request& q) {
  cp::InstanceExistsResponse r;
  r.set_exists(p.instance_exists(parse<cp::InstanceRequest>(q).node()));
  return r;
}

cp::InstanceShutdownResponse shutdown(CloudProvider& p, const Request& q) {
  cp::InstanceShutdownResponse r;
  r.set_shutdown(p.instance_shutdown(parse<cp::InstanceRequest>(q).node()));
  return r;
}

cp::EnsureLoadBalancerResponse ensure(CloudProvider& p, const Request& q) {
  cp::EnsureLoadBalancerResponse r;
  *r.mutable_status() = p.ensure_load_balancer(parse<cp::LoadBalancerRequest>(q));
  return r;
}

cp::ListRoutesResponse routes(CloudProvider& p, const Request& q) {
  cp::ListRoutesResponse r;
  for (auto& route : p.list_routes(parse<cp::ListRoutesRequest>(q).cluster_name())) *r.add_routes() = std::move(route);
  return r;
}

const std::unordered_map<std::string_view, Op>& ops() {
  using P = CloudProvider;
  using Q = const Request&;
  static const std::unordered_map<std::string_view, Op> table = {
      {"capabilities", [](P& p, Q q) { reply(q, p.capabilities()); }},
      {"instance_exists", [](P& p, Q q) { reply(q, exists(p, q)); }},
      {"instance_shutdown", [](P& p, Q q) { reply(q, shutdown(p, q)); }},
      {"instance_metadata", [](P& p, Q q) { reply(q, p.instance_metadata(parse<cp::InstanceRequest>(q).node())); }},
      {"lb_get", [](P& p, Q q) { reply(q, p.get_load_balancer(parse<cp::LoadBalancerRequest>(q))); }},
      {"lb_ensure", [](P& p, Q q) { reply(q, ensure(p, q)); }},
      {"lb_update",
       [](P& p, Q q) {
         p.update_load_balancer(parse<cp::LoadBalancerRequest>(q));
         reply(q, cp::LoadBalancerDone());
       }},
      {"lb_ensure_deleted",
       [](P& p, Q q) {
         p.ensure_load_balancer_deleted(parse<cp::LoadBalancerRequest>(q));
         reply(q, cp::LoadBalancerDone());
       }},
      {"routes_list", [](P& p, Q q) { reply(q, routes(p, q)); }},
      {"route_create",
       [](P& p, Q q) {
         auto r = parse<cp::RouteRequest>(q);
         p.create_route(r.cluster_name(), r.name_hint(), r.route());
         reply(q, cp::RouteDone());
       }},
      {"route_delete",
       [](P& p, Q q) {
         auto r = parse<cp::RouteRequest>(q);
         p.delete_route(r.cluster_name(), r.route());
         reply(q, cp::RouteDone());
       }},
  };
  return table;
}

void handle(CloudProvider& provider, const Request& request) {
  const std::string& subject = request.message().subject;
  std::string_view op = std::string_view(subject).substr(subject.rfind('.') + 1);
  auto it = ops().find(op);
  if (it == ops().end())
    throw Error(Status::NotFound("no cloud provider op \"" + std::string(op) +
                                 "\" (see skiff/cloudprovider/v1/cloudprovider.proto)"));
  it->second(provider, request);
}

// Two providers would each hand out load balancers and routes: refuse, naming the other.
void check_subjects_free(Bus& bus, const Subjects& subjects) {
  Reply reply = bus.request(subjects.cloud_provider("capabilities"), cp::CapabilitiesRequest().SerializeAsString(),
                            std::chrono::milliseconds(500));
  cp::CapabilitiesResponse other;
  if (!reply.ok() || !other.ParseFromString(reply.data)) return;
  throw Error(Status::Invalid("another cloud provider (" + other.provider_name() +
                              ") already serves this cluster; run one cloud provider plugin per cluster"));
}

}  // namespace

CloudProviderServer::CloudProviderServer(Bus& bus, const Subjects& subjects, CloudProvider& provider,
                                         CloudProviderServeOptions options)
    : provider_(provider) {
  if (options.workers < 1) throw Error(Status::Invalid("config workers: must be at least 1"));
  if (options.check_clash) check_subjects_free(bus, subjects);
  CloudProvider* p = &provider_;
  for (int i = 0; i < options.workers; ++i)
    subscriptions_.push_back(
        bus.serve(subjects.cloud_provider("*"), "cloudprovider", [p](Request request) { handle(*p, request); }));
}

CloudProviderServer::~CloudProviderServer() { stop(); }

void CloudProviderServer::stop() { subscriptions_.clear(); }

std::unique_ptr<CloudProviderServer> serve_cloud_provider(Context& context, CloudProvider& provider,
                                                          CloudProviderServeOptions options) {
  return std::make_unique<CloudProviderServer>(context.bus(), context.subjects(), provider, options);
}

}  // namespace skiff::sdk
