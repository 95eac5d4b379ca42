// skiffd: the Skiff kernel. Parses the command line and hands over to one command.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "builtin_profiles.hpp"
#include "commands.hpp"
#include "malloc_arenas.hpp"
#include "plugin_cleanup.hpp"
#include "data_dir.hpp"
#include "logging.hpp"
#include "node_runner.hpp"
#include "skiff/abi/plugin_abi.h"
#include "version.hpp"

namespace {

using namespace skiff::kernel;

constexpr const char* kUsage = R"(usage:
  skiffd --profile NAME|FILE [--data-dir DIR] [--plugin-path DIR]... [--node NAME] [--log-level LEVEL]
                                   run a node (built-in profiles: allinone, master, worker)
  skiffd plugins [--plugin-path DIR]... [--config NAME [--markdown]]
                                   list the plugins found, or one plugin's config keys
                                   (--markdown: the table as the plugin's README carries it)
  skiffd cleanup NAME [--profile NAME|FILE] [--data-dir DIR] [--plugin-path DIR]...
                                   remove what plugin NAME left on this node (kernel tables,
                                   routes), with its config from the profile or its last run
  skiffd profile NAME              print a built-in profile
  skiffd status [--data-dir DIR] [--json]
                                   the running node's plugins and their health
  skiffd node-credentials NAME [--data-dir DIR] [--url URL[,URL…]] [--out FILE]
                                   on the master: worker NAME's own bus user (it may use only its
                                   own subjects and the API as that node), printed as its profile's
                                   `bus:` block; the embedded bus is reloaded with it
  skiffd join-secrets --from DIR [--data-dir DIR]
                                   before a further master's first start: copy what every master
                                   shares (bus passwords and node users, the apiserver CA, service
                                   account key, static tokens) from master DIR's data dir
  skiffd kubeconfig [--data-dir DIR]
                                   print the admin kubeconfig the node's API server wrote
  skiffd logs [--kubeconfig FILE] [-n NS] [POD] [-l SELECTOR] [-c CONTAINER] [--since DURATION]
              [--grep REGEX] [--limit N] [--reverse] [-f]   (skiffd logs --help: all flags)
                                   cluster logs, deleted pods' too, through the API server
  skiffd version
)";

struct CommandLine {
  std::string command = "run";
  RunOptions run;
  std::string config_of;
  bool markdown = false;
  std::string profile_name;  // also the node of node-credentials
  std::string url;
  std::string out;
  std::string from;
  bool json = false;
};

[[noreturn]] void usage_error(const std::string& message) {
  std::cerr << "skiffd: " << message << "\n\n" << kUsage;
  std::exit(2);
}

CommandLine parse(int argc, char** argv) {
  CommandLine cl;
  int i = 1;
  if (argc > 1 && argv[1][0] != '-') cl.command = argv[i++];
  auto value = [&](const std::string& flag) -> std::string {
    if (i + 1 >= argc) usage_error(flag + " needs a value");
    return argv[++i];
  };
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--profile" || arg == "-p") cl.run.profile = value(arg);
    else if (arg == "--data-dir") cl.run.data_dir = value(arg);
    else if (arg == "--plugin-path") cl.run.plugin_paths.push_back(value(arg));
    else if (arg == "--node") cl.run.node = value(arg);
    else if (arg == "--log-level") {
      std::string level = value(arg);
      cl.run.log_level = parse_log_level(level);
      if (!cl.run.log_level) usage_error("--log-level must be one of trace, debug, info, warn, error, off");
    } else if (arg == "--only") cl.run.only = value(arg);
    else if (arg == "--config") cl.config_of = value(arg);
    else if (arg == "--json") cl.json = true;
    else if (arg == "--markdown") cl.markdown = true;
    else if (arg == "--url") cl.url = value(arg);
    else if (arg == "--out") cl.out = value(arg);
    else if (arg == "--from") cl.from = value(arg);
    else if (arg == "--help" || arg == "-h") cl.command = "help";
    else if ((cl.command == "profile" || cl.command == "cleanup" || cl.command == "node-credentials") &&
             cl.profile_name.empty() && arg[0] != '-')
      cl.profile_name = arg;
    else usage_error("unknown argument '" + arg + "'");
  }
  if (cl.command == "run" && cl.run.profile.empty()) usage_error("--profile is required to run a node");
  if (cl.command == "cleanup" && cl.profile_name.empty()) usage_error("cleanup needs the plugin's name: skiffd cleanup proxy");
  if (cl.command == "node-credentials" && cl.profile_name.empty())
    usage_error("node-credentials needs the worker's node name: skiffd node-credentials worker-1");
  if (cl.command == "join-secrets" && cl.from.empty())
    usage_error("join-secrets needs the first master's data dir: skiffd join-secrets --from /var/lib/skiff-master-1");
  if (cl.markdown && cl.config_of.empty()) usage_error("--markdown prints one plugin's config table: add --config NAME");
  return cl;
}

std::string self_executable(const char* argv0) {
  std::error_code ec;
  auto path = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::filesystem::absolute(argv0).string() : path.string();
}

}  // namespace

int main(int argc, char** argv) {
  auto started = std::chrono::steady_clock::now();
  limit_malloc_arenas();  // before any thread exists
  // A client command with flags of its own (kubectl's), and the default signals: Ctrl-C ends it.
  if (argc > 1 && std::string(argv[1]) == "logs")
    return logs_command(std::vector<std::string>(argv + 2, argv + argc), default_data_dir() + "/kubeconfig");
  // Blocked before any thread exists, so every thread inherits it and only sigwait sees them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  CommandLine cl = parse(argc, argv);
  cl.run.self_exe = self_executable(argv[0]);
  cl.run.started = started;
  if (cl.command == "run") return run_node(cl.run);
  if (cl.command == "plugins") return plugins_command(plugin_search_dirs(cl.run.plugin_paths, cl.run.self_exe), cl.config_of, cl.markdown);
  if (cl.command == "status")
    return status_command(cl.run.data_dir.empty() ? default_data_dir() : cl.run.data_dir, cl.json);
  if (cl.command == "node-credentials")
    return node_credentials_command(cl.profile_name, cl.run.data_dir.empty() ? default_data_dir() : cl.run.data_dir,
                                    cl.url, cl.out);
  if (cl.command == "join-secrets")
    return join_secrets_command(cl.from, cl.run.data_dir.empty() ? default_data_dir() : cl.run.data_dir);
  if (cl.command == "kubeconfig") {
    std::string dir = cl.run.data_dir.empty() ? default_data_dir() : cl.run.data_dir;
    std::ifstream file(dir + "/kubeconfig");
    if (!file) {
      std::cerr << "skiffd kubeconfig: no " << dir << "/kubeconfig; is a node with the apiserver plugin running "
                << "with --data-dir " << dir << "?\n";
      return 1;
    }
    std::cout << file.rdbuf();
    return 0;
  }
  if (cl.command == "cleanup")
    return cleanup_command(cl.profile_name, cl.run.profile,
                           cl.run.data_dir.empty() ? default_data_dir() : cl.run.data_dir,
                           plugin_search_dirs(cl.run.plugin_paths, cl.run.self_exe));
  if (cl.command == "profile") {
    auto text = builtin_profile(cl.profile_name);
    if (!text) usage_error("no built-in profile '" + cl.profile_name + "' (there are allinone, master, worker)");
    std::cout << *text;
    return 0;
  }
  if (cl.command == "version") {
    std::cout << "skiffd " << kSkiffVersion << " (" << kSkiffGitRevision << "), SDK API v" << SKIFF_API_VERSION_MIN
              << "-v" << SKIFF_API_VERSION_MAX << ", descriptor layout " << SKIFF_DESCRIPTOR_LAYOUT << "\n";
    return 0;
  }
  if (cl.command == "help") {
    std::cout << kUsage;
    return 0;
  }
  usage_error("unknown command '" + cl.command + "'");
}
