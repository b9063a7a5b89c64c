# Example 9's test: trains and saves (part 1), runs the baked program built from the file the
# build saved (part 2) and the prepared program on the file this run saved (part 3), and requires
# the same prediction lines from all three.
# Usage: cmake -DTRAIN=... -DBAKED=... -DPREPARED=... -DWORK=dir -P same_predictions.cmake
file(MAKE_DIRECTORY ${WORK})
execute_process(COMMAND ${TRAIN} --save ${WORK}/spirals.safetensors RESULT_VARIABLE rc
                OUTPUT_VARIABLE trained ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "training failed (${rc}):\n${trained}${err}")
endif()
execute_process(COMMAND ${BAKED} RESULT_VARIABLE rc OUTPUT_VARIABLE baked ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the baked program failed (${rc}):\n${baked}${err}")
endif()
execute_process(COMMAND ${PREPARED} ${WORK}/spirals.safetensors RESULT_VARIABLE rc
                OUTPUT_VARIABLE prepared ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the prepared program failed (${rc}):\n${prepared}${err}")
endif()
string(REGEX MATCHALL "compiled: [^\n]+" want "${trained}")
string(REGEX MATCHALL "baked: [^\n]+" got "${baked}")
string(REPLACE "compiled: " "" want "${want}")
string(REPLACE "baked: " "" got "${got}")
list(LENGTH want n)
if(NOT n EQUAL 9 OR NOT got STREQUAL want)
  message(FATAL_ERROR "the baked predictions differ:\n${trained}\n${baked}")
endif()
string(REGEX MATCHALL "prepared: [^\n]+" got "${prepared}")
string(REPLACE "prepared: " "" got "${got}")
if(NOT got STREQUAL want)
  message(FATAL_ERROR "the prepared predictions differ:\n${trained}\n${prepared}")
endif()
message(STATUS "${trained}${baked}${prepared}")
