// The file a container's monitor leaves when the container has ended, read by the plugin (also
// after a restart): "<exit code> <finished at, RFC 3339 nano> <1 when the OOM killer struck>\n".
#pragma once

#include <cstdio>
#include <optional>
#include <string>

namespace skiff::runc {

struct ExitRecord {
  int exit_code = 0;  // the process's own, or 128 + the signal that ended it
  std::string finished_at;
  bool oom_killed = false;
};

inline std::string format_exit_record(const ExitRecord& r) {
  return std::to_string(r.exit_code) + " " + r.finished_at + " " + (r.oom_killed ? "1" : "0") + "\n";
}

inline std::optional<ExitRecord> parse_exit_record(const std::string& text) {
  ExitRecord r;
  char finished[80] = {0};
  int oom = 0;
  if (std::sscanf(text.c_str(), "%d %79s %d", &r.exit_code, finished, &oom) != 3) return std::nullopt;
  r.finished_at = finished;
  r.oom_killed = oom != 0;
  return r;
}

}  // namespace skiff::runc
