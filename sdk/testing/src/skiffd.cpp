// Finds the skiffd installed with the SDK, spawns it with its output captured, and finds
// leftover processes by command line.
#include "skiff/testing/skiffd.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace skiff::test {

namespace fs = std::filesystem;

namespace {

// The directory libskiff-sdk was loaded from.
fs::path sdk_library_dir() {
  Dl_info info{};
  if (dladdr(reinterpret_cast<void*>(&sdk::new_trace_id), &info) == 0 || !info.dli_fname) return {};
  return fs::canonical(info.dli_fname).parent_path();
}

}  // namespace

std::string skiffd_binary() {
  if (const char* given = std::getenv("SKIFF_SKIFFD"); given && *given) return given;
  // <prefix>/lib/libskiff-sdk.so → <prefix>/bin/skiffd (also lib/<multiarch>/ and build trees).
  fs::path dir = sdk_library_dir();
  for (int up = 0; up < 3 && !dir.empty(); ++up, dir = dir.parent_path()) {
    fs::path candidate = dir.parent_path() / "bin" / "skiffd";
    if (access(candidate.c_str(), X_OK) == 0) return candidate.string();
  }
  throw std::runtime_error("no skiffd to test with: set SKIFF_SKIFFD, or install skiffd with the SDK (found "
                           "libskiff-sdk in " + sdk_library_dir().string() + ", but no bin/skiffd above it)");
}

std::string builtin_plugin_dir() {
  return (fs::path(skiffd_binary()).parent_path().parent_path() / "lib" / "skiff" / "plugins").string();
}

SkiffdProcess::SkiffdProcess(std::vector<std::string> args, std::string log_file) : log_file_(std::move(log_file)) {
  SpawnSpec spawn;
  spawn.argv = {skiffd_binary()};
  spawn.argv.insert(spawn.argv.end(), args.begin(), args.end());
  spawn.output_path = log_file_;
  process_ = std::make_unique<ChildProcess>(spawn);
}

SkiffdProcess::~SkiffdProcess() = default;  // the ChildProcess kills what still runs

std::optional<int> SkiffdProcess::wait(std::chrono::milliseconds timeout) { return process_->wait(timeout); }

std::optional<int> SkiffdProcess::terminate(std::chrono::milliseconds timeout) { return process_->terminate(timeout); }

std::string SkiffdProcess::output() const { return read_file(log_file_); }

std::pair<int, std::string> run_skiffd(const std::vector<std::string>& args, std::chrono::milliseconds timeout) {
  TempDir dir;
  SkiffdProcess process(args, dir.file("output.log"));
  auto code = process.wait(timeout);
  return {code.value_or(-1), process.output()};
}

namespace {

// A /proc file of a process that may exit while it is read: reading it then fails (ESRCH),
// which libstdc++ reports by throwing; a vanished process reads as empty.
std::string read_proc_file(const std::filesystem::path& path) {
  try {
    std::ifstream file(path);
    return std::string((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  } catch (const std::exception&) {
    return {};
  }
}

bool is_zombie(const std::filesystem::path& proc_dir) {
  std::string stat = read_proc_file(proc_dir / "stat");
  auto close_paren = stat.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < stat.size() && stat[close_paren + 2] == 'Z';
}

}  // namespace

std::vector<pid_t> processes_matching(const std::string& needle) {
  std::vector<pid_t> found;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string cmdline = read_proc_file(entry.path() / "cmdline");
    for (char& c : cmdline)
      if (c == '\0') c = ' ';
    pid_t pid = std::stoi(name);
    // Zombies of our own children do not count as running.
    if (pid != getpid() && cmdline.find(needle) != std::string::npos && !is_zombie(entry.path())) found.push_back(pid);
  }
  return found;
}

}  // namespace skiff::test
