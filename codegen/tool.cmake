# kiln-gen: the libTooling frontend (extract) and the driver around the passes of kiln_codegen_core.
# LLVM and Clang are found at explicit paths only, so two installed versions never mix.
if(NOT TARGET kiln_codegen_core)
  message(STATUS "kiln-gen: not built (no kiln_codegen_core)")
  return()
endif()

set(KILN_LLVM_ROOT "/usr/lib/llvm-${KILN_LLVM_VERSION}"
    CACHE PATH "Root of the LLVM/Clang installation kiln-gen is built on")
find_package(LLVM REQUIRED CONFIG PATHS ${KILN_LLVM_ROOT}/lib/cmake/llvm
             NO_DEFAULT_PATH)
find_package(Clang REQUIRED CONFIG PATHS ${KILN_LLVM_ROOT}/lib/cmake/clang NO_DEFAULT_PATH)
if(NOT LLVM_VERSION_MAJOR EQUAL KILN_LLVM_VERSION)
  message(FATAL_ERROR "kiln-gen: found LLVM ${LLVM_PACKAGE_VERSION} in ${KILN_LLVM_ROOT}, "
                      "expected ${KILN_LLVM_VERSION}")
endif()

# The clang resource directory (stddef.h, the intrinsics headers) is baked into kiln-gen: the
# default, relative to the executable, does not exist for a tool outside the LLVM tree.
set(KILN_CLANG_RESOURCE_DIR "${LLVM_LIBRARY_DIR}/clang/${LLVM_VERSION_MAJOR}"
    CACHE PATH "Clang resource directory baked into kiln-gen (override with --resource-dir)")
if(NOT EXISTS ${KILN_CLANG_RESOURCE_DIR}/include/stddef.h)
  message(FATAL_ERROR "kiln-gen: no clang builtin headers in ${KILN_CLANG_RESOURCE_DIR}/include")
endif()

add_executable(kiln-gen ${CMAKE_CURRENT_LIST_DIR}/main.cpp ${CMAKE_CURRENT_LIST_DIR}/frontend.cpp)
add_executable(kiln::kiln-gen ALIAS kiln-gen)
target_include_directories(kiln-gen SYSTEM PRIVATE ${LLVM_INCLUDE_DIRS} ${CLANG_INCLUDE_DIRS})
target_compile_definitions(kiln-gen PRIVATE
                           KILN_CLANG_RESOURCE_DIR="${KILN_CLANG_RESOURCE_DIR}"
                           KILN_VERSION="${PROJECT_VERSION}")
# The shared libclang-cpp and libLLVM: a fraction of the link time and memory of the static ones.
# kiln::runtime: the weight-file readers of --weights.
target_link_libraries(kiln-gen PRIVATE kiln_codegen_core kiln_dsl kiln::runtime clang-cpp LLVM
                                       kiln_warnings)
set_target_properties(kiln-gen PROPERTIES INSTALL_RPATH_USE_LINK_PATH TRUE)
# GCC 12 warns about a null `this` in code it inlines from clang's AST matcher headers.
set_source_files_properties(${CMAKE_CURRENT_LIST_DIR}/frontend.cpp PROPERTIES COMPILE_OPTIONS
                            $<$<CXX_COMPILER_ID:GNU>:-Wno-nonnull>)

include(${PROJECT_SOURCE_DIR}/cmake/KilnGenerate.cmake)
