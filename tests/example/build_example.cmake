# ctest step: configure and build a project out of tree against the SDK installed in
# INSTALL_PREFIX (EXTRA_ARGS: more -D settings, ';'-separated).
file(REMOVE_RECURSE ${EXAMPLE_BUILD_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${EXAMPLE_SOURCE_DIR} -B ${EXAMPLE_BUILD_DIR}
                        -DCMAKE_PREFIX_PATH=${INSTALL_PREFIX} -DCMAKE_BUILD_TYPE=RelWithDebInfo ${EXTRA_ARGS}
                RESULT_VARIABLE configured)
if(NOT configured EQUAL 0)
  message(FATAL_ERROR "configuring ${EXAMPLE_SOURCE_DIR} against the installed SDK failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${EXAMPLE_BUILD_DIR} -j2 RESULT_VARIABLE built)
if(NOT built EQUAL 0)
  message(FATAL_ERROR "building ${EXAMPLE_SOURCE_DIR} against the installed SDK failed")
endif()
