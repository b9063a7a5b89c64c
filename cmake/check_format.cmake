# Fails when any C++ file the project tracks is not formatted per .clang-format.
# Usage: cmake -DCLANG_FORMAT=... -DROOT=... -P check_format.cmake
file(GLOB_RECURSE files RELATIVE ${ROOT}
     ${ROOT}/dsl/*.hpp ${ROOT}/runtime/*.hpp ${ROOT}/runtime/*.cpp ${ROOT}/codegen/*.hpp
     ${ROOT}/codegen/*.cpp ${ROOT}/tests/*.cpp ${ROOT}/tests/*.hpp ${ROOT}/examples/*.cpp
     ${ROOT}/examples/*.hpp ${ROOT}/bench/*.cpp ${ROOT}/bench/*.hpp ${ROOT}/fuzz/*.cpp
     ${ROOT}/fuzz/*.hpp)
list(FILTER files EXCLUDE REGEX "(^build/|/golden/|\\.kiln\\.hpp$)")
execute_process(COMMAND ${CLANG_FORMAT} --dry-run --Werror ${files} WORKING_DIRECTORY ${ROOT}
                RESULT_VARIABLE rc ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "unformatted files (run clang-format -i on them):\n${out}")
endif()
message(STATUS "all C++ files are formatted")
