# Installs the headers, an exported CMake package (find_package(oauthcore 0.1)) and a
# pkg-config file. The library is header-only, so everything goes to arch-independent
# places (share/), and the version file says so.
include(CMakePackageConfigHelpers)

set(OAUTHCORE_CMAKE_DIR "${CMAKE_INSTALL_DATADIR}/cmake/oauthcore")

install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(TARGETS oauthcore EXPORT oauthcoreTargets)
install(EXPORT oauthcoreTargets NAMESPACE oauthcore:: DESTINATION "${OAUTHCORE_CMAKE_DIR}")

configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/oauthcoreConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/oauthcoreConfig.cmake" INSTALL_DESTINATION "${OAUTHCORE_CMAKE_DIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/oauthcoreConfigVersion.cmake"
  COMPATIBILITY SameMajorVersion ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/oauthcoreConfig.cmake" "${PROJECT_BINARY_DIR}/oauthcoreConfigVersion.cmake"
  DESTINATION "${OAUTHCORE_CMAKE_DIR}")

configure_file("${PROJECT_SOURCE_DIR}/cmake/oauthcore.pc.in" "${PROJECT_BINARY_DIR}/oauthcore.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/oauthcore.pc" DESTINATION "${CMAKE_INSTALL_DATADIR}/pkgconfig")
