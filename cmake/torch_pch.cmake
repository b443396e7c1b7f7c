# Precompiles torch/torch.h once and reuses it in every source that parses LibTorch.
#
# Parsing LibTorch's headers is nearly all of the 15-40 s a source that includes them takes to
# compile, and 52 of the project's sources reach them. One precompiled header, built once
# (~40 s) and reused by every target with such sources, more than halves each: building
# labelloop_detector (13 sources) at -j1 took 4m17s with it against 7m21s without, its LibTorch
# sources 17 s on average against 37 s (2-core dev machine, beside two benchmark processes).
# Loading the ~570 MB header costs a source about 6 s of CPU, several times what a source
# without LibTorch takes, so sources that reach no LibTorch header (directly or through the
# project's own headers) skip it. That is decided at configure time from the sources themselves,
# so a new LibTorch source gets the header without anyone listing it. GCC only uses the header
# where the macros it was built with match, hence -pthread on every LibTorch source
# (CMakeLists.txt); -Winvalid-pch (CMake adds it) warns wherever it is not used.
# -DLABELLOOP_TORCH_PCH=OFF turns it all off.

option(LABELLOOP_TORCH_PCH "Precompile torch/torch.h once for the sources that include LibTorch" ON)

# Sets `out` to TRUE when `file` includes a LibTorch header (torch/, ATen/, c10/), directly or
# through the project headers it includes (quoted includes relative to the source root).
function(labelloop_reaches_torch file out)
  set(pending "${file}")
  set(seen "")
  while(pending)
    list(POP_FRONT pending current)
    list(APPEND seen "${current}")
    file(STRINGS "${current}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
    foreach(line IN LISTS includes)
      if(line MATCHES "<(torch|ATen|c10)/")
        set(${out} TRUE PARENT_SCOPE)
        return()
      endif()
      if(line MATCHES "\"([^\"]+)\"")
        set(header "${CMAKE_SOURCE_DIR}/${CMAKE_MATCH_1}")
        if(EXISTS "${header}" AND NOT header IN_LIST seen AND NOT header IN_LIST pending)
          list(APPEND pending "${header}")
        endif()
      endif()
    endforeach()
  endwhile()
  set(${out} FALSE PARENT_SCOPE)
endfunction()

# Sets `out` to every target defined in `dir` and the directories below it.
function(labelloop_targets_below dir out)
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(subdir IN LISTS subdirs)
    labelloop_targets_below("${subdir}" below)
    list(APPEND targets ${below})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

# Gives every target with LibTorch sources the shared precompiled header; its other sources skip
# it. Call once, after every add_subdirectory.
function(labelloop_use_torch_pch)
  if(NOT LABELLOOP_TORCH_PCH)
    return()
  endif()
  add_library(labelloop_torch_pch OBJECT "${CMAKE_SOURCE_DIR}/cmake/torch_pch.cc")
  target_link_libraries(labelloop_torch_pch PUBLIC labelloop_torch)
  target_compile_options(labelloop_torch_pch PRIVATE ${LABELLOOP_WARNINGS})
  target_precompile_headers(labelloop_torch_pch PRIVATE <torch/torch.h>)

  labelloop_targets_below("${CMAKE_SOURCE_DIR}" targets)
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(NOT type MATCHES "^(EXECUTABLE|STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY)$"
       OR target STREQUAL "labelloop_torch_pch")
      continue()
    endif()
    get_target_property(sources ${target} SOURCES)
    get_target_property(source_dir ${target} SOURCE_DIR)
    set(uses_torch FALSE)
    set(skipped "")
    foreach(source IN LISTS sources)
      if(source MATCHES "^\\$<")  # A generator expression: not a file to scan.
        continue()
      endif()
      cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY "${source_dir}" NORMALIZE)
      set(reaches FALSE)
      if(source MATCHES "\\.(cc|cpp)$" AND EXISTS "${source}")  # Generated code has no LibTorch.
        labelloop_reaches_torch("${source}" reaches)
      endif()
      if(reaches)
        set(uses_torch TRUE)
      else()
        list(APPEND skipped "${source}")
      endif()
    endforeach()
    if(uses_torch)
      target_precompile_headers(${target} REUSE_FROM labelloop_torch_pch)
      if(skipped)
        set_source_files_properties(${skipped} TARGET_DIRECTORY ${target}
                                    PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
      endif()
    endif()
  endforeach()
endfunction()
