# ctest step: build sdk/examples/hello-plugin out of tree against the SDK installed in INSTALL_PREFIX.
file(REMOVE_RECURSE ${EXAMPLE_BUILD_DIR})
execute_process(COMMAND ${CMAKE_COMMAND} -S ${EXAMPLE_SOURCE_DIR} -B ${EXAMPLE_BUILD_DIR}
                        -DCMAKE_PREFIX_PATH=${INSTALL_PREFIX} -DCMAKE_BUILD_TYPE=RelWithDebInfo
                RESULT_VARIABLE configured)
if(NOT configured EQUAL 0)
  message(FATAL_ERROR "configuring the example against the installed SDK failed")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} --build ${EXAMPLE_BUILD_DIR} RESULT_VARIABLE built)
if(NOT built EQUAL 0)
  message(FATAL_ERROR "building the example against the installed SDK failed")
endif()
