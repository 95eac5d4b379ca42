#include "container_log_follower.hpp"

#include <spdlog/logger.h>

#include <condition_variable>

#include "log_line_splitter.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::kubelet {

namespace rt = runtime::v1;

ContainerLogFollower::ContainerLogFollower(FollowedContainer container, LogPosition from, FollowerOptions options,
                                           Emit emit, spdlog::logger& log)
    : container_(std::move(container)), position_(from), options_(options), emit_(std::move(emit)), log_(log) {}

ContainerLogFollower::~ContainerLogFollower() { stop(); }

void ContainerLogFollower::start() {
  running_ = true;
  thread_ = std::thread([this] { run(); });
}

void ContainerLogFollower::stop() {
  stopping_ = true;
  if (thread_.joinable()) thread_.join();
}

std::string ContainerLogFollower::message_id(const logging::v1::LogLine& line, std::uint32_t index_at_time) {
  std::string id = line.pod_uid() + "/" + line.container() + "/" + std::to_string(line.attempt()) + "/" +
                   std::to_string(line.time_unix_nano()) + "." + std::to_string(index_at_time);
  if (line.part_count() > 1) id += "." + std::to_string(line.part());
  return id;
}

void ContainerLogFollower::run() {
  while (!stopping_) {
    bool more = true;
    try {
      more = follow_once();
    } catch (const sdk::Error& e) {
      if (e.status().code == 404) more = false;  // removed: its log went with it
      else log_.debug("log shipping: the log of container {} broke ({}); reading again from where it was",
                      container_.id, e.status().message);
    } catch (const std::exception& e) {
      log_.warn("log shipping: the log of container {} broke ({}); reading again from where it was", container_.id,
                e.what());
    }
    if (!more) {
      finished_ = true;
      break;
    }
    // Wait a little before asking again, but notice a stop at once.
    auto until = std::chrono::steady_clock::now() + options_.retry;
    while (!stopping_ && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  running_ = false;
}

bool ContainerLogFollower::follow_once() {
  rt::LogsRequest request;
  request.set_container_id(container_.id);
  request.set_follow(true);
  request.set_tail_lines(-1);
  request.set_timestamps(true);
  request.set_since_time_unix_nano(position_.time_unix_nano);
  resume_ = position_;
  StampedLineReader reader;
  std::uint64_t expected = 1;
  bool gap = false, reopen = false;
  auto last_chunk = std::chrono::steady_clock::now();
  container_.runtime->logs(
      request,
      [&](const rt::Chunk& chunk) {
        if (chunk.sequence() != 0 && chunk.sequence() != expected) {  // chunks lost: read again from here
          gap = true;
          return false;
        }
        expected = chunk.sequence() + 1;
        last_chunk = std::chrono::steady_clock::now();
        for (const auto& line : reader.add(chunk.fd(), chunk.data())) hand_on(line);
        return !stopping_.load();
      },
      [&] {
        // A stream silent this long is opened again: its runtime may have restarted under it
        // (no chunk would ever show the gap); from the position nothing repeats.
        reopen = std::chrono::steady_clock::now() - last_chunk > options_.reopen_after;
        return !stopping_.load() && !reopen;
      },
      options_.poll);
  if (stopping_ || gap || reopen) return true;
  for (const auto& line : reader.flush()) hand_on(line);
  // The stream ended: for good when the container has exited; a runtime that went away
  // mid-stream is asked again.
  return !container_exited();
}

bool ContainerLogFollower::container_exited() const {
  try {
    return container_.runtime->container_status(container_.id).state() == "EXITED";
  } catch (const sdk::Error& e) {
    if (e.status().code == 404) return true;
    throw;
  }
}

void ContainerLogFollower::hand_on(const StampedLine& line) {
  // Lines at the resume time that were shipped before come again first: skip them.
  if (line.time_unix_nano < resume_.time_unix_nano) return;
  if (line.time_unix_nano == resume_.time_unix_nano && resume_.lines_at_time > 0) {
    --resume_.lines_at_time;
    return;
  }
  LogPosition next = position_.after(line.time_unix_nano);
  logging::v1::LogLine out = container_.metadata;
  out.set_stream(line.fd == 2 ? "stderr" : "stdout");
  out.set_time_unix_nano(line.time_unix_nano);
  auto parts = split_line(line.text, options_.max_line_bytes);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    out.set_line(std::string(parts[i]));
    out.set_part(static_cast<int>(i));
    out.set_part_count(static_cast<int>(parts.size()));
    ShipRecord record;
    record.subject = container_.subject;
    record.message_id = message_id(out, next.lines_at_time - 1);
    record.data = out.SerializeAsString();
    record.container_id = container_.id;
    record.position = next;
    record.ends_line = i + 1 == parts.size();
    emit_(std::move(record));
  }
  position_ = next;
}

}  // namespace skiff::kubelet
