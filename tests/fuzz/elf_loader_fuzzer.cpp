// Arbitrary bytes as a kernel image through the pseries ELF loader, into
// guest RAM fenced by inaccessible pages: an image is either loaded wholly
// inside RAM, with its entry point there too, or refused with SetupError.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "elf_loader.hpp"
#include "guarded_ram.hpp"
#include "mosaic/errors.hpp"

namespace {

// Small enough to clear per input, large enough for real images' segments.
constexpr std::uint64_t kRamBytes = 4 << 20;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static mosaic::fuzz::GuardedRam ram(kRamBytes);
  ram.clear();
  try {
    const auto image = mosaic::pseries::load_elf_image("fuzz.elf", std::vector<std::uint8_t>(data, data + size),
                                                       ram.memory());
    if (image.end > kRamBytes || image.lowest >= image.end || !ram.memory().contains(image.entry, 4)) std::abort();
  } catch (const mosaic::SetupError&) {
    // Refused with a message: the expected outcome for most inputs.
  }
  return 0;
}
