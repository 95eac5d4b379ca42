// The shared stderr sink; plugin lines arrive through the C log callback and land here too.
#include "logging.hpp"

#include <unistd.h>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/ansicolor_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace skiff::kernel {
namespace {

// Upper-case, at most five letters, like klog and containerd: INFO, WARN, ERROR.
class LevelFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&, spdlog::memory_buf_t& dest) override {
    static constexpr std::string_view kNames[] = {"TRACE", "DEBUG", "INFO ", "WARN ", "ERROR", "FATAL", "     "};
    std::string_view name = kNames[std::min<int>(msg.level, 6)];
    dest.append(name.data(), name.data() + name.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override { return std::make_unique<LevelFlag>(); }
};

spdlog::sink_ptr& shared_sink() {
  static spdlog::sink_ptr sink = [] {
    spdlog::sink_ptr s;
    if (isatty(STDERR_FILENO))
      s = std::make_shared<spdlog::sinks::ansicolor_stderr_sink_mt>();
    else
      s = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto formatter = std::make_unique<spdlog::pattern_formatter>();
    formatter->add_flag<LevelFlag>('*').set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%*%$ [%n] %v");
    s->set_formatter(std::move(formatter));
    return s;
  }();
  return sink;
}

std::shared_ptr<spdlog::logger>& kernel_logger() {
  static std::shared_ptr<spdlog::logger> logger = make_logger("skiffd", spdlog::level::info);
  return logger;
}

}  // namespace

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name) {
  if (name == "trace") return spdlog::level::trace;
  if (name == "debug") return spdlog::level::debug;
  if (name == "info") return spdlog::level::info;
  if (name == "warn" || name == "warning") return spdlog::level::warn;
  if (name == "error") return spdlog::level::err;
  if (name == "off") return spdlog::level::off;
  return std::nullopt;
}

void init_logging(spdlog::level::level_enum level) { kernel_logger()->set_level(level); }

std::shared_ptr<spdlog::logger> make_logger(const std::string& component, spdlog::level::level_enum level) {
  auto logger = std::make_shared<spdlog::logger>(component, shared_sink());
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  return logger;
}

spdlog::logger& kernel_log() { return *kernel_logger(); }

}  // namespace skiff::kernel
