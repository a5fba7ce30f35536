# libhull: every embedding layer aggregated into one static (libhull.a) and one shared (libhull.so,
# versioned soname) library, plus install rules for them, the public headers, the CMake package
# (find_package(hull)) and hull.pc (pkg-config). Included from the top-level CMakeLists.txt.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(HULL_LIB_LAYERS base spec binary text valid runtime interp baseline engine wasi_core wasi api component_binary
    component_abi component wasi_p2 wasi_http capi)
set(hull_lib_objects)
foreach(layer ${HULL_LIB_LAYERS})
  if(TARGET hull_${layer})
    list(APPEND hull_lib_objects $<TARGET_OBJECTS:hull_${layer}>)
  endif()
endforeach()

set(hull_public_includes
  $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

add_library(hull_static STATIC ${hull_lib_objects})
set_target_properties(hull_static PROPERTIES OUTPUT_NAME hull EXPORT_NAME hull_static
  ARCHIVE_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)
target_include_directories(hull_static INTERFACE ${hull_public_includes})
# A C program linking the static library needs the C++ runtime too.
target_link_libraries(hull_static INTERFACE stdc++ m pthread)
set(hull_lib_targets hull_static)

if(HULL_SHARED_LIB)
  add_library(hull_shared SHARED ${hull_lib_objects})
  set_target_properties(hull_shared PROPERTIES OUTPUT_NAME hull EXPORT_NAME hull_shared
    VERSION ${PROJECT_VERSION} SOVERSION ${PROJECT_VERSION_MAJOR}
    LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/lib)
  target_include_directories(hull_shared INTERFACE ${hull_public_includes})
  target_link_libraries(hull_shared PRIVATE m pthread)
  list(APPEND hull_lib_targets hull_shared)
endif()

install(TARGETS ${hull_lib_targets} EXPORT hullTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/include/wasm.h ${CMAKE_SOURCE_DIR}/include/hull.h
  ${CMAKE_SOURCE_DIR}/include/hull_component.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/hull DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hh")
install(EXPORT hullTargets NAMESPACE hull:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hull)
configure_package_config_file(${CMAKE_SOURCE_DIR}/cmake/hullConfig.cmake.in
  ${CMAKE_BINARY_DIR}/hullConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hull)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/hullConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/hullConfig.cmake ${CMAKE_BINARY_DIR}/hullConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/hull)
configure_file(${CMAKE_SOURCE_DIR}/cmake/hull.pc.in ${CMAKE_BINARY_DIR}/hull.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/hull.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# The install-and-build tests (tests/package): install into a prefix under the build dir, then
# build and run the examples against it with find_package and with pkg-config.
if(HULL_TESTS AND EXISTS ${CMAKE_SOURCE_DIR}/tests/package/CMakeLists.txt)
  add_subdirectory(${CMAKE_SOURCE_DIR}/tests/package ${CMAKE_BINARY_DIR}/tests/package)
endif()
