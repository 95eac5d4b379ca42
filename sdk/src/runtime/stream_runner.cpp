// One RuntimeStream per logs/exec request; its thread publishes the final `done` Chunk.
#include "stream_runner.hpp"

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <utility>

namespace skiff::sdk::detail {

namespace rt = runtime::v1;

class StreamRunner::Stream final : public RuntimeStream {
 public:
  Stream(Bus& bus, std::string subject) : bus_(bus), subject_(std::move(subject)) {}

  const std::string& subject() const { return subject_; }

  // Large writes (a 1 MiB log line) go in pieces under the bus's message size limit
  // (1 MiB by default); a reader joins a stream's bytes anyway.
  void write(int fd, std::string_view data) override {
    do {
      rt::Chunk chunk;
      chunk.set_fd(fd);
      chunk.set_data(std::string(data.substr(0, kMaxChunkBytes)));
      data.remove_prefix(std::min(data.size(), kMaxChunkBytes));
      send(chunk);
    } while (!data.empty());
  }

  // Numbers the chunk and publishes it; chunks of one stream are sent one at a time.
  void send(rt::Chunk& chunk) {
    std::lock_guard lock(send_mutex_);
    chunk.set_sequence(++sequence_);
    bus_.publish(subject_, chunk.SerializeAsString());
  }

  bool stopped() const override { return stopped_.load(); }

  void on_stop(std::function<void()> wake) override {
    {
      std::lock_guard lock(stop_mutex_);
      if (!stopped_) {
        wakers_.push_back(std::move(wake));
        return;
      }
    }
    wake();
  }

  void on_stdin(std::function<void(std::string_view, bool)> handler) override {
    std::lock_guard lock(stdin_mutex_);
    for (auto& [data, last] : pending_stdin_) handler(data, last);
    pending_stdin_.clear();
    stdin_handler_ = std::move(handler);
  }

  void on_resize(std::function<void(std::uint32_t, std::uint32_t)> handler) override {
    std::lock_guard lock(stdin_mutex_);
    if (pending_size_) handler(pending_size_->first, pending_size_->second);
    pending_size_.reset();
    resize_handler_ = std::move(handler);
  }

  void stop() {
    std::vector<std::function<void()>> wakers;
    {
      std::lock_guard lock(stop_mutex_);
      if (stopped_.exchange(true)) return;
      wakers.swap(wakers_);
    }
    std::lock_guard calling(wake_mutex_);  // detach() waits for these to return
    if (!detached_)
      for (auto& wake : wakers) wake();
  }

  // The body has returned: the callbacks it registered may point into its dead frame, so
  // none runs after this returns.
  void detach() {
    {
      std::lock_guard lock(stdin_mutex_);
      stdin_handler_ = nullptr;
      resize_handler_ = nullptr;
    }
    std::lock_guard lock(stop_mutex_);
    wakers_.clear();
    std::lock_guard calling(wake_mutex_);
    detached_ = true;
  }

  void input(const Message& message) {
    rt::Chunk chunk;
    if (!chunk.ParseFromString(message.data)) return;
    std::lock_guard lock(stdin_mutex_);
    if (stdin_handler_) stdin_handler_(chunk.data(), chunk.done());
    else pending_stdin_.emplace_back(chunk.data(), chunk.done());
  }

  void resize(const Message& message) {
    rt::TerminalSize size;
    if (!size.ParseFromString(message.data) || size.width() == 0 || size.height() == 0) return;
    std::lock_guard lock(stdin_mutex_);
    if (resize_handler_) resize_handler_(size.width(), size.height());
    else pending_size_ = {size.width(), size.height()};
  }

  void finish(int exit_code, const std::string& error) {
    rt::Chunk last;
    last.set_done(true);
    last.set_exit_code(exit_code);
    if (!error.empty()) last.set_error(error);
    send(last);
  }

  // Cancelled by the stream's own thread before the final chunk: no handler outlives it.
  std::vector<Subscription> subscriptions;

 private:
  static constexpr std::size_t kMaxChunkBytes = 256 * 1024;

  Bus& bus_;
  std::string subject_;
  std::mutex send_mutex_;
  std::uint64_t sequence_ = 0;  // guarded by send_mutex_
  std::atomic<bool> stopped_{false};
  std::mutex stop_mutex_;
  std::vector<std::function<void()>> wakers_;
  std::mutex wake_mutex_;  // held while wakers run
  bool detached_ = false;  // guarded by wake_mutex_
  std::mutex stdin_mutex_;
  std::function<void(std::string_view, bool)> stdin_handler_;
  std::deque<std::pair<std::string, bool>> pending_stdin_;
  std::function<void(std::uint32_t, std::uint32_t)> resize_handler_;  // guarded by stdin_mutex_
  std::optional<std::pair<std::uint32_t, std::uint32_t>> pending_size_;
};

void StreamRunner::start(const std::string& subject, bool with_stdin, StreamBody body, const Request& request,
                         const std::string& accepted) {
  if (subject.empty()) throw Error(Status::BadRequest("the request names no stream subject to send the output to"));
  auto stream = std::make_shared<Stream>(bus_, subject);
  Stream* raw = stream.get();  // the subscriptions die before the stream does
  stream->subscriptions.push_back(bus_.subscribe(subject + ".stop", [raw](const Message&) { raw->stop(); }));
  if (with_stdin)
    stream->subscriptions.push_back(bus_.subscribe(subject + ".stdin", [raw](const Message& m) { raw->input(m); }));
  stream->subscriptions.push_back(bus_.subscribe(subject + ".resize", [raw](const Message& m) { raw->resize(m); }));
  std::lock_guard lock(mutex_);
  if (stopping_) throw Error(Status::Unavailable("the runtime is stopping"));
  request.reply(accepted);
  std::uint64_t id = next_id_++;
  Running& slot = running_[id];
  slot.stream = stream;
  slot.thread = std::thread([this, id, stream, body = std::move(body)] { run(id, stream, body); });
}

void StreamRunner::run(std::uint64_t id, const std::shared_ptr<Stream>& stream, const StreamBody& body) {
  int exit_code = 0;
  std::string error;
  try {
    exit_code = body(*stream);
  } catch (const Error& e) {
    error = e.status().message;
  } catch (const std::exception& e) {
    error = e.what();
  }
  stream->subscriptions.clear();
  stream->detach();
  try {
    stream->finish(exit_code, error);
  } catch (const std::exception&) {
    // The bus is gone: nobody is listening any more.
  }
  retire(id);
}

void StreamRunner::retire(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  for (auto& t : finished_) t.join();
  finished_.clear();
  auto self = running_.find(id);
  if (self == running_.end()) return;  // stop_all() took it and joins it
  finished_.push_back(std::move(self->second.thread));
  running_.erase(self);
}

void StreamRunner::stop_all() {
  std::map<std::uint64_t, Running> running;
  std::vector<std::thread> finished;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    running.swap(running_);
    finished.swap(finished_);
  }
  for (auto& [id, r] : running) r.stream->stop();
  for (auto& [id, r] : running) r.thread.join();
  for (auto& t : finished) t.join();
}

std::size_t StreamRunner::active() const {
  std::lock_guard lock(mutex_);
  return running_.size();
}

}  // namespace skiff::sdk::detail
