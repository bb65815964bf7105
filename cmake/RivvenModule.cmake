# rivven_module(NAME [DIRS dir...] DEPS ...)
#   A static library from every .cc file in the current folder (and in DIRS, relative to it),
#   excluding tests/. Includes are rooted at src/. A folder with no .cc yet becomes an
#   INTERFACE library so the tree always configures.
function(rivven_module name)
  cmake_parse_arguments(ARG "" "" "DIRS;DEPS" ${ARGN})
  set(globs ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  foreach(d ${ARG_DIRS})
    list(APPEND globs ${CMAKE_CURRENT_SOURCE_DIR}/${d}/*.cc)
  endforeach()
  file(GLOB sources CONFIGURE_DEPENDS ${globs})
  if(sources)
    add_library(${name} STATIC ${sources})
    target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  else()
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${name} INTERFACE ${ARG_DEPS})
  endif()
endfunction()

# rivven_unit_tests(NAME [DIRS dir...] DEPS ... [LABELS ...])
#   One GoogleTest binary from tests/*_test.cc of the current folder (and DIRS/tests/);
#   every TEST is its own CTest case (ctest -R Name works). Default label: unit.
function(rivven_unit_tests name)
  cmake_parse_arguments(ARG "" "" "DIRS;DEPS;LABELS" ${ARGN})
  if(NOT RIVVEN_BUILD_TESTS)
    return()
  endif()
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  set(globs ${CMAKE_CURRENT_SOURCE_DIR}/tests/*_test.cc)
  foreach(d ${ARG_DIRS})
    list(APPEND globs ${CMAKE_CURRENT_SOURCE_DIR}/${d}/tests/*_test.cc)
  endforeach()
  file(GLOB sources CONFIGURE_DEPENDS ${globs})
  if(NOT sources)
    return()
  endif()
  add_executable(${name} ${sources})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  gtest_discover_tests(${name}
    PROPERTIES LABELS "${ARG_LABELS}"
    ENVIRONMENT "RIVVEN_BINARY=${PROJECT_BINARY_DIR}/rivven-connect;RIVVEN_SOURCE_DIR=${PROJECT_SOURCE_DIR}"
    DISCOVERY_TIMEOUT 60)
endfunction()
