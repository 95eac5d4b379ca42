// One upgrade request to the apiserver over TLS (its CA trusted), then the raw connection the
// WebSocket and SPDY test clients speak on. Every read waits until a deadline, never forever.
#pragma once

#include <openssl/ssl.h>

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace skiff::test {

class UpgradeClient {
 public:
  using Clock = std::chrono::steady_clock;
  using Headers = std::vector<std::pair<std::string, std::string>>;

  // Sends `method target` with `headers` (and the bearer token, when not empty) and reads the
  // answer's head; a refusal's body too. Throws std::runtime_error when the server cannot be reached.
  UpgradeClient(int port, const std::string& ca_file, const std::string& token, const std::string& method,
                const std::string& target, const Headers& headers);
  ~UpgradeClient();
  UpgradeClient(const UpgradeClient&) = delete;
  UpgradeClient& operator=(const UpgradeClient&) = delete;

  int status() const { return status_; }
  // A header of the answer ("" when absent); names are matched without regard to case.
  std::string header(const std::string& name) const;
  const std::string& body() const { return body_; }

  bool write(std::string_view bytes);
  // Exactly `size` bytes into `out`; false (keeping what came) at the deadline or the end.
  bool read_exactly(std::size_t size, Clock::time_point deadline, std::string& out);
  // Whether `size` bytes have come by the deadline, without taking them (to read a frame whole).
  bool has(std::size_t size, Clock::time_point deadline);
  std::string_view peek() const { return pending_; }
  // True once a read found the connection's end.
  bool ended() const { return ended_; }

 private:
  // Reads what the connection has into pending_, waiting until `deadline`; false if nothing came.
  bool fill(Clock::time_point deadline);
  void read_head(Clock::time_point deadline);

  int fd_ = -1;
  SSL_CTX* context_ = nullptr;
  SSL* tls_ = nullptr;
  std::string pending_;
  int status_ = 0;
  std::map<std::string, std::string> headers_;  // names lowercased
  std::string body_;
  bool ended_ = false;
};

}  // namespace skiff::test
