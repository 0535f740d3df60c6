# rampart_add_test(NAME SOURCES ... LIBS ... LABELS ...)
#   One gtest executable per test file; tests are discovered per TEST() so ctest reports each one.
#   Labels: unit (fast, no privileges), integration (reads the live machine), root, mysql, e2e.
function(rampart_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    RAMPART_SOURCE_DIR="${CMAKE_SOURCE_DIR}" RAMPART_BINARY_DIR="${CMAKE_BINARY_DIR}")
  rampart_warnings(${name})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${T_LABELS}" DISCOVERY_TIMEOUT 60)
endfunction()

# rampart_add_fuzzer(NAME SOURCES ... LIBS ...)
#   A libFuzzer target (fuzz preset). Its corpus in fuzz/corpus/NAME replays as a regression test in every
#   preset through rampart_fuzz_replay, so a crash once found stays fixed.
function(rampart_add_fuzzer name)
  cmake_parse_arguments(F "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${F_SOURCES})
  target_link_libraries(${name} PRIVATE ${F_LIBS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  rampart_warnings(${name})
endfunction()
