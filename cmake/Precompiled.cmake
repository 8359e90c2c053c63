# Precompiled headers (issue 12 item 6: a clean build of cphform on 2 cores).
# Two precompiled headers serve every target: common/precompiled.h for the
# libraries and programs, the same plus Catch2 for the tests. Each is built
# once by a small donor target; every other target reuses it (REUSE_FROM),
# which needs the same compiler flags: all our targets share them through
# cph_warnings and the global options. GCC's -Winvalid-pch (added by CMake)
# with -Werror turns a mismatch into a build error rather than a silent
# slow build.

function(cph_precompile_donors)
  foreach(donor cph_pch cph_test_pch)
    add_library(${donor} OBJECT ${CMAKE_SOURCE_DIR}/common/precompiled.cc)
    target_link_libraries(${donor} PRIVATE cph_warnings Boost::headers nlohmann_json::nlohmann_json)
  endforeach()
  target_link_libraries(cph_test_pch PRIVATE Catch2::Catch2)
  target_precompile_headers(cph_pch PRIVATE ${CMAKE_SOURCE_DIR}/common/precompiled.h)
  target_precompile_headers(cph_test_pch PRIVATE ${CMAKE_SOURCE_DIR}/common/precompiled.h <catch2/catch.hpp>)
endfunction()

# Every target under DIR: tests (they link Catch2) reuse cph_test_pch; targets
# with compile definitions of their own (toml++'s, in cph_manifest) get their
# own copy of the precompiled header; the rest reuse cph_pch.
function(cph_precompile_targets dir)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(t ${targets})
    get_target_property(type ${t} TYPE)
    if(NOT type MATCHES "^(STATIC_LIBRARY|EXECUTABLE|OBJECT_LIBRARY)$" OR t MATCHES "^(cph_pch|cph_test_pch|cph_catch_main)$")
      continue()
    endif()
    get_target_property(libs ${t} LINK_LIBRARIES)
    if(NOT "cph_warnings" IN_LIST libs)
      continue()  # not ours: its flags differ
    endif()
    if("Catch2::Catch2" IN_LIST libs)
      target_precompile_headers(${t} REUSE_FROM cph_test_pch)
    elseif("tomlplusplus::tomlplusplus" IN_LIST libs)
      target_precompile_headers(${t} PRIVATE ${CMAKE_SOURCE_DIR}/common/precompiled.h)
    else()
      target_precompile_headers(${t} REUSE_FROM cph_pch)
    endif()
  endforeach()
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub ${subdirs})
    cph_precompile_targets(${sub})
  endforeach()
endfunction()

