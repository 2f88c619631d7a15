# Helpers shared by every module folder: one static library per module, one Catch2 test
# executable per module, and embedding of data files into the binary.

# vnh_add_module(NAME SOURCES ... DEPS ...): library vnh_NAME, includes from the repo root.
function(vnh_add_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(vnh_${name} STATIC ${M_SOURCES})
  target_include_directories(vnh_${name} PUBLIC ${PROJECT_SOURCE_DIR} ${PROJECT_BINARY_DIR})
  target_link_libraries(vnh_${name} PUBLIC ${M_DEPS})
endfunction()

# vnh_add_test(NAME SOURCES ... DEPS ...): a Catch2 test executable registered with CTest.
function(vnh_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE vnh_test_support ${T_DEPS})
  catch_discover_tests(${name} TEST_PREFIX "${name}: " PROPERTIES TIMEOUT 300)
endfunction()

# vnh_embed(TARGET NAMESPACE BASE_DIR FILES...): compiles FILES into a library vnh_TARGET
# exposing `vnh::NAMESPACE::files()` (path relative to BASE_DIR → bytes).
function(vnh_embed target ns base)
  set(files ${ARGN})
  set(out_cpp ${CMAKE_CURRENT_BINARY_DIR}/${target}_embedded.cpp)
  set(abs_files)
  foreach(f ${files})
    list(APPEND abs_files ${base}/${f})
  endforeach()
  add_custom_command(
    OUTPUT ${out_cpp}
    COMMAND vnh_embed_tool ${ns} ${out_cpp} ${base} ${files}
    DEPENDS vnh_embed_tool ${abs_files}
    COMMENT "Embedding ${target}"
    VERBATIM)
  add_library(vnh_${target} STATIC ${out_cpp})
  target_include_directories(vnh_${target} PUBLIC ${PROJECT_SOURCE_DIR})
endfunction()
