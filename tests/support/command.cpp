// Output goes to temp files (no pipe buffers to fill and deadlock on); the wait has a deadline.
#include "command.hpp"

#include <fstream>

#include "skiff/testing/process.hpp"
#include "skiff/testing/temp_dir.hpp"

namespace skiff::test {

CommandResult run_command(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env,
                          std::chrono::milliseconds timeout, const std::string& stdin_text) {
  TempDir dir;
  std::string in_path = dir.file("stdin"), out_path = dir.file("stdout"), err_path = dir.file("stderr");
  std::ofstream(in_path) << stdin_text;
  CommandResult result;
  {
    ChildProcess process({argv, extra_env, in_path, out_path, err_path});
    if (auto code = process.wait(timeout)) result.exit_code = *code;
  }  // killed if it outlived the timeout
  result.out = read_file(out_path);
  result.err = read_file(err_path);
  return result;
}

}  // namespace skiff::test
