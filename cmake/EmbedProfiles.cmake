# Generates builtin_profiles.cpp from profiles/*.yaml (cmake -P, run at build time).
file(GLOB profiles ${PROFILE_DIR}/*.yaml)
list(SORT profiles)
set(entries "")
foreach(profile ${profiles})
  get_filename_component(name ${profile} NAME_WE)
  file(READ ${profile} text)
  string(APPEND entries "    {\"${name}\", R\"skiff_profile(${text})skiff_profile\"},\n")
endforeach()
file(WRITE ${OUTPUT}.tmp
"// Generated from profiles/*.yaml by cmake/EmbedProfiles.cmake; do not edit.
#include \"builtin_profiles.hpp\"

#include <utility>

namespace skiff::kernel {
namespace {
constexpr std::pair<std::string_view, std::string_view> kProfiles[] = {
${entries}};
}  // namespace

std::optional<std::string_view> builtin_profile(std::string_view name) {
  for (const auto& [n, text] : kProfiles)
    if (n == name) return text;
  return std::nullopt;
}

std::vector<std::string_view> builtin_profile_names() {
  std::vector<std::string_view> names;
  for (const auto& entry : kProfiles) names.push_back(entry.first);
  return names;
}

}  // namespace skiff::kernel
")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different ${OUTPUT}.tmp ${OUTPUT})
