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

# The pkg-config file finds the prefix from where it is installed (${pcfiledir}), so that
# `cmake --install build --prefix DIR` (a prefix given at install time, not at configure
# time) gives a file that points into DIR. No -std flag in Cflags: it would override a
# later standard (C++23) the user's own flags ask for; the headers say when the language
# is older than C++20 (oauthcore/language.hpp, which every header includes).
if(IS_ABSOLUTE "${CMAKE_INSTALL_DATADIR}")
  set(OAUTHCORE_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH OAUTHCORE_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_DATADIR}/pkgconfig" "/prefix")
  string(REGEX REPLACE "/$" "" OAUTHCORE_PC_TO_PREFIX "${OAUTHCORE_PC_TO_PREFIX}")
  set(OAUTHCORE_PC_PREFIX "\${pcfiledir}/${OAUTHCORE_PC_TO_PREFIX}")
endif()
if(IS_ABSOLUTE "${CMAKE_INSTALL_INCLUDEDIR}")
  set(OAUTHCORE_PC_INCLUDEDIR "${CMAKE_INSTALL_INCLUDEDIR}")
else()
  set(OAUTHCORE_PC_INCLUDEDIR "\${prefix}/${CMAKE_INSTALL_INCLUDEDIR}")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/oauthcore.pc.in" "${PROJECT_BINARY_DIR}/oauthcore.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/oauthcore.pc" DESTINATION "${CMAKE_INSTALL_DATADIR}/pkgconfig")
