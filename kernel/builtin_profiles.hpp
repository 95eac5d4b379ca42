// The profiles compiled into skiffd (from profiles/*.yaml).
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace skiff::kernel {

std::optional<std::string_view> builtin_profile(std::string_view name);
std::vector<std::string_view> builtin_profile_names();

}  // namespace skiff::kernel
