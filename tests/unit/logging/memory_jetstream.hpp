// An in-memory JetStream for the scanner's tests: one stream, NATS subject wildcards, stored
// times set by the test, and a count of reads (to check a scan stays bounded).
#pragma once

#include <sstream>

#include "skiff/sdk/jetstream.hpp"
#include "skiff/sdk/status.hpp"

namespace skiff::test {

class MemoryJetStream final : public sdk::JetStream {
 public:
  std::vector<sdk::StoredMessage> messages;
  std::uint64_t next_sequence = 1;
  bool exists = true;
  int reads = 0;

  void add(const std::string& subject, const std::string& data, std::int64_t stored_time) {
    messages.push_back({subject, data, next_sequence++, stored_time});
  }
  // Retention: the oldest `count` go.
  void drop_oldest(std::size_t count) { messages.erase(messages.begin(), messages.begin() + static_cast<long>(count)); }

  sdk::StreamState ensure_stream(const sdk::StreamSettings&) override {
    exists = true;
    return *stream_state("");
  }
  std::optional<sdk::StreamState> stream_state(const std::string&) override {
    if (!exists) return std::nullopt;
    sdk::StreamState s;
    s.messages = messages.size();
    s.first_sequence = messages.empty() ? next_sequence : messages.front().sequence;
    s.last_sequence = next_sequence - 1;
    return s;
  }
  void delete_stream(const std::string&) override { exists = false; }
  sdk::PublishAck publish(const std::string& subject, std::string_view data, const std::string&,
                          std::chrono::milliseconds) override {
    add(subject, std::string(data), 0);
    return {next_sequence - 1, false};
  }
  std::vector<sdk::StoredMessage> read(const std::string&, const std::string& filter, sdk::ReadFrom from, std::size_t max,
                                       std::chrono::milliseconds) override {
    ++reads;
    std::vector<sdk::StoredMessage> out;
    for (const auto& m : messages) {
      if (out.size() == max) break;
      if (from.kind == sdk::ReadFrom::Kind::Sequence && m.sequence < from.sequence) continue;
      if (from.kind == sdk::ReadFrom::Kind::Time && m.time_unix_nano < from.time_unix_nano) continue;
      if (from.kind == sdk::ReadFrom::Kind::New) break;
      if (!filter.empty() && !subject_matches(filter, m.subject)) continue;
      out.push_back(m);
    }
    return out;
  }
  sdk::Subscription follow(const std::string&, const std::string&, sdk::ReadFrom,
                           std::function<void(const sdk::StoredMessage&)>) override {
    throw sdk::Error(sdk::Status::NotImplemented("the in-memory JetStream does not follow"));
  }

  static bool subject_matches(const std::string& filter, const std::string& subject) {
    auto tokens = [](const std::string& s) {
      std::vector<std::string> out;
      std::stringstream in(s);
      for (std::string t; std::getline(in, t, '.');) out.push_back(t);
      return out;
    };
    auto f = tokens(filter), s = tokens(subject);
    for (std::size_t i = 0; i < f.size(); ++i) {
      if (f[i] == ">") return s.size() > i;
      if (i >= s.size() || (f[i] != "*" && f[i] != s[i])) return false;
    }
    return f.size() == s.size();
  }
};

}  // namespace skiff::test
