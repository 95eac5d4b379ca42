// `skiffd logs`: cluster logs (deleted pods' too) read through the API server's
// logging.skiff.io/v1 podlogs, so it works from any machine with a kubeconfig. kubectl's flag
// names; lines are printed as the containers wrote them, prefixed [pod/container] when the
// query can cover several pods.
#include <cmath>
#include <iostream>
#include <set>

#include <boost/json.hpp>

#include "api_http_client.hpp"
#include "commands.hpp"
#include "kubeconfig_reader.hpp"
#include "skiff/sdk/duration.hpp"

namespace skiff::kernel {
namespace {

namespace json = boost::json;

constexpr const char* kLogsUsage = R"(usage: skiffd logs [--kubeconfig FILE] [-n NS | -A] [POD] [-l SELECTOR] [-c CONTAINER]
                   [--node NODE] [--since DURATION | --since-time RFC3339] [--until-time RFC3339]
                   [--grep REGEX] [--contains TEXT] [--limit N] [--reverse] [-f] [--prefix] [--timestamps]
  Cluster logs kept by the logging addon, deleted pods' included, through the API server
  (logging.skiff.io/v1 podlogs). At most --limit lines (default 10000), oldest first unless
  --reverse; -f keeps printing new lines. --grep takes an ECMAScript regular expression.
)";

struct LogsOptions {
  std::string kubeconfig;
  std::string namespace_;
  bool all_namespaces = false;
  std::string pod;
  std::vector<std::pair<std::string, std::string>> query;  // API parameters
  bool follow = false;
  bool prefix = false;
  bool timestamps = false;
  std::string limit;
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::string since_seconds(const std::string& text) {
  auto duration = sdk::parse_duration(text);
  if (!duration || duration->count() <= 0)
    throw UsageError("--since \"" + text + "\" is not a duration such as 30s, 5m or 2h");
  return std::to_string(static_cast<long long>(std::ceil(duration->count() / 1000.0)));
}

LogsOptions parse_logs_args(const std::vector<std::string>& args) {
  LogsOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    std::string inline_value;
    bool has_inline = false;
    if (arg.rfind("--", 0) == 0 && arg.find('=') != std::string::npos) {
      inline_value = arg.substr(arg.find('=') + 1);
      arg = arg.substr(0, arg.find('='));
      has_inline = true;
    }
    auto value = [&]() -> std::string {
      if (has_inline) return inline_value;
      if (i + 1 >= args.size()) throw UsageError(arg + " needs a value");
      return args[++i];
    };
    if (arg == "--kubeconfig") o.kubeconfig = value();
    else if (arg == "-n" || arg == "--namespace") o.namespace_ = value();
    else if (arg == "-A" || arg == "--all-namespaces") o.all_namespaces = true;
    else if (arg == "-l" || arg == "--selector") o.query.emplace_back("labelSelector", value());
    else if (arg == "-c" || arg == "--container") o.query.emplace_back("container", value());
    else if (arg == "--node") o.query.emplace_back("node", value());
    else if (arg == "--since") o.query.emplace_back("sinceSeconds", since_seconds(value()));
    else if (arg == "--since-time") o.query.emplace_back("sinceTime", value());
    else if (arg == "--until-time") o.query.emplace_back("untilTime", value());
    else if (arg == "--grep") o.query.emplace_back("grep", value());
    else if (arg == "--contains") o.query.emplace_back("contains", value());
    else if (arg == "--limit" || arg == "--tail") o.limit = value();
    else if (arg == "--reverse") o.query.emplace_back("reverse", "true");
    else if (arg == "-f" || arg == "--follow") o.follow = true;
    else if (arg == "--prefix") o.prefix = true;
    else if (arg == "--timestamps") o.timestamps = true;
    else if (arg == "-h" || arg == "--help") throw UsageError("");
    else if (arg[0] != '-' && o.pod.empty()) o.pod = arg;
    else throw UsageError("unknown argument '" + args[i] + "'");
  }
  if (!o.limit.empty()) o.query.emplace_back("limit", o.limit);
  if (o.follow) o.query.emplace_back("follow", "true");
  if (o.all_namespaces && !o.pod.empty()) throw UsageError("a pod is named within one namespace: drop -A or give -n NS");
  return o;
}

std::string target_of(const LogsOptions& o, const std::string& ns) {
  std::string target = "/apis/logging.skiff.io/v1/";
  if (!o.all_namespaces) target += "namespaces/" + url_encode(ns) + "/";
  target += "podlogs";
  if (!o.pod.empty()) target += "/" + url_encode(o.pod);
  char separator = '?';
  for (const auto& [key, value] : o.query) {
    target += separator + key + "=" + url_encode(value);
    separator = '&';
  }
  return target;
}

std::string field(const json::object& item, const char* key) {
  const auto* v = item.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

void print_item(const json::object& item, bool prefix, bool timestamps) {
  std::string line = item.contains("lineBase64") ? base64_decode(field(item, "lineBase64")) : field(item, "line");
  std::string out;
  if (prefix) out += "[" + field(item, "pod") + "/" + field(item, "container") + "] ";
  if (timestamps) out += field(item, "time") + " ";
  out += line;
  out += '\n';
  std::cout.write(out.data(), static_cast<std::streamsize>(out.size()));
}

// A Status body's message, or the body itself.
std::string message_of(const std::string& body) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (!ec && v.is_object()) {
    std::string message = field(v.as_object(), "message");
    if (!message.empty()) return message;
  }
  return body;
}

int list(ApiHttpClient& client, const LogsOptions& o, const std::string& target) {
  HttpAnswer answer = client.get(target);
  if (answer.status != 200) {
    std::cerr << "skiffd logs: " << message_of(answer.body) << " (HTTP " << answer.status << ")\n";
    return 1;
  }
  json::value doc = json::parse(answer.body);
  const auto& items = doc.at("items").as_array();
  std::set<std::string> pods;
  for (const auto& item : items) pods.insert(field(item.as_object(), "namespace") + "/" + field(item.as_object(), "pod"));
  bool prefix = o.prefix || pods.size() > 1;
  for (const auto& item : items) print_item(item.as_object(), prefix, o.timestamps);
  std::cout.flush();
  if (const auto* truncated = doc.as_object().if_contains("truncated"); truncated && truncated->is_bool() && truncated->as_bool())
    std::cerr << "skiffd logs: more lines matched than the limit (" << (o.limit.empty() ? "the addon's default" : o.limit)
              << "); narrow the query (--since, --grep, -c) or raise --limit\n";
  return 0;
}

int follow(ApiHttpClient& client, const LogsOptions& o, const std::string& target) {
  bool prefix = o.prefix || o.pod.empty();
  int exit_code = 0;
  HttpAnswer answer = client.get_lines(target, [&](std::string_view line) {
    if (line.empty()) return true;
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) return true;
    if (field(v.as_object(), "kind") == "Status") {
      std::cerr << "skiffd logs: " << field(v.as_object(), "message") << "\n";
      exit_code = 1;
      return false;
    }
    print_item(v.as_object(), prefix, o.timestamps);
    std::cout.flush();
    return true;
  });
  if (answer.status != 200) {
    std::cerr << "skiffd logs: " << message_of(answer.body) << " (HTTP " << answer.status << ")\n";
    return 1;
  }
  return exit_code;
}

}  // namespace

int logs_command(const std::vector<std::string>& args, const std::string& local_kubeconfig) {
  LogsOptions options;
  try {
    options = parse_logs_args(args);
  } catch (const UsageError& e) {
    if (std::string(e.what()).empty()) {
      std::cout << kLogsUsage;
      return 0;
    }
    std::cerr << "skiffd logs: " << e.what() << "\n\n" << kLogsUsage;
    return 2;
  }
  try {
    ApiEndpoint endpoint = read_kubeconfig(options.kubeconfig, local_kubeconfig);
    std::string ns = options.namespace_.empty() ? endpoint.namespace_ : options.namespace_;
    ApiHttpClient client(endpoint);
    std::string target = target_of(options, ns);
    return options.follow ? follow(client, options, target) : list(client, options, target);
  } catch (const std::exception& e) {
    std::cerr << "skiffd logs: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace skiff::kernel
