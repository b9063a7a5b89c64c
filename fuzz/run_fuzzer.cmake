# One fuzzer as a ctest test: runs every input of its seed corpus and regression directory, then
# fuzzes SECONDS more (new inputs go to WORK, in the build tree). Fails on any finding.
#   cmake -DFUZZER=... -DCORPUS=... -DREGRESSIONS=... -DWORK=... -DSECONDS=... -P run_fuzzer.cmake
file(MAKE_DIRECTORY ${WORK})
set(dirs ${WORK} ${CORPUS})
if(IS_DIRECTORY ${REGRESSIONS})
  list(APPEND dirs ${REGRESSIONS})
endif()
execute_process(COMMAND ${FUZZER} -max_total_time=${SECONDS} -timeout=10 -print_final_stats=1
                        -artifact_prefix=${WORK}/ ${dirs}
                RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
string(REGEX MATCH "stat::number_of_executed_units: [0-9]+" runs "${out}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${FUZZER} found a problem (exit ${result}):\n${out}")
endif()
message(STATUS "${FUZZER}: ${runs}, nothing found")
