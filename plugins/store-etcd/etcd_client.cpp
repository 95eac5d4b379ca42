#include "etcd_client.hpp"

#include <arpa/inet.h>

#include <fstream>
#include <sstream>

#include "etcd_errors.hpp"

namespace skiff::store_etcd {

namespace {

std::string read_pem(const std::string& path, const char* key) {
  std::ifstream file(path);
  if (!file)
    throw sdk::Error(sdk::Status::BadRequest(std::string("config ") + key + ": cannot read '" + path +
                                             "'; give a PEM file store-etcd may read"));
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// "https://10.0.0.1:2379" → {"10.0.0.1:2379", tls}; anything else is host:port as given.
std::string strip_scheme(const std::string& endpoint, bool& tls) {
  for (const char* scheme : {"http://", "https://"})
    if (endpoint.starts_with(scheme)) {
      tls = tls || std::string_view(scheme) == "https://";
      return endpoint.substr(std::string_view(scheme).size());
    }
  return endpoint;
}

bool is_ipv4_endpoint(const std::string& endpoint) {
  auto colon = endpoint.rfind(':');
  if (colon == std::string::npos) return false;
  in_addr address{};
  return inet_pton(AF_INET, endpoint.substr(0, colon).c_str(), &address) == 1;
}

// gRPC's target: every address for pick_first (it moves to the next when one fails).
std::string channel_target(const std::vector<std::string>& endpoints) {
  if (endpoints.size() == 1 && !is_ipv4_endpoint(endpoints[0])) return "dns:///" + endpoints[0];
  std::string target = "ipv4:";
  for (std::size_t i = 0; i < endpoints.size(); ++i) {
    if (!is_ipv4_endpoint(endpoints[i]))
      throw sdk::Error(sdk::Status::BadRequest(
          "config endpoints: '" + endpoints[i] + "' is not an IPv4 address with a port; with several endpoints give "
          "each as ADDRESS:PORT (such as 10.0.0.1:2379) so store-etcd can fail over between them"));
    target += (i ? "," : "") + endpoints[i];
  }
  return target;
}

}  // namespace

EtcdClient::EtcdClient(EtcdSettings settings) : settings_(std::move(settings)) {
  if (settings_.endpoints.empty())
    throw sdk::Error(sdk::Status::BadRequest("config endpoints: give at least one etcd endpoint (such as 127.0.0.1:2379)"));
  bool tls = !settings_.ca_file.empty() || !settings_.cert_file.empty();
  std::vector<std::string> endpoints;
  for (const auto& e : settings_.endpoints) endpoints.push_back(strip_scheme(e, tls));
  for (std::size_t i = 0; i < endpoints.size(); ++i) endpoints_text_ += (i ? "," : "") + endpoints[i];
  if (settings_.cert_file.empty() != settings_.key_file.empty())
    throw sdk::Error(sdk::Status::BadRequest("config cert_file and key_file: give both (a client certificate and its key) or neither"));

  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (tls) {
    grpc::SslCredentialsOptions ssl;
    if (!settings_.ca_file.empty()) ssl.pem_root_certs = read_pem(settings_.ca_file, "ca_file");
    if (!settings_.cert_file.empty()) {
      ssl.pem_cert_chain = read_pem(settings_.cert_file, "cert_file");
      ssl.pem_private_key = read_pem(settings_.key_file, "key_file");
    }
    credentials = grpc::SslCredentials(ssl);
  }
  grpc::ChannelArguments arguments;
  arguments.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  arguments.SetLoadBalancingPolicyName("pick_first");
  // A member that died without closing its connections is noticed within seconds.
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 5000);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 3000);
  arguments.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  arguments.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  arguments.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 1000);
  channel_ = grpc::CreateCustomChannel(channel_target(endpoints), credentials, arguments);
  kv_ = etcd::KV::NewStub(channel_);
  watch_ = etcd::Watch::NewStub(channel_);
  lease_ = etcd::Lease::NewStub(channel_);
  maintenance_ = etcd::Maintenance::NewStub(channel_);
  auth_ = etcd::Auth::NewStub(channel_);
}

sdk::Error EtcdClient::error(const grpc::Status& status, std::string_view what) const {
  return sdk::Error(status_from_etcd(status.error_code(), status.error_message(), what, endpoints_text_));
}

void EtcdClient::authenticate() {
  if (settings_.username.empty()) return;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + settings_.request_timeout);
  etcd::AuthenticateRequest request;
  request.set_name(settings_.username);
  request.set_password(settings_.password);
  etcd::AuthenticateResponse response;
  grpc::Status status = auth_->Authenticate(&context, request, &response);
  if (!status.ok()) throw error(status, "logging in to etcd as " + settings_.username);
  std::lock_guard lock(token_mutex_);
  token_ = response.token();
}

std::unique_ptr<grpc::ClientContext> EtcdClient::stream_context() {
  auto context = std::make_unique<grpc::ClientContext>();
  // etcd's "require leader" (what its own client's WithRequireLeader sends): a member that has
  // lost its quorum refuses at once ("no leader") instead of letting the call wait out its
  // deadline, so the API answers 503 promptly and requests do not pile up behind it.
  context->AddMetadata("hasleader", "true");
  std::string token;
  {
    std::lock_guard lock(token_mutex_);
    token = token_;
  }
  if (token.empty() && !settings_.username.empty()) {
    authenticate();
    std::lock_guard lock(token_mutex_);
    token = token_;
  }
  if (!token.empty()) context->AddMetadata("token", token);
  return context;
}

std::unique_ptr<grpc::ClientContext> EtcdClient::unary_context() {
  auto context = stream_context();
  context->set_deadline(std::chrono::system_clock::now() + settings_.request_timeout);
  return context;
}

template <class Request, class Response, class Call>
Response EtcdClient::call(Call method, const Request& request, std::string_view what) {
  for (int attempt = 0;; ++attempt) {
    auto context = unary_context();
    Response response;
    grpc::Status status = method(context.get(), request, &response);
    if (status.ok()) return response;
    // An auth token expires (etcd's simple tokens after 5 minutes idle): log in again once.
    if (attempt == 0 && !settings_.username.empty() &&
        status.error_message().find("invalid auth token") != std::string::npos) {
      authenticate();
      continue;
    }
    throw error(status, what);
  }
}

etcd::RangeResponse EtcdClient::range(const etcd::RangeRequest& request, std::string_view what) {
  return call<etcd::RangeRequest, etcd::RangeResponse>(
      [this](grpc::ClientContext* c, const auto& rq, auto* rs) { return kv_->Range(c, rq, rs); }, request, what);
}

etcd::TxnResponse EtcdClient::txn(const etcd::TxnRequest& request, std::string_view what) {
  return call<etcd::TxnRequest, etcd::TxnResponse>(
      [this](grpc::ClientContext* c, const auto& rq, auto* rs) { return kv_->Txn(c, rq, rs); }, request, what);
}

void EtcdClient::txn_async(etcd::TxnRequest request, std::string what, TxnDone done) {
  struct InFlight {
    std::unique_ptr<grpc::ClientContext> context;
    etcd::TxnRequest request;
    etcd::TxnResponse response;
    std::string what;
    TxnDone done;
  };
  auto* call = new InFlight{unary_context(), std::move(request), {}, std::move(what), std::move(done)};
  kv_->async()->Txn(call->context.get(), &call->request, &call->response, [this, call](grpc::Status status) {
    std::unique_ptr<InFlight> owned(call);
    if (status.ok()) owned->done(sdk::Status::Ok(), std::move(owned->response));
    else owned->done(error(status, owned->what).status(), {});
  });
}

void EtcdClient::compact(std::int64_t revision) {
  etcd::CompactionRequest request;
  request.set_revision(revision);
  call<etcd::CompactionRequest, etcd::CompactionResponse>(
      [this](grpc::ClientContext* c, const auto& rq, auto* rs) { return kv_->Compact(c, rq, rs); }, request,
      "compacting etcd to revision " + std::to_string(revision));
}

etcd::StatusResponse EtcdClient::status() {
  return call<etcd::StatusRequest, etcd::StatusResponse>(
      [this](grpc::ClientContext* c, const auto& rq, auto* rs) { return maintenance_->Status(c, rq, rs); },
      etcd::StatusRequest{}, "asking etcd's status");
}

etcd::LeaseGrantResponse EtcdClient::lease_grant(std::int64_t ttl_seconds) {
  etcd::LeaseGrantRequest request;
  request.set_ttl(ttl_seconds);
  return call<etcd::LeaseGrantRequest, etcd::LeaseGrantResponse>(
      [this](grpc::ClientContext* c, const auto& rq, auto* rs) { return lease_->LeaseGrant(c, rq, rs); }, request,
      "granting a lease");
}

void EtcdClient::lease_revoke(std::int64_t id) {
  etcd::LeaseRevokeRequest request;
  request.set_id(id);
  call<etcd::LeaseRevokeRequest, etcd::LeaseRevokeResponse>(
      [this](grpc::ClientContext* c, const auto& rq, auto* rs) { return lease_->LeaseRevoke(c, rq, rs); }, request,
      "revoking a lease");
}

}  // namespace skiff::store_etcd
