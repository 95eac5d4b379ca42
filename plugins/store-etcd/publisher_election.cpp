#include "publisher_election.hpp"

#include <spdlog/spdlog.h>

namespace skiff::store_etcd {

using namespace std::chrono_literals;

PublisherElection::PublisherElection(EtcdClient& client, const KeyLayout& layout, std::string identity,
                                     std::chrono::seconds ttl, Handlers handlers, spdlog::logger& log)
    : client_(client),
      layout_(layout),
      identity_(std::move(identity)),
      ttl_(ttl),
      // Campaign and renew several times per lease: a dead holder is replaced soon after its lease ends.
      tick_(std::min<std::chrono::milliseconds>(500ms, std::chrono::duration_cast<std::chrono::milliseconds>(ttl) / 3)),
      handlers_(std::move(handlers)),
      log_(log) {
  round();
  thread_ = std::thread([this] { run(); });
}

PublisherElection::~PublisherElection() { stop(); }

void PublisherElection::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (lease_ == 0) return;
  try {
    client_.lease_revoke(lease_);  // the key goes with it: a standby takes over without waiting for the TTL
  } catch (const sdk::Error& e) {
    log_.warn("could not hand the watch publisher role over ({}); another instance takes it when the lease ends",
              e.what());
  }
  set_leading(false);
}

void PublisherElection::run() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, tick_, [&] { return stopping_; })) {
    lock.unlock();
    round();
    lock.lock();
  }
}

void PublisherElection::round() {
  try {
    bool ours = ensure_lease() && keep_alive() && campaign();
    set_leading(ours);
  } catch (const sdk::Error& e) {
    // etcd away: keep publishing what the watch delivers (duplicates are harmless, gaps are not);
    // once the lease has ended a standby takes over and we find out on the next round.
    log_.debug("publisher election round failed: {}", e.what());
  }
  if (handlers_.tick) handlers_.tick(leading_);
}

bool PublisherElection::ensure_lease() {
  if (lease_ != 0) return true;
  auto granted = client_.lease_grant(ttl_.count());
  if (!granted.error().empty()) throw sdk::Error(sdk::Status::Unavailable("etcd refused a lease: " + granted.error()));
  lease_ = granted.id();
  return true;
}

// One keep-alive on a short stream; false (and a new lease next round) when the lease is gone.
bool PublisherElection::keep_alive() {
  auto context = client_.stream_context();
  context->set_deadline(std::chrono::system_clock::now() + client_.request_timeout());
  auto stream = client_.lease_stub().LeaseKeepAlive(context.get());
  etcdserverpb::LeaseKeepAliveRequest request;
  request.set_id(lease_);
  etcdserverpb::LeaseKeepAliveResponse response;
  bool answered = stream->Write(request) && stream->Read(&response);
  stream->WritesDone();
  grpc::Status status = stream->Finish();
  if (!answered) throw client_.error(status, "renewing the publisher lease");
  if (response.ttl() > 0) return true;
  log_.info("the publisher lease {} expired; asking for a new one", lease_);
  lease_ = 0;
  return false;
}

bool PublisherElection::campaign() {
  std::string key = layout_.publisher();
  etcdserverpb::TxnRequest txn;
  auto* absent = txn.add_compare();
  absent->set_key(key);
  absent->set_target(etcdserverpb::Compare::CREATE);
  absent->set_result(etcdserverpb::Compare::EQUAL);
  absent->set_create_revision(0);
  auto* put = txn.add_success()->mutable_request_put();
  put->set_key(key);
  put->set_value(identity_);
  put->set_lease(lease_);
  txn.add_failure()->mutable_request_range()->set_key(key);
  auto response = client_.txn(txn, "campaigning for the watch publisher role");
  if (response.succeeded()) return true;
  const auto& kvs = response.responses(0).response_range().kvs();
  return !kvs.empty() && kvs[0].value() == identity_ && kvs[0].lease() == lease_;
}

void PublisherElection::set_leading(bool leading) {
  if (leading_.exchange(leading) == leading) return;
  if (leading) {
    log_.info("this instance publishes the watch events now ({})", identity_);
    if (handlers_.elected) handlers_.elected();
  } else {
    log_.info("another instance publishes the watch events now");
    if (handlers_.deposed) handlers_.deposed();
  }
}

}  // namespace skiff::store_etcd
