# bpf_object(NAME SOURCE)
#
# Compiles SOURCE (a BPF C file) with clang into ${NAME}.bpf.o and generates
# its libbpf skeleton ${NAME}.skel.h with `bpftool gen skeleton`, both in the
# build tree. Link against the INTERFACE target ${NAME}_skel to get the
# skeleton's include directory and libbpf.
#
# Same idea as libbpf-bootstrap's FindBpfObject.cmake, reduced to what this
# project needs: UAPI headers only (no vmlinux.h), one object per call.

find_program(BPF_CLANG NAMES clang-14 clang REQUIRED)
find_program(BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)

set(BPF_SKEL_DIR ${CMAKE_BINARY_DIR}/skel)
file(MAKE_DIRECTORY ${BPF_SKEL_DIR})

# <asm/types.h> lives in the multiarch directory on Debian.
set(BPF_SYSTEM_INCLUDES)
if(CMAKE_LIBRARY_ARCHITECTURE)
  list(APPEND BPF_SYSTEM_INCLUDES -idirafter /usr/include/${CMAKE_LIBRARY_ARCHITECTURE})
endif()

set(BPF_CFLAGS -target bpf -O2 -g -Wall -Wextra -Werror
    -Wno-unused-parameter -Wno-missing-field-initializers
    CACHE STRING "clang flags for BPF objects")

function(bpf_object name source)
  get_filename_component(src ${source} ABSOLUTE)
  set(obj ${CMAKE_BINARY_DIR}/${name}.bpf.o)
  set(dep ${CMAKE_BINARY_DIR}/${name}.bpf.d)
  set(skel ${BPF_SKEL_DIR}/${name}.skel.h)

  add_custom_command(
    OUTPUT ${obj}
    COMMAND ${BPF_CLANG} ${BPF_CFLAGS}
            -I${PROJECT_SOURCE_DIR}/maps -I${PROJECT_SOURCE_DIR}/kern
            ${BPF_SYSTEM_INCLUDES}
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
  target_include_directories(${name}_skel INTERFACE ${BPF_SKEL_DIR})
  target_link_libraries(${name}_skel INTERFACE PkgConfig::LIBBPF)
  add_dependencies(${name}_skel ${name}_skel_gen)
endfunction()
