// Loads an ELF64 kernel image (either byte order) into guest RAM at its
// physical addresses, as a pseries guest without firmware expects.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mosaic/guest_memory.hpp"

namespace mosaic::pseries {

struct LoadedImage {
  std::uint64_t entry = 0;       // real address of the entry point
  std::uint64_t lowest = 0;      // lowest real address loaded
  std::uint64_t end = 0;         // one past the highest byte (bss included)
  bool little_endian = false;
};

// Throws SetupError naming the file and what is wrong with it.
LoadedImage load_elf(const std::string& path, GuestMemory& memory);
// The same for an image already read; `name` is what errors call it.
LoadedImage load_elf_image(const std::string& name, std::vector<std::uint8_t> contents, GuestMemory& memory);

}  // namespace mosaic::pseries
