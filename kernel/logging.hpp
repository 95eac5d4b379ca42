// One log format for the kernel and every plugin: time, level, [component], message.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/logger.h>

namespace skiff::kernel {

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view name);

// Sets the shared stderr sink's format; call once at start.
void init_logging(spdlog::level::level_enum level);

// A logger writing to the shared sink under `component` (a plugin instance or "skiffd").
std::shared_ptr<spdlog::logger> make_logger(const std::string& component, spdlog::level::level_enum level);

// The kernel's own logger.
spdlog::logger& kernel_log();

}  // namespace skiff::kernel
