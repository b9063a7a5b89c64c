# The baked engine on a microcontroller: bakes the spiral (2-10-3) and MNIST (784-128-10) example
# networks, compiles each in float and double for a Cortex-M4F with gcc-arm-none-eabi (no C++
# library, no C library headers, no Hana on its include path, freestanding, no exceptions, no RTTI), fails on any
# undefined symbol outside memcpy/memset/memmove and libgcc's __aeabi_ helpers (double arithmetic
# on a single-precision FPU), and prints arm-none-eabi-size's figures.
# Usage: cmake -DKILN_GEN=... -DARM_GXX=... -DWEIGHTS=dir -DEXAMPLES=dir -DROOT=dir -DWORK=dir -P ...
get_filename_component(bin ${ARM_GXX} DIRECTORY)
set(nm ${bin}/arm-none-eabi-nm)
set(size ${bin}/arm-none-eabi-size)
set(cpu -mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16 -mthumb)
# Only the compiler's own headers (stddef.h, stdint.h), not newlib's, even where it is installed.
execute_process(COMMAND ${ARM_GXX} -print-file-name=include OUTPUT_VARIABLE gcc_include
                OUTPUT_STRIP_TRAILING_WHITESPACE)
set(flags -std=c++20 ${cpu} -O2 -ffreestanding -fno-exceptions -fno-rtti -Wall -Wextra -nostdinc
          -isystem ${gcc_include} -isystem ${gcc_include}-fixed -I${ROOT}/dsl -I${ROOT}/runtime
          -I${ROOT}/freestanding -I${WORK})
set(allowed "^(memcpy|memset|memmove|__aeabi_[a-z0-9_]+)$")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "`${ARGN}` failed (${rc}):\n${out}${err}")
  endif()
  set(out "${out}" PARENT_SCOPE)
  set(err "${err}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
foreach(network "spirals;04_spirals/spirals.hpp;examples::spirals;examples_spirals"
                "mnist;05_mnist/mnist.hpp;examples::mnist;examples_mnist")
  list(GET network 0 name)
  list(GET network 1 spec)
  list(GET network 2 qualified)
  list(GET network 3 id)
  run(${KILN_GEN} ${EXAMPLES}/${spec} --network=${qualified}
      --weights=${WEIGHTS}/${name}.safetensors -o ${WORK}/${name}.kiln.hpp -- -std=c++20
      -I${ROOT}/dsl -I${ROOT}/runtime)
  foreach(T float double)
    set(source ${WORK}/${name}_${T}.cpp)
    file(WRITE ${source} "// ${qualified} baked, as firmware calls it.
#include \"${name}.kiln.hpp\"

using engine = kiln::generated::${id}::baked<${T}>;
extern \"C\" void predict(const ${T}* x, ${T}* y) { engine::forward(x, y); }
extern \"C\" void predict_batch(const ${T}* x, ${T}* y, int n) { engine::forward(x, y, n); }
")
    run(${ARM_GXX} ${flags} -c ${source} -o ${WORK}/${name}_${T}.o)
    if(err)
      message(FATAL_ERROR "${name} (${T}): warnings:\n${err}")
    endif()
    run(${nm} -u ${WORK}/${name}_${T}.o)
    string(REGEX MATCHALL "U [^\n]+" undefined "${out}")
    set(used "")
    foreach(symbol IN LISTS undefined)
      string(REPLACE "U " "" symbol "${symbol}")
      if(NOT symbol MATCHES "${allowed}")
        message(FATAL_ERROR "${name} (${T}) needs ${symbol}, outside ${allowed}:\n${out}")
      endif()
      list(APPEND used ${symbol})
    endforeach()
    run(${size} ${WORK}/${name}_${T}.o)
    string(REGEX MATCH "\n *([0-9]+)[ \t]+([0-9]+)[ \t]+([0-9]+)" row "${out}")
    message(STATUS "cortex-m4 ${name} (${T}): text ${CMAKE_MATCH_1} bytes (code and baked weights), "
                   "data ${CMAKE_MATCH_2}, bss ${CMAKE_MATCH_3}; undefined: ${used}")
  endforeach()
endforeach()
