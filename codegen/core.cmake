# kiln_codegen_core: the passes after extraction (check_shapes ... emit) and the IR dump, with no
# LLVM dependency, so tests can drive them with networks taken straight from the DSL.
add_library(kiln_codegen_core STATIC
  ${CMAKE_CURRENT_LIST_DIR}/check_shapes.cpp
  ${CMAKE_CURRENT_LIST_DIR}/differentiate.cpp
  ${CMAKE_CURRENT_LIST_DIR}/dump.cpp
  ${CMAKE_CURRENT_LIST_DIR}/emit.cpp
  ${CMAKE_CURRENT_LIST_DIR}/layout_params.cpp
  ${CMAKE_CURRENT_LIST_DIR}/op_graph.cpp
  ${CMAKE_CURRENT_LIST_DIR}/pipeline.cpp
  ${CMAKE_CURRENT_LIST_DIR}/schedule.cpp)
add_library(kiln::codegen_core ALIAS kiln_codegen_core)
target_include_directories(kiln_codegen_core PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(kiln_codegen_core PUBLIC kiln::dsl PRIVATE kiln_warnings)
target_compile_features(kiln_codegen_core PUBLIC cxx_std_20)
set_target_properties(kiln_codegen_core PROPERTIES POSITION_INDEPENDENT_CODE ON)
