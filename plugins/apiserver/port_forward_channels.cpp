// Port-forward over the kubelet's WebSocket channels (v4.channel.k8s.io, its base64 form, or
// no subprotocol): port i of ?ports= has data channel 2i (both ways) and error channel 2i+1
// (to the client); the first message on each carries the port, 2 bytes little-endian. Each
// port is one connection to the pod for the whole session, and the WebSocket closes once
// every one has ended — what the kubelet's websocket.go does.
#include <openssl/evp.h>

#include <atomic>
#include <condition_variable>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "port_forward.hpp"
#include "skiff/sdk/status.hpp"
#include "websocket.hpp"

namespace skiff::apiserver {
namespace {

using Clock = std::chrono::steady_clock;
constexpr auto kPoll = std::chrono::milliseconds(250);  // how often a quiet pump checks for the end
constexpr auto kCloseAnswer = std::chrono::seconds(5);  // how long a client may take to answer our close

std::string base64_encode(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(data.data()),
                          static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// Nothing when `text` is not padded base64 (Go's StdEncoding refuses it too).
std::optional<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock counts the padding's zero bytes as data.
  std::size_t padding = text.size() >= 2 && text.substr(text.size() - 2) == "==" ? 2 : !text.empty() && text.back() == '=' ? 1 : 0;
  out.resize(static_cast<std::size_t>(n) - padding);
  return out;
}

class ChannelSession {
 public:
  ChannelSession(HttpResponder& connection, bool base64, const std::vector<int>& ports, const PortForwardTarget& target)
      : connection_(connection), socket_(connection), base64_(base64), target_(target) {
    for (int number : ports) {
      ports_.push_back(std::make_unique<Port>());
      ports_.back()->number = number;
    }
  }

  void run() {
    for (std::size_t i = 0; i < ports_.size(); ++i) {
      int number = ports_[i]->number;
      std::string little_endian{static_cast<char>(number & 0xff), static_cast<char>(number >> 8)};
      send(data_channel(i), little_endian);
      send(error_channel(i), little_endian);
    }
    for (std::size_t i = 0; i < ports_.size(); ++i) start(i);
    std::promise<void> reader_done;
    auto reader_ended = reader_done.get_future();
    std::thread reader([&] {
      read_client();
      reader_done.set_value();
    });
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return client_gone_ || ended_ == ports_.size(); });
    }
    if (!client_gone()) {
      socket_.close();  // every port's connection ended: the session is over
      if (reader_ended.wait_for(kCloseAnswer) != std::future_status::ready) connection_.shutdown_raw();
    }
    closing_ = true;
    for (auto& port : ports_) {
      if (port->stream && !port->ended) port->stream->stop();
      if (port->pump.joinable()) port->pump.join();
    }
    reader.join();
  }

 private:
  struct Port {
    int number = 0;
    std::unique_ptr<sdk::ChunkStream> stream;
    std::thread pump;
    std::atomic<bool> ended{false};
  };

  static unsigned data_channel(std::size_t index) { return static_cast<unsigned>(2 * index); }
  static unsigned error_channel(std::size_t index) { return static_cast<unsigned>(2 * index + 1); }

  bool send(unsigned channel, std::string_view payload) {
    if (!base64_) return socket_.write(WebSocket::Binary, std::string(1, static_cast<char>(channel)) + std::string(payload));
    return socket_.write(WebSocket::Text, std::string(1, static_cast<char>('0' + channel)) + base64_encode(payload));
  }

  void end_port(std::size_t index) {
    std::lock_guard lock(mutex_);
    ports_[index]->ended = true;
    ++ended_;
    changed_.notify_all();
  }

  // Connects to the pod's port and relays what the pod sends until that connection ends.
  void start(std::size_t index) {
    Port& port = *ports_[index];
    try {
      port.stream = target_.connect(port.number);
    } catch (const sdk::Error& e) {
      send(error_channel(index), target_.error_text(port.number, e.status().message));
      return end_port(index);
    }
    port.pump = std::thread([this, index, &port] {
      while (!closing_) {
        auto chunk = port.stream->next(Clock::now() + kPoll);
        if (!chunk) continue;
        if (chunk->done()) {
          if (!chunk->error().empty()) send(error_channel(index), target_.error_text(port.number, chunk->error()));
          break;
        }
        if (!send(data_channel(index), chunk->data())) break;
      }
      end_port(index);
    });
  }

  // What the client sends on a data channel goes to that port's connection; the rest is ignored.
  void read_client() {
    while (auto message = socket_.read_message()) {
      if (message->payload.empty()) continue;
      unsigned channel = static_cast<unsigned char>(message->payload[0]);
      std::optional<std::string> data = message->payload.substr(1);
      if (base64_) {
        channel -= '0';
        data = base64_decode(*data);
      }
      std::size_t index = channel / 2;
      if (!data || channel % 2 != 0 || index >= ports_.size()) continue;
      Port& port = *ports_[index];
      if (port.stream && !port.ended && !data->empty()) port.stream->send_stdin(std::move(*data), false);
    }
    std::lock_guard lock(mutex_);
    client_gone_ = true;
    changed_.notify_all();
  }

  bool client_gone() {
    std::lock_guard lock(mutex_);
    return client_gone_;
  }

  HttpResponder& connection_;
  WebSocket socket_;
  bool base64_;
  const PortForwardTarget& target_;
  std::vector<std::unique_ptr<Port>> ports_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t ended_ = 0;
  bool client_gone_ = false;
  std::atomic<bool> closing_{false};
};

}  // namespace

void serve_channel_port_forward(HttpResponder& connection, bool base64, const std::vector<int>& ports,
                                const PortForwardTarget& target) {
  ChannelSession session(connection, base64, ports, target);
  session.run();
}

}  // namespace skiff::apiserver
