#include "log_shipper.hpp"

#include <spdlog/logger.h>

#include <cstdlib>

#include "container_spec.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::kubelet {

namespace rt = runtime::v1;

namespace {

std::string label(const google::protobuf::Map<std::string, std::string>& labels, const char* key) {
  auto it = labels.find(key);
  return it == labels.end() ? "" : it->second;
}

std::unique_ptr<sdk::JetStream> jetstream_of(sdk::Bus& bus) {
  try {
    return bus.jetstream();
  } catch (const sdk::Error& e) {
    throw sdk::Error(sdk::Status::Unavailable("kubelet log shipping needs JetStream on the bus (" + e.status().message +
                                              "); enable it on the NATS server or set log_shipping: false"));
  }
}

}  // namespace

LogShipper::LogShipper(sdk::Bus& bus, const sdk::Subjects& subjects, const RuntimeClasses& classes, const PodFeed& pods,
                       sdk::Metrics& metrics, ShipperOptions options, spdlog::logger& log)
    : bus_(bus),
      subjects_(subjects),
      pods_(pods),
      options_(std::move(options)),
      log_(log),
      runtimes_(bus, subjects, options_.node, classes),
      counters_(metrics),
      stream_(jetstream_of(bus)),
      positions_(options_.state_dir + "/positions"),
      buffer_(options_.state_dir + "/buffer", options_.buffer_bytes),
      batcher_(options_.batch_lines, options_.batch_interval),
      publisher_(std::make_unique<LogPublisher>(*stream_, buffer_, positions_, counters_, log_, options_.publish_timeout)) {}

LogShipper::~LogShipper() { stop(); }

void LogShipper::start() {
  if (!buffer_.empty())
    log_.info("log shipping: {} lines wait in the disk buffer from before; they go first", buffer_.records());
  publisher_thread_ = std::thread([this] { publish_loop(); });
  discoverer_ = std::thread([this] { discover_loop(); });
}

void LogShipper::stop() {
  if (stopping_.exchange(true)) return;
  wake_.notify_all();
  if (discoverer_.joinable()) discoverer_.join();
  std::map<std::string, std::unique_ptr<ContainerLogFollower>> followers;
  {
    std::lock_guard lock(mutex_);
    followers.swap(followers_);
  }
  for (auto& [id, follower] : followers) follower->request_stop();
  followers.clear();  // each leaves (within its poll)
  batcher_.close();   // the publisher ships what was read, then ends
  if (publisher_thread_.joinable()) publisher_thread_.join();
  positions_.save();
}

logging::v1::ShipperStats LogShipper::stats() const {
  logging::v1::ShipperStats out;
  out.set_lines_shipped(static_cast<std::uint64_t>(counters_.shipped.value()));
  out.set_lines_buffered(static_cast<std::uint64_t>(counters_.buffered.value()));
  out.set_lines_dropped(static_cast<std::uint64_t>(counters_.dropped.value()));
  out.set_buffer_bytes(static_cast<std::uint64_t>(counters_.buffer_bytes.value()));
  return out;
}

void LogShipper::drain_container(const sdk::RuntimeClient& runtime, const std::string& container_id,
                                 std::chrono::milliseconds timeout) {
  if (stopping_) return;
  bool known;
  {
    std::lock_guard lock(mutex_);
    if (finished_.count(container_id)) return;
    known = followers_.count(container_id) > 0;
  }
  if (!known) {
    try {
      auto status = runtime.container_status(container_id);
      if (status.state() != "RUNNING" && status.state() != "EXITED") return;
      follow(runtime, status);
    } catch (const sdk::Error&) {
      return;  // gone already: nothing to read
    }
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!stopping_ && std::chrono::steady_clock::now() < deadline) {
    {
      std::lock_guard lock(mutex_);
      auto it = followers_.find(container_id);
      if (it == followers_.end() || !it->second->running()) return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void LogShipper::discover_loop() {
  while (!stopping_) {
    try {
      discover();
    } catch (const std::exception& e) {
      log_.debug("log shipping: listing the node's containers failed ({}); trying again", e.what());
    }
    std::unique_lock lock(wake_mutex_);
    wake_.wait_for(lock, options_.discover_period, [this] { return stopping_.load(); });
  }
}

void LogShipper::discover() {
  std::set<std::string> listed;
  bool complete = true;  // every runtime answered: what is not listed is gone
  for (const sdk::RuntimeClient* runtime : runtimes_.all()) {
    std::vector<rt::ContainerStatus> containers;
    try {
      containers = runtime->list_containers({{kLabelNode, options_.node}, {sdk::label::kKind, sdk::label::kKindContainer}});
    } catch (const sdk::Error& e) {
      if (e.status().code != 503 || runtime->handler().empty()) complete = false;  // 503 of a handler: not on this node
      continue;
    }
    for (const auto& c : containers) {
      listed.insert(c.id());
      if (c.state() == "RUNNING" || c.state() == "EXITED") follow(*runtime, c);
    }
  }
  if (complete) forget_finished(listed);
}

void LogShipper::follow(const sdk::RuntimeClient& runtime, const rt::ContainerStatus& container) {
  std::lock_guard lock(mutex_);
  if (finished_.count(container.id())) return;
  auto it = followers_.find(container.id());
  if (it != followers_.end()) {
    if (it->second->running()) return;
    if (it->second->finished()) finished_.insert(container.id());
    followers_.erase(it);  // ended: read to its end, or to be started again below
    if (finished_.count(container.id())) return;
  }
  FollowedContainer followed;
  followed.id = container.id();
  followed.runtime = &runtime;
  followed.metadata = metadata_of(container);
  followed.subject =
      subjects_.log_lines(followed.metadata.namespace_(), followed.metadata.pod(), followed.metadata.pod_uid(),
                          followed.metadata.container());
  FollowerOptions options;
  options.max_line_bytes = options_.max_line_bytes;
  auto follower = std::make_unique<ContainerLogFollower>(
      std::move(followed), positions_.get(container.id()).value_or(LogPosition{}), options,
      [this](ShipRecord record) { batcher_.add(std::move(record)); }, log_);
  follower->start();
  followers_[container.id()] = std::move(follower);
}

// A container the runtime no longer has is done with: its follower ended (its log went with
// it) and its position is of no more use.
void LogShipper::forget_finished(const std::set<std::string>& listed) {
  std::vector<std::unique_ptr<ContainerLogFollower>> ended;
  {
    std::lock_guard lock(mutex_);
    for (auto it = finished_.begin(); it != finished_.end();) it = listed.count(*it) ? std::next(it) : finished_.erase(it);
    for (auto it = followers_.begin(); it != followers_.end();) {
      if (!listed.count(it->first) && !it->second->running()) {
        ended.push_back(std::move(it->second));
        it = followers_.erase(it);
      } else {
        ++it;
      }
    }
    for (const auto& [id, position] : positions_.all())
      if (!listed.count(id) && !followers_.count(id)) positions_.forget(id);
  }
  positions_.save();
}

logging::v1::LogLine LogShipper::metadata_of(const rt::ContainerStatus& container) const {
  logging::v1::LogLine line;
  line.set_cluster(options_.cluster);
  line.set_node(options_.node);
  line.set_namespace_(label(container.labels(), sdk::label::kPodNamespace));
  line.set_pod(label(container.labels(), sdk::label::kPodName));
  line.set_pod_uid(label(container.labels(), kLabelPodUid));
  line.set_container(label(container.labels(), kLabelContainer));
  line.set_attempt(std::atoi(label(container.labels(), kLabelAttempt).c_str()));
  if (auto pod = pods_.get(line.namespace_(), line.pod()); pod && pod->metadata().uid() == line.pod_uid())
    line.mutable_pod_labels()->insert(pod->metadata().labels().begin(), pod->metadata().labels().end());
  return line;
}

void LogShipper::publish_loop() {
  while (true) {
    auto batch = batcher_.next(std::chrono::steady_clock::now() + std::chrono::milliseconds(500));
    if (!batch.empty()) {
      publisher_->ship(std::move(batch));
      continue;
    }
    if (batcher_.closed() && batcher_.size() == 0) return;  // stopped and all shipped
    publisher_->drain();     // a quiet node still sends its buffer once the stream is back
  }
}

}  // namespace skiff::kubelet
