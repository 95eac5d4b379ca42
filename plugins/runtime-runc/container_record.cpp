#include "container_record.hpp"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "skiff/sdk/status.hpp"

namespace skiff::runc {

namespace rt = runtime::v1;

std::string read_small_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_small_file(const std::string& path, const std::string& text) {
  std::string temporary = path + ".writing";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw sdk::Error(sdk::Status::Internal("cannot write " + temporary + " (is the data dir writable?)"));
  }
  std::filesystem::rename(temporary, path);
}

void save_message(const std::string& path, const google::protobuf::Message& message) {
  write_small_file(path, message.SerializeAsString());
}

bool load_message(const std::string& path, google::protobuf::Message& message) {
  std::ifstream in(path, std::ios::binary);
  return in && message.ParseFromIstream(&in);
}

std::string new_runtime_id() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (int i = 0; i < 32; ++i) id.push_back(hex[rng() % 16]);
  return id;
}

bool labels_match(const google::protobuf::Map<std::string, std::string>& have,
                  const google::protobuf::Map<std::string, std::string>& want) {
  for (const auto& [key, value] : want) {
    auto it = have.find(key);
    if (it == have.end() || it->second != value) return false;
  }
  return true;
}

bool process_alive(int pid) {
  if (pid <= 0) return false;
  std::string stat = read_small_file("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  if (close == std::string::npos || close + 2 >= stat.size()) return false;
  return stat[close + 2] != 'Z' && stat[close + 2] != 'X';
}

rt::ContainerStatus derive_container_status(const ContainerFiles& files, rt::ContainerStatus status) {
  std::string started = read_small_file(files.started_file());
  status.set_started_at(started);
  if (auto exit = parse_exit_record(read_small_file(files.exit_file()))) {
    status.set_state("EXITED");
    status.set_exit_code(exit->exit_code);
    status.set_finished_at(exit->finished_at);
    status.set_reason(exit->oom_killed ? "OOMKilled" : exit->exit_code == 0 ? "Completed" : "Error");
    return status;
  }
  bool alive = process_alive(std::atoi(read_small_file(files.container_pid_file()).c_str())) ||
               process_alive(std::atoi(read_small_file(files.monitor_pid_file()).c_str()));
  if (alive) {
    status.set_state(started.empty() ? "CREATED" : "RUNNING");
    return status;
  }
  status.set_state("EXITED");
  status.set_exit_code(255);
  status.set_reason("Unknown");
  status.set_message("the container's monitor ended without recording an exit code");
  return status;
}

}  // namespace skiff::runc
