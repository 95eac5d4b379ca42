# skiff_add_plugin(<name> SOURCES <files…> [LIBRARIES <targets…>] [OUTPUT_DIRECTORY <dir>] [NO_INSTALL])
# Builds <name>.so: only the SKIFF_PLUGIN entry point is exported, the SDK is linked dynamically
# (one copy of the generated Protobuf code per process), and the file lands where skiffd looks.
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
  target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  if(NOT ARG_NO_INSTALL)
    # Where skiffd looks by default: <bindir>/../lib/skiff/plugins.
    install(TARGETS ${target} LIBRARY DESTINATION lib/skiff/plugins)
  endif()
  set(SKIFF_LAST_PLUGIN_TARGET ${target} PARENT_SCOPE)
endfunction()
