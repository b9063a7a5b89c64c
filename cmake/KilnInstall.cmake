# `cmake --install` rules: Kiln as a CMake package (kiln-gen, the DSL and runtime headers, the
# runtime library, kiln_add_network), so that `find_package(Kiln)` works in another project.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(KILN_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/Kiln)
set_target_properties(kiln_dsl PROPERTIES EXPORT_NAME dsl)
set_target_properties(kiln_runtime PROPERTIES EXPORT_NAME runtime)
set_target_properties(kiln_warnings PROPERTIES EXPORT_NAME warnings)
set(kiln_installed_targets kiln_dsl kiln_runtime kiln_warnings)
if(TARGET kiln-gen)
  list(APPEND kiln_installed_targets kiln-gen)
endif()
# kiln::mpi when MPI was found: its header joins include/kiln, and the package then finds MPI.
set(KILN_PACKAGE_HAS_MPI OFF)
if(TARGET kiln_mpi)
  set_target_properties(kiln_mpi PROPERTIES EXPORT_NAME mpi)
  list(APPEND kiln_installed_targets kiln_mpi)
  install(FILES ${PROJECT_SOURCE_DIR}/runtime/mpi/kiln/mpi.hpp
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/kiln)
  set(KILN_PACKAGE_HAS_MPI ON)
endif()
install(TARGETS ${kiln_installed_targets} EXPORT KilnTargets
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
# dsl/kiln, runtime/kiln and freestanding/kiln merge into include/kiln.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/dsl/kiln ${PROJECT_SOURCE_DIR}/runtime/kiln
                  ${PROJECT_SOURCE_DIR}/freestanding/kiln
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")
install(EXPORT KilnTargets NAMESPACE kiln:: DESTINATION ${KILN_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/KilnConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/KilnConfig.cmake
                              INSTALL_DESTINATION ${KILN_INSTALL_CMAKEDIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/KilnConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/KilnConfig.cmake ${PROJECT_BINARY_DIR}/KilnConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/KilnGenerate.cmake
        DESTINATION ${KILN_INSTALL_CMAKEDIR})
