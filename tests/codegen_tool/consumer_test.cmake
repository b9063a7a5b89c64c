# The installed package, from outside: installs the Kiln build KILN_BUILD into WORK/install,
# builds the consumer project against it with Ninja and runs it and its _compare program; then
# checks that touching a header the spec includes (its own or an installed DSL header)
# regenerates, that touching an unrelated one does not, and that a real change gets through.
# With -DKILN_MPI=1 (Kiln built with MPI) it also runs the consumer's kiln::mpi program.
# Usage: cmake -DKILN_BUILD=... -DSOURCE=consumer -DWORK=... -DCXX=... [-DKILN_MPI=1]
#        -P consumer_test.cmake
set(prefix ${WORK}/install)
set(src ${WORK}/src)
set(build ${WORK}/build)

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "`${ARGN}` failed (${rc}):\n${out}")
  endif()
  set(out "${out}" PARENT_SCOPE)
endfunction()

# What Ninja would do now and why, as `ninja -n -d explain` prints it.
function(dry_run)
  run(${CMAKE_COMMAND} --build ${build} -- -n -d explain)
  set(out "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK})
run(${CMAKE_COMMAND} --install ${KILN_BUILD} --prefix ${prefix})
file(COPY ${SOURCE}/ DESTINATION ${src})
run(${CMAKE_COMMAND} -S ${src} -B ${build} -G Ninja -DCMAKE_BUILD_TYPE=Release
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CXX})
run(${CMAKE_COMMAND} --build ${build})

run(${build}/consumer)
if(NOT out MATCHES "kiln consumer: consumer::net 3 -> 2, 32 parameters, y\\[0\\] = [-0-9.]+, max difference")
  message(FATAL_ERROR "unexpected consumer output:\n${out}")
endif()
message(STATUS "consumer: ${out}")
run(${build}/net_compare --quick)
if(NOT out MATCHES "consumer::net: 3 -> 2, 32 parameters" OR NOT out MATCHES "double +gradient")
  message(FATAL_ERROR "unexpected net_compare output:\n${out}")
endif()

run(${build}/consumer_baked)
if(NOT out MATCHES "baked: consumer::net 32 parameters, y\\[0\\] = [-0-9.]+, weight sum 1.3000")
  message(FATAL_ERROR "unexpected consumer_baked output:\n${out}")
endif()
string(REGEX MATCH "y\\[0\\] = [-0-9.]+" baked_y "${out}")
run(${build}/consumer)
string(FIND "${out}" "${baked_y}" at)
if(at EQUAL -1)
  message(FATAL_ERROR "consumer_baked (${baked_y}) and consumer disagree:\n${out}")
endif()

# kiln::mpi, run alone (MPI's singleton; as root, Open MPI wants the two variables).
if(KILN_MPI)
  set(ENV{OMPI_ALLOW_RUN_AS_ROOT} 1)
  set(ENV{OMPI_ALLOW_RUN_AS_ROOT_CONFIRM} 1)
  run(${build}/consumer_mpi)
  if(NOT out MATCHES "kiln consumer mpi: 1 processes, 8 steps, loss [0-9.]+")
    message(FATAL_ERROR "unexpected consumer_mpi output:\n${out}")
  endif()
  message(STATUS "consumer_mpi: ${out}")
endif()

dry_run()
if(NOT out MATCHES "no work to do")
  message(FATAL_ERROR "a fresh build is not up to date:\n${out}")
endif()

# Ninja names the newest input that makes the generated header stale: touch the files from the
# one that must not regenerate to those that must, and read its explanation after each.
file(TOUCH ${src}/unrelated.hpp)
dry_run()
if(out MATCHES "kiln-gen" OR NOT out MATCHES "main\\.cpp")
  message(FATAL_ERROR "touching unrelated.hpp should rebuild main.cpp only:\n${out}")
endif()
set(stale "net\\.kiln\\.hpp older than most recent input [^\n]*")
file(TOUCH ${prefix}/include/kiln/dsl/layers.hpp)
dry_run()
if(NOT out MATCHES "${stale}/include/kiln/dsl/layers\\.hpp")
  message(FATAL_ERROR "touching an installed DSL header does not regenerate:\n${out}")
endif()
file(TOUCH ${src}/width.hpp)
dry_run()
if(NOT out MATCHES "${stale}/src/width\\.hpp" OR NOT out MATCHES "kiln-gen: generating")
  message(FATAL_ERROR "touching width.hpp (included by the spec) does not regenerate:\n${out}")
endif()

# Changed weights regenerate the baked header, and reach the program.
run(${CMAKE_COMMAND} --build ${build})
run(${build}/consumer_weights ${build}/net.safetensors 2)
dry_run()
if(NOT out MATCHES "net\\.kiln\\.hpp older than most recent input [^\n]*net\\.safetensors")
  message(FATAL_ERROR "a changed weight file does not regenerate the baked header:\n${out}")
endif()
run(${CMAKE_COMMAND} --build ${build} --target consumer_baked)
run(${build}/consumer_baked)
if(NOT out MATCHES "weight sum 2.6000")
  message(FATAL_ERROR "the changed weights did not reach consumer_baked:\n${out}")
endif()

# A real change in an included header reaches the generated code: 3 -> 7 -> 2 has 44 parameters.
file(WRITE ${src}/width.hpp "#pragma once\nnamespace consumer {\ninline constexpr int hidden_width = 7;\n}\n")
run(${CMAKE_COMMAND} --build ${build} --target consumer)
run(${build}/consumer)
if(NOT out MATCHES "consumer::net 3 -> 2, 44 parameters")
  message(FATAL_ERROR "the change of width.hpp did not reach the generated code:\n${out}")
endif()
run(${CMAKE_COMMAND} --build ${build})
run(${build}/consumer_baked)
if(NOT out MATCHES "baked: consumer::net 44 parameters")
  message(FATAL_ERROR "the change of width.hpp did not reach the baked weights:\n${out}")
endif()
message(STATUS "the consumer builds, runs, and regenerates exactly when the spec's headers or its "
               "weights change")
