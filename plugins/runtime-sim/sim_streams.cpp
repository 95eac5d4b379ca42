#include "sim_streams.hpp"

#include "skiff/sdk/time.hpp"

namespace skiff::sim {

using namespace std::chrono_literals;

// Longest wait between two looks at a stream's stop flag; a stop pokes the runtime anyway.
constexpr auto kRecheck = 1s;

struct SimStreams::Stream {
  std::string subject;
  std::atomic<bool> stop{false};
  std::atomic<bool> input_closed{false};
  std::vector<sdk::Subscription> subscriptions;  // cancelled by the stream's thread when it ends
};

namespace {

// The lines a logs request asks for out of those there are (tail, since).
std::vector<LogLine> chosen(std::vector<LogLine> lines, const rt::LogsRequest& request) {
  if (request.since_seconds() > 0) {
    auto since = Clock::now() - std::chrono::seconds(request.since_seconds());
    std::erase_if(lines, [&](const LogLine& l) { return l.time < since; });
  }
  if (request.tail_lines() >= 0 && lines.size() > static_cast<std::size_t>(request.tail_lines()))
    lines.erase(lines.begin(), lines.end() - request.tail_lines());
  return lines;
}

std::string text_of(const LogLine& line, bool timestamps) {
  return timestamps ? sdk::format_rfc3339_micro(line.time) + " " + line.text : line.text;
}

}  // namespace

SimStreams::SimStreams(sdk::Bus& bus, SimRuntime& runtime) : bus_(bus), runtime_(runtime) {}

SimStreams::~SimStreams() {
  stopping_ = true;
  runtime_.poke();
  std::map<std::uint64_t, std::thread> running;
  std::vector<std::thread> finished;
  {
    std::lock_guard lock(mutex_);
    running.swap(running_);
    finished.swap(finished_);
  }
  for (auto& [id, t] : running) t.join();
  for (auto& t : finished) t.join();
}

void SimStreams::send(const std::string& subject, int fd, const std::string& data) {
  rt::Chunk chunk;
  chunk.set_fd(fd);
  chunk.set_data(data);
  bus_.publish(subject, chunk.SerializeAsString());
}

void SimStreams::finish(const std::string& subject, int exit_code) {
  rt::Chunk last;
  last.set_done(true);
  last.set_exit_code(exit_code);
  bus_.publish(subject, last.SerializeAsString());
}

// Listens for "<stream>.stop" before the reply goes out, so an early stop is never missed.
SimStreams::StreamPtr SimStreams::open(const std::string& subject) {
  auto stream = std::make_shared<Stream>();
  stream->subject = subject;
  stream->subscriptions.push_back(bus_.subscribe(subject + ".stop", [this, raw = stream.get()](const sdk::Message&) {
    raw->stop = true;
    runtime_.poke();
  }));
  return stream;
}

void SimStreams::spawn(StreamPtr stream, std::function<void(Stream&)> body) {
  std::lock_guard lock(mutex_);
  std::uint64_t id = next_id_++;
  running_.emplace(id, std::thread([this, id, stream, body = std::move(body)] {
    try {
      body(*stream);
      stream->subscriptions.clear();
      finish(stream->subject);
    } catch (const std::exception&) {
      // The bus went away: nobody is listening any more.
    }
    std::lock_guard lock(mutex_);
    // A thread cannot join itself: the next one to end (or the destructor) does.
    for (auto& t : finished_) t.join();
    finished_.clear();
    auto self = running_.find(id);
    if (self != running_.end()) {
      finished_.push_back(std::move(self->second));
      running_.erase(self);
    }
  }));
}

void SimStreams::logs(const rt::LogsRequest& request, const sdk::Request& reply) {
  LogsFrom first = runtime_.logs(request.container_id(), 0);
  std::vector<LogLine> lines = chosen(std::move(first.lines), request);
  const std::string& subject = request.stream();
  if (!request.follow() || first.ended) {
    reply.reply(rt::LogsRequest().SerializeAsString());
    for (const auto& line : lines) send(subject, 1, text_of(line, request.timestamps()));
    finish(subject);
    return;
  }
  StreamPtr stream = open(subject);
  reply.reply(rt::LogsRequest().SerializeAsString());
  spawn(stream, [this, lines = std::move(lines), next = first.next, request](Stream& s) mutable {
    for (const auto& line : lines) send(s.subject, 1, text_of(line, request.timestamps()));
    while (!s.stop && !stopping_) {
      std::uint64_t seen = runtime_.changes();  // before reading, so no change slips between
      LogsFrom more;
      try {
        more = runtime_.logs(request.container_id(), next);
      } catch (const sdk::Error&) {
        return;  // removed while followed: the logs end
      }
      for (const auto& line : more.lines) send(s.subject, 1, text_of(line, request.timestamps()));
      next = more.next;
      if (more.ended) return;
      runtime_.wait_for_change(seen, kRecheck);
    }
  });
}

void SimStreams::exec(const rt::ExecRequest& request, const sdk::Request& reply) {
  runtime_.check_running(request.container_id());
  const std::string& subject = request.stream();
  if (!request.stdin()) {
    ExecResult result = runtime_.exec(request.container_id(), {request.command().begin(), request.command().end()});
    reply.reply(rt::ExecRequest().SerializeAsString());
    if (!result.output.empty()) send(subject, 1, result.output);
    if (!result.error.empty()) send(subject, 2, result.error);
    finish(subject, result.exit_code);
    return;
  }
  StreamPtr stream = open(subject);
  stream->subscriptions.push_back(bus_.subscribe(subject + ".stdin", [this, raw = stream.get()](const sdk::Message& m) {
    rt::Chunk in;
    if (!in.ParseFromString(m.data)) return;
    if (!in.data().empty()) send(raw->subject, 1, in.data());
    if (in.done()) {
      raw->input_closed = true;
      runtime_.poke();
    }
  }));
  reply.reply(rt::ExecRequest().SerializeAsString());
  spawn(stream, [this](Stream& s) {
    while (!s.stop && !s.input_closed && !stopping_) {
      std::uint64_t seen = runtime_.changes();
      if (s.stop || s.input_closed) break;
      runtime_.wait_for_change(seen, kRecheck);
    }
  });
}

}  // namespace skiff::sim
