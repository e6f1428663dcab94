# XR_SANITIZE: build the user-space code (CLI, unit tests, test helpers) with
# sanitizers. The BPF objects are compiled by bpf_object() with their own
# flags and never see these.
#
#   cmake -S . -B build-asan -DXR_SANITIZE=ON      (= address,undefined)
#   cmake -S . -B build-asan -DXR_SANITIZE=address
#
# UBSan is fatal (-fno-sanitize-recover=all): a report fails the test that
# triggered it. The runtime options live in the test configuration
# (cmake/SanitizeEnv.cmake, included by ctest), so `ctest` in the build
# directory needs nothing else.

set(XR_SANITIZE "" CACHE STRING
    "Sanitizers for user-space code: ON (address,undefined) or a list for -fsanitize=")

if(XR_SANITIZE)
  if(XR_SANITIZE STREQUAL "ON" OR XR_SANITIZE STREQUAL "1")
    set(XR_SANITIZE_LIST address,undefined)
  else()
    set(XR_SANITIZE_LIST ${XR_SANITIZE})
  endif()
  message(STATUS "Sanitizers: ${XR_SANITIZE_LIST}")
  add_compile_options(-fsanitize=${XR_SANITIZE_LIST} -fno-omit-frame-pointer
                      -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${XR_SANITIZE_LIST})

  # Read by ctest before it runs any test (see SanitizeEnv.cmake.in).
  set(XR_LSAN_SUPPRESSIONS ${PROJECT_SOURCE_DIR}/cmake/lsan.supp)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/SanitizeEnv.cmake.in
                 ${CMAKE_BINARY_DIR}/SanitizeEnv.cmake @ONLY)
  set_property(DIRECTORY ${PROJECT_SOURCE_DIR} APPEND PROPERTY
               TEST_INCLUDE_FILES ${CMAKE_BINARY_DIR}/SanitizeEnv.cmake)
endif()
