#include "log_entries.hpp"

#include "skiff/sdk/time.hpp"

namespace skiff::docker {

namespace {

// Docker writes nine digits already; other writers may not, the contract wants nine.
std::string normalized(std::string_view stamp) {
  auto nanos = sdk::parse_rfc3339_nano(stamp);
  return nanos ? sdk::format_rfc3339_nano(*nanos) : std::string(stamp);
}

}  // namespace

void StampedLineJoiner::add(int fd, std::string_view entry) {
  auto& pending = pending_[fd == 2 ? 1 : 0];
  std::size_t space = entry.find(' ');
  std::string_view stamp = space == std::string_view::npos ? std::string_view() : entry.substr(0, space);
  std::string_view text = space == std::string_view::npos ? entry : entry.substr(space + 1);
  if (!pending) pending = Pending{std::string(stamp), ""};
  pending->text.append(text);
  if (pending->text.empty() || pending->text.back() != '\n') return;  // a part: the rest follows
  std::string line = with_stamps_ ? normalized(pending->stamp) + " " + pending->text : std::move(pending->text);
  pending.reset();
  out_(fd, line);
}

void StampedLineJoiner::flush() {
  for (int i = 0; i < 2; ++i) {
    if (!pending_[i]) continue;
    auto& p = *pending_[i];
    std::string line = with_stamps_ ? normalized(p.stamp) + " " + p.text : p.text;
    pending_[i].reset();
    out_(i + 1, line);
  }
}

}  // namespace skiff::docker
