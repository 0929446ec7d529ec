# Cross-compiles Mosaic for ppc64le Linux (a POWER host, for the KVM-HV accelerator)
# with Debian's powerpc64le-linux-gnu toolchain. Two roots hold the target's files:
#   - the cross toolchain's /usr/powerpc64le-linux-gnu: libc, libstdc++, libgcc_s and
#     the ppc64 kernel headers (<asm/kvm.h>), which the compiler searches by itself;
#   - MOSAIC_PPC64LE_SYSROOT (scripts/cross-sysroot, default build-ppc64le-sysroot/ next
#     to this directory): Mosaic's libraries from Debian's ppc64el packages.
# Libraries, headers and CMake packages are looked up only there, never in the host's
# /usr, whose x86 files would otherwise be found first.
set(CMAKE_SYSTEM_NAME Linux)
# What `uname -m` says on a little-endian POWER host, so that a native build there and
# this one take the same CMAKE_SYSTEM_PROCESSOR branches.
set(CMAKE_SYSTEM_PROCESSOR ppc64le)
set(CMAKE_LIBRARY_ARCHITECTURE powerpc64le-linux-gnu)

set(CMAKE_C_COMPILER powerpc64le-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER powerpc64le-linux-gnu-g++)
set(CMAKE_ASM_COMPILER powerpc64le-linux-gnu-gcc)

if(NOT MOSAIC_PPC64LE_SYSROOT)
  if(DEFINED ENV{MOSAIC_PPC64LE_SYSROOT})
    set(MOSAIC_PPC64LE_SYSROOT "$ENV{MOSAIC_PPC64LE_SYSROOT}")
  else()
    cmake_path(SET MOSAIC_PPC64LE_SYSROOT NORMALIZE "${CMAKE_CURRENT_LIST_DIR}/../build-ppc64le-sysroot")
  endif()
endif()
if(NOT EXISTS "${MOSAIC_PPC64LE_SYSROOT}/usr/include/yaml-cpp")
  message(FATAL_ERROR "no ppc64el sysroot at ${MOSAIC_PPC64LE_SYSROOT}: run scripts/cross-sysroot")
endif()
# try_compile() projects read this file again; they must see the same sysroot.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES MOSAIC_PPC64LE_SYSROOT)

set(CMAKE_FIND_ROOT_PATH "${MOSAIC_PPC64LE_SYSROOT}" /usr/powerpc64le-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# The sysroot's libraries need one another (libspdlog needs libfmt); the linker
# looks for those in the toolchain's directories only.
set(sysroot_library_dir "${MOSAIC_PPC64LE_SYSROOT}/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}")
foreach(kind EXE SHARED MODULE)
  set(CMAKE_${kind}_LINKER_FLAGS_INIT "-Wl,-rpath-link,${sysroot_library_dir}")
endforeach()
# A build RPATH would name sysroot directories that do not exist on the target and,
# under qemu-ppc64le -L STAGE, would load the sysroot's libraries instead of the
# staged ones that the smoke run is meant to check.
set(CMAKE_SKIP_BUILD_RPATH ON)

# Target binaries cannot run during the build: GoogleTest lists its tests when
# ctest runs them, through the emulator below.
set(CMAKE_GTEST_DISCOVER_TESTS_DISCOVERY_MODE PRE_TEST)
find_program(MOSAIC_QEMU_PPC64LE qemu-ppc64le)
if(MOSAIC_QEMU_PPC64LE)
  set(CMAKE_CROSSCOMPILING_EMULATOR
      "${MOSAIC_QEMU_PPC64LE};-L;/usr/powerpc64le-linux-gnu;-E;LD_LIBRARY_PATH=${sysroot_library_dir}")
endif()
