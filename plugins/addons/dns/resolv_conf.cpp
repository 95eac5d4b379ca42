// Line by line: keyword, then words; '#' and ';' start comments.
#include "resolv_conf.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace skiff::dns {

namespace {

std::vector<std::string> words_of(std::string_view line) {
  std::vector<std::string> words;
  std::istringstream stream{std::string(line)};
  for (std::string word; stream >> word;) words.push_back(word);
  return words;
}

std::optional<unsigned> number(std::string_view text) {
  unsigned value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<IpAddress> address(std::string_view text) {
  boost::system::error_code error;
  auto parsed = boost::asio::ip::make_address(std::string(text), error);
  if (error) return std::nullopt;
  return parsed;
}

}  // namespace

std::optional<UpstreamServer> parse_upstream(std::string_view text) {
  if (auto whole = address(text)) return UpstreamServer{*whole, 53};
  std::string_view host, port;
  if (text.starts_with('[')) {
    auto close = text.find("]:");
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos || text.find(':') != colon) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  auto parsed = address(host);
  auto port_number = number(port);
  if (!parsed || !port_number || *port_number == 0 || *port_number > 65535) return std::nullopt;
  return UpstreamServer{*parsed, static_cast<std::uint16_t>(*port_number)};
}

ResolvConf parse_resolv_conf(std::string_view text) {
  ResolvConf conf;
  std::istringstream lines{std::string(text)};
  for (std::string line; std::getline(lines, line);) {
    if (auto comment = line.find_first_of("#;"); comment != std::string::npos) line.resize(comment);
    auto words = words_of(line);
    if (words.size() < 2) continue;
    if (words[0] == "nameserver") {
      if (auto server = address(words[1])) conf.nameservers.push_back({*server, 53});
    } else if (words[0] == "search" || words[0] == "domain") {
      conf.search.assign(words.begin() + 1, words.end());  // the last of them wins, as in libc
    } else if (words[0] == "options") {
      for (auto it = words.begin() + 1; it != words.end(); ++it) {
        if (!it->starts_with("ndots:")) continue;
        if (auto value = number(std::string_view(*it).substr(6))) conf.ndots = std::min(*value, 15u);
      }
    }
  }
  return conf;
}

ResolvConf read_resolv_conf(const std::string& path) {
  std::ifstream file(path);
  if (!file) throw std::runtime_error("dns: cannot read " + path + ": give upstream servers in the config instead");
  std::stringstream text;
  text << file.rdbuf();
  return parse_resolv_conf(text.str());
}

}  // namespace skiff::dns
