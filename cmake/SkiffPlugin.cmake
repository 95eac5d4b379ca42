# skiff_add_plugin(<name> SOURCES <files…> [LIBRARIES <targets…>] [OUTPUT_DIRECTORY <dir>] [NO_INSTALL])
# Builds <name>.so: the SDK is linked dynamically (one copy of the generated Protobuf code per
# process), a linker version script exports only the SKIFF_PLUGIN entry point (hidden
# visibility alone leaves Boost's and std:: template instances exported), and the file lands
# where skiffd looks.
set(SKIFF_PLUGIN_VERSION_SCRIPT "${CMAKE_CURRENT_LIST_DIR}/skiff-plugin.map")

function(skiff_add_plugin name)
  cmake_parse_arguments(ARG "NO_INSTALL" "OUTPUT_DIRECTORY" "SOURCES;LIBRARIES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "skiff_add_plugin(${name}): SOURCES is required")
  endif()
  if(NOT ARG_OUTPUT_DIRECTORY)
    if(DEFINED SKIFF_PLUGIN_OUTPUT_DIRECTORY)
      set(ARG_OUTPUT_DIRECTORY ${SKIFF_PLUGIN_OUTPUT_DIRECTORY})
    else()
      set(ARG_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
    endif()
  endif()
  set(target skiff_plugin_${name})
  string(REPLACE "-" "_" target ${target})
  add_library(${target} MODULE ${ARG_SOURCES})
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME ${name}
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY}
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    BUILD_RPATH "$ORIGIN/../..;$ORIGIN"
    INSTALL_RPATH "$ORIGIN/../..")
  target_link_libraries(${target} PRIVATE Skiff::sdk ${ARG_LIBRARIES})
  target_link_options(${target} PRIVATE "LINKER:--no-undefined" "LINKER:--version-script=${SKIFF_PLUGIN_VERSION_SCRIPT}")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${SKIFF_PLUGIN_VERSION_SCRIPT})
  if(NOT ARG_NO_INSTALL)
    # Where skiffd looks by default: <bindir>/../lib/skiff/plugins.
    install(TARGETS ${target} LIBRARY DESTINATION lib/skiff/plugins COMPONENT runtime)
  endif()
  set(SKIFF_LAST_PLUGIN_TARGET ${target} PARENT_SCOPE)
endfunction()

# skiff_add_plugin_test(<name> PLUGINS <plugin targets…> SOURCES <files…>)
# A GoogleTest program on the testing kit (Skiff::testing: the harness that hosts plugins in a
# real skiffd on a real nats-server, and the conformance suites to instantiate) that knows
# where the plugins under test are built (SKIFF_PLUGIN_DIR: the first one's directory), one
# ctest per test. Needs GoogleTest (Debian: libgtest-dev) and nats-server on the PATH to run.
function(skiff_add_plugin_test name)
  cmake_parse_arguments(ARG "" "" "PLUGINS;SOURCES" ${ARGN})
  if(NOT TARGET Skiff::testing)
    message(FATAL_ERROR "skiff_add_plugin_test(${name}): Skiff::testing is missing; install GoogleTest "
                        "(Debian: libgtest-dev) and the SDK's testing kit")
  endif()
  if(NOT ARG_PLUGINS OR NOT ARG_SOURCES)
    message(FATAL_ERROR "skiff_add_plugin_test(${name}): PLUGINS and SOURCES are required")
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Skiff::testing GTest::gtest_main)
  list(GET ARG_PLUGINS 0 first)
  target_compile_definitions(${name} PRIVATE SKIFF_PLUGIN_DIR="$<TARGET_FILE_DIR:${first}>")
  add_dependencies(${name} ${ARG_PLUGINS})
  include(GoogleTest)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 300)
endfunction()
