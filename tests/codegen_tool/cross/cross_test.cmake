# kiln-gen with `-- --target=aarch64-linux-gnu`: it parses the spec for aarch64 (the spec's
# #error proves the target reached Clang), writes the same header as for the host, and the
# header with its spec compiles for aarch64 into an AArch64 object.
# Usage: cmake -DKILN_GEN=... -DCLANGXX=... -DSOURCE=<this dir> "-DFLAGS=-std=c++20;-I..." \
#              -DWORK=<dir> -P cross_test.cmake
set(target aarch64-linux-gnu)
if(NOT EXISTS /usr/${target}/include/c++)
  message(FATAL_ERROR "no ${target} C++ headers: apt-get install libstdc++-12-dev-arm64-cross "
                      "libc6-dev-arm64-cross (./kiln.sh deps installs them)")
endif()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/host ${WORK}/cross)

function(run expect_rc)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL expect_rc)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "${cmd}\nexit status ${rc}, expected ${expect_rc}:\n${out}${err}")
  endif()
  set(output "${out}${err}" PARENT_SCOPE)
endfunction()

set(spec ${SOURCE}/spec.hpp)
set(gen ${KILN_GEN} ${spec} --spec-include=spec.hpp)
# The guard works: a host parse with KILN_EXPECT_AARCH64 fails at the spec's #error.
run(1 ${gen} -o ${WORK}/host/spec.kiln.hpp -- ${FLAGS} -DKILN_EXPECT_AARCH64)
if(NOT output MATCHES "spec.hpp:6:2: error: \"kiln-gen did not parse this spec for aarch64\"")
  message(FATAL_ERROR "the host parse did not stop at the spec's #error:\n${output}")
endif()
run(0 ${gen} -o ${WORK}/host/spec.kiln.hpp -- ${FLAGS})
run(0 ${gen} -o ${WORK}/cross/spec.kiln.hpp -- ${FLAGS} --target=${target} -DKILN_EXPECT_AARCH64)

# Sizes and constants do not depend on the target: the headers are byte for byte the same.
file(READ ${WORK}/host/spec.kiln.hpp host)
file(READ ${WORK}/cross/spec.kiln.hpp cross)
if(NOT host STREQUAL cross)
  message(FATAL_ERROR "the aarch64 header differs from the host one: diff ${WORK}/host/spec.kiln.hpp ${WORK}/cross/spec.kiln.hpp")
endif()
if(NOT cross MATCHES "struct compiled<::cross::wide, T>")
  message(FATAL_ERROR "${WORK}/cross/spec.kiln.hpp lacks cross::wide")
endif()

# The generated header and its spec compile for aarch64: an ELF object for machine 183 (AArch64).
run(0 ${CLANGXX} --target=${target} ${FLAGS} -DKILN_EXPECT_AARCH64 -I${SOURCE} -I${WORK}/cross
    -O1 -Wall -Wextra -c ${SOURCE}/use.cpp -o ${WORK}/cross/use.o)
file(READ ${WORK}/cross/use.o elf LIMIT 20 HEX)
string(SUBSTRING "${elf}" 0 8 magic)
string(SUBSTRING "${elf}" 36 4 machine)
if(NOT magic STREQUAL "7f454c46" OR NOT machine STREQUAL "b700")
  message(FATAL_ERROR "${WORK}/cross/use.o is not an AArch64 ELF object (header ${elf})")
endif()
message(STATUS "kiln-gen --target=${target}: same header as the host's; it compiles for ${target}")
