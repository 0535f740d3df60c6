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

# rampart_add_db_test(NAME SOURCES ... LIBS ...)
#   One gtest executable whose suites are value-parameterised over the storage backend, instantiated
#   as `Sqlite` and `Mysql` (RAMPART_INSTANTIATE_DB_TEST in src/server/storage/test_db.h). It is
#   registered with gtest_discover_tests three times (ctest names NAME.<gtest name>):
#     TEST_FILTER Sqlite/*            label unit
#     TEST_FILTER Mysql/*             label mysql, FIXTURES_REQUIRED mariadb, and the environment
#                                     RAMPART_TEST_MYSQL_URL=mysql://rampart_test:...@127.0.0.1:PORT/
#     every other (plain TEST) case   label unit
#   so `ctest -L unit` never starts MariaDB and `ctest -L mysql` starts it (mariadb_start) and stops
#   it after the last mysql test (mariadb_stop).
function(rampart_add_db_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    RAMPART_SOURCE_DIR="${CMAKE_SOURCE_DIR}" RAMPART_BINARY_DIR="${CMAKE_BINARY_DIR}")
  rampart_warnings(${name})
  rampart_mariadb_fixture()
  gtest_discover_tests(${name} TEST_PREFIX "${name}." TEST_FILTER "Sqlite/*"
    PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
  gtest_discover_tests(${name} TEST_PREFIX "${name}." TEST_FILTER "Mysql/*"
    PROPERTIES LABELS mysql FIXTURES_REQUIRED mariadb
      ENVIRONMENT "RAMPART_TEST_MYSQL_URL=${RAMPART_TEST_MYSQL_URL}" DISCOVERY_TIMEOUT 60)
  gtest_discover_tests(${name} TEST_PREFIX "${name}." TEST_FILTER "-Sqlite/*:Mysql/*"
    PROPERTIES LABELS unit DISCOVERY_TIMEOUT 60)
endfunction()

# The private MariaDB the mysql-labelled tests run against (scripts/mariadb-test.sh), as the ctest
# fixture `mariadb`: mariadb_start (FIXTURES_SETUP) and mariadb_stop (FIXTURES_CLEANUP), both label
# mysql. Its port is the cache variable RAMPART_TEST_MYSQL_PORT: 33306 for build/debug, 33307 for
# build/release (so the two runs of `make test` never collide), and for any other build directory
# a port in 34000-35999 derived from the directory's path, so side-by-side build dirs get their own.
# Data lives in ${CMAKE_BINARY_DIR}/mariadb-test.
function(rampart_mariadb_fixture)
  get_property(done GLOBAL PROPERTY RAMPART_MARIADB_FIXTURE)
  if(done)
    return()
  endif()
  set_property(GLOBAL PROPERTY RAMPART_MARIADB_FIXTURE TRUE)
  set(dir ${CMAKE_BINARY_DIR}/mariadb-test)
  set(script ${CMAKE_SOURCE_DIR}/scripts/mariadb-test.sh)
  add_test(NAME mariadb_start COMMAND bash ${script} start ${dir} ${RAMPART_TEST_MYSQL_PORT})
  set_tests_properties(mariadb_start PROPERTIES FIXTURES_SETUP mariadb LABELS mysql TIMEOUT 120)
  add_test(NAME mariadb_stop COMMAND bash ${script} stop ${dir} ${RAMPART_TEST_MYSQL_PORT})
  set_tests_properties(mariadb_stop PROPERTIES FIXTURES_CLEANUP mariadb LABELS mysql TIMEOUT 120)
endfunction()

if(CMAKE_BINARY_DIR STREQUAL "${CMAKE_SOURCE_DIR}/build/debug")
  set(_rampart_mysql_port 33306)
elseif(CMAKE_BINARY_DIR STREQUAL "${CMAKE_SOURCE_DIR}/build/release")
  set(_rampart_mysql_port 33307)
else()
  string(MD5 _rampart_dir_hash "${CMAKE_BINARY_DIR}")
  string(SUBSTRING "${_rampart_dir_hash}" 0 4 _rampart_dir_hash)
  math(EXPR _rampart_mysql_port "34000 + (0x${_rampart_dir_hash} % 2000)")
endif()
set(RAMPART_TEST_MYSQL_PORT ${_rampart_mysql_port} CACHE STRING
  "TCP port (on 127.0.0.1) of the private MariaDB that the mysql-labelled tests start")
set(RAMPART_TEST_MYSQL_URL "mysql://rampart_test:rampart-test-pw@127.0.0.1:${RAMPART_TEST_MYSQL_PORT}/")
