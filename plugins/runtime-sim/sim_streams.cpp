// Logs and exec of simulated containers: what is complete at once is written straight away;
// followed logs wait for the runtime's changes; exec with stdin, attach and port-forward echo it
// until it closes.
#include <algorithm>
#include <condition_variable>
#include <mutex>

#include "sim_runtime.hpp"
#include "skiff/sdk/status.hpp"
#include "skiff/sdk/time.hpp"

namespace skiff::sim {

using namespace std::chrono_literals;

namespace {

// Longest wait between two looks at a stream's stop flag; a stop pokes the runtime anyway.
constexpr auto kRecheck = 1s;

std::int64_t unix_nano(Clock::time_point time) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(time.time_since_epoch()).count();
}

// since_time_unix_nano: the lines received at or after it.
std::vector<LogLine> not_before(std::vector<LogLine> lines, const rt::LogsRequest& request) {
  if (request.since_time_unix_nano() > 0)
    std::erase_if(lines, [&](const LogLine& l) { return unix_nano(l.time) < request.since_time_unix_nano(); });
  return lines;
}

// The lines a logs request asks for out of those there are (tail, since).
std::vector<LogLine> chosen(std::vector<LogLine> lines, const rt::LogsRequest& request) {
  if (request.since_seconds() > 0) {
    auto since = Clock::now() - std::chrono::seconds(request.since_seconds());
    std::erase_if(lines, [&](const LogLine& l) { return l.time < since; });
  }
  lines = not_before(std::move(lines), request);
  if (request.tail_lines() >= 0 && lines.size() > static_cast<std::size_t>(request.tail_lines()))
    lines.erase(lines.begin(), lines.end() - request.tail_lines());
  return lines;
}

void write_lines(sdk::RuntimeStream& stream, const std::vector<LogLine>& lines, bool timestamps) {
  for (const auto& line : lines)
    stream.write(1, timestamps ? sdk::format_rfc3339_nano(unix_nano(line.time)) + " " + line.text : line.text);
}

// Echoes stdin on fd 1 until it closes (or the stream stops).
int echo_until_closed(sdk::RuntimeStream& stream) {
  std::mutex mutex;
  std::condition_variable woken;
  bool closed = false;
  stream.on_stdin([&](std::string_view data, bool last) {
    if (!data.empty()) stream.write(1, data);
    if (!last) return;
    std::lock_guard lock(mutex);
    closed = true;
    woken.notify_all();
  });
  stream.on_stop([&] {
    std::lock_guard lock(mutex);
    woken.notify_all();
  });
  std::unique_lock lock(mutex);
  woken.wait(lock, [&] { return closed || stream.stopped(); });
  return 0;
}

}  // namespace

sdk::StreamBody SimRuntime::logs(const rt::LogsRequest& request) {
  LogsFrom first = log_lines(request.container_id(), 0);  // 404 before the stream starts
  return [this, request, first = std::move(first)](sdk::RuntimeStream& stream) {
    write_lines(stream, chosen(first.lines, request), request.timestamps());
    if (!request.follow() || first.ended) return 0;
    stream.on_stop([this] { poke(); });
    std::size_t next = first.next;
    while (!stream.stopped()) {
      std::uint64_t seen = changes();  // before reading, so no change slips between
      LogsFrom more;
      try {
        more = log_lines(request.container_id(), next);
      } catch (const sdk::Error&) {
        return 0;  // removed while followed: the logs end
      }
      write_lines(stream, not_before(std::move(more.lines), request), request.timestamps());
      next = more.next;
      if (more.ended) return 0;
      auto wait = std::chrono::milliseconds(kRecheck);
      if (more.next_line_due)  // a writing container: look again when its next line is due
        wait = std::clamp(std::chrono::ceil<std::chrono::milliseconds>(*more.next_line_due - Clock::now()),
                          std::chrono::milliseconds(1), wait);
      wait_for_change(seen, wait);
    }
    return 0;
  };
}

sdk::StreamBody SimRuntime::exec(const rt::ExecRequest& request) {
  check_running(request.container_id());
  if (!request.stdin()) {
    ExecResult result = simulate_exec(request.container_id(), {request.command().begin(), request.command().end()});
    return [result](sdk::RuntimeStream& stream) {
      if (!result.output.empty()) stream.write(1, result.output);
      if (!result.error.empty()) stream.write(2, result.error);
      return result.exit_code;
    };
  }
  return echo_until_closed;
}

// A simulated pod listens on every port of a ready sandbox and echoes what it is sent, so the
// path from kubectl to the runtime can be tested without containers.
sdk::StreamBody SimRuntime::port_forward(const rt::PortForwardRequest& request) {
  if (sandbox_status(request.sandbox_id()).state() != "READY")  // 404 for an unknown one
    throw sdk::Error(sdk::Status::Conflict("sandbox " + request.sandbox_id() + " is not ready: no network to forward into"));
  if (request.port() <= 0 || request.port() > 65535)
    throw sdk::Error(sdk::Status::Invalid("port " + std::to_string(request.port()) + " is not a valid port (1–65535)"));
  return echo_until_closed;
}

// A simulated container's stdio is an echo of its stdin (and silence without it) until the caller leaves.
sdk::StreamBody SimRuntime::attach(const rt::AttachRequest& request) {
  check_running(request.container_id());
  return echo_until_closed;
}

}  // namespace skiff::sim
