# A must-fail spec and its must-compile twin. Compiles SOURCE twice with the C++ compiler:
# as written it must compile; with -DKILN_MUST_FAIL it must fail, the output must match every
# `// expect: REGEX` line of SOURCE, and name SOURCE at a line marked `// <- error` (mark every
# line of a declaration that spans several: compilers point at different ones).
# Usage: cmake -DCXX=... -DSOURCE=... -DINCLUDES="a;b" -P expect_compile_error.cmake
foreach(dir IN LISTS INCLUDES)
  list(APPEND flags -I${dir})
endforeach()
set(base ${CXX} -std=c++20 -fsyntax-only ${flags} ${SOURCE})

execute_process(COMMAND ${base} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the must-compile twin of ${SOURCE} does not compile:\n${out}")
endif()

execute_process(COMMAND ${base} -DKILN_MUST_FAIL RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled with -DKILN_MUST_FAIL but must not")
endif()

file(STRINGS ${SOURCE} lines)
set(line_no 0)
set(marked "")
foreach(line IN LISTS lines)
  math(EXPR line_no "${line_no} + 1")
  if(line MATCHES "^// expect: (.*)$")
    if(NOT out MATCHES "${CMAKE_MATCH_1}")
      message(FATAL_ERROR "${SOURCE}: the compiler's output lacks /${CMAKE_MATCH_1}/:\n${out}")
    endif()
  endif()
  if(line MATCHES "// <- error")
    list(APPEND marked ${line_no})
  endif()
endforeach()
get_filename_component(name ${SOURCE} NAME)
set(found "")
foreach(line_no IN LISTS marked)
  if(out MATCHES "${name}:${line_no}:")
    set(found ${line_no})
  endif()
endforeach()
if(found STREQUAL "")
  message(FATAL_ERROR "the error does not point at ${name}, lines ${marked}:\n${out}")
endif()
message(STATUS "${name}: fails as expected, at line ${found}")
