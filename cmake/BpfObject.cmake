# bpf_object(NAME SOURCE [INCLUDES DIR...] [DEPENDS TARGET...])
#
# Compiles SOURCE (a BPF C file) with clang into NAME.bpf.o and generates its
# libbpf skeleton NAME.skel.h with `bpftool gen skeleton`, both in the
# current binary directory. Link against the INTERFACE target NAME_skel to
# get the skeleton's include directory and libbpf; the object's path is the
# target's property BPF_OBJECT (install it, hand it to tests).
#
# INCLUDES: directories searched by the BPF compile, in order (the source's
# own directory first, always). DEPENDS: INTERFACE targets whose include
# directories are searched too (e.g. xr_maps; defined before the call).
#
# Same idea as libbpf-bootstrap's FindBpfObject.cmake, reduced to what this
# project needs: UAPI headers only (no vmlinux.h), one object per call.

find_program(BPF_CLANG NAMES clang-14 clang REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)

# <asm/types.h> lives in the multiarch directory on Debian.
set(BPF_SYSTEM_INCLUDES)
if(CMAKE_LIBRARY_ARCHITECTURE)
  list(APPEND BPF_SYSTEM_INCLUDES -idirafter /usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
endif()

set(BPF_CFLAGS -target bpf -O2 -g -Wall -Wextra -Werror
    -Wno-unused-parameter -Wno-missing-field-initializers
    CACHE STRING "clang flags for BPF objects")

function(bpf_object name source)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "INCLUDES;DEPENDS")
  get_filename_component(src ${source} ABSOLUTE)
  get_filename_component(src_dir ${src} DIRECTORY)
  set(out ${CMAKE_CURRENT_BINARY_DIR})
  set(obj ${out}/${name}.bpf.o)
  set(dep ${out}/${name}.bpf.d)
  set(skel ${out}/${name}.skel.h)

  set(includes -I${src_dir})
  foreach(d ${arg_INCLUDES})
    get_filename_component(d ${d} ABSOLUTE)
    list(APPEND includes -I${d})
  endforeach()
  # Read when bpf_object() is called: the target must exist by then.
  foreach(t ${arg_DEPENDS})
    get_target_property(dirs ${t} INTERFACE_INCLUDE_DIRECTORIES)
    foreach(d ${dirs})
      list(APPEND includes -I${d})
    endforeach()
  endforeach()

  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${BPF_CLANG} ${BPF_CFLAGS} ${includes} ${BPF_SYSTEM_INCLUDES}
            -MD -MF ${dep} -c ${src} -o ${obj}
    DEPFILE ${dep}
    DEPENDS ${src}
    COMMENT "BPF ${name}.bpf.o"
    VERBATIM)

  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${BPFTOOL} gen skeleton ${obj} name ${name} > ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${obj}
    COMMENT "Skeleton ${name}.skel.h"
    VERBATIM)

  add_custom_target(${name}_skel_gen ALL DEPENDS ${skel})
  add_library(${name}_skel INTERFACE)
  target_include_directories(${name}_skel INTERFACE ${out})
  target_link_libraries(${name}_skel INTERFACE PkgConfig::LIBBPF)
  set_target_properties(${name}_skel PROPERTIES BPF_OBJECT ${obj})
  add_dependencies(${name}_skel ${name}_skel_gen)
endfunction()
