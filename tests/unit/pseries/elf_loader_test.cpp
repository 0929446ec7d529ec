// The ELF loader over images built here to the ELF-64 layout (System V
// gABI, 64-bit object file format): what it loads and what it refuses.
#include <gtest/gtest.h>

#include <vector>

#include "elf_loader.hpp"
#include "mosaic/errors.hpp"

namespace {

using mosaic::GuestMemory;
using mosaic::SetupError;
using mosaic::pseries::load_elf_image;

struct Segment {
  std::uint32_t type = 1;  // PT_LOAD
  std::uint64_t address = 0;
  std::vector<std::uint8_t> bytes;
  std::uint64_t memory_size = 0;
};

// A big-endian ppc64 executable with `segments`, their bytes after the
// headers.
std::vector<std::uint8_t> image(std::uint64_t entry, const std::vector<Segment>& segments) {
  std::vector<std::uint8_t> out;
  const auto put = [&out](std::uint64_t value, unsigned bytes) {
    for (unsigned i = 0; i < bytes; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * (bytes - 1 - i))));
  };
  put(0x7f454c4602020100, 8), put(0, 8);       // magic, ELFCLASS64, ELFDATA2MSB, EV_CURRENT
  put(2, 2), put(21, 2), put(1, 4);            // ET_EXEC, EM_PPC64
  put(entry, 8), put(64, 8), put(0, 8);        // entry, e_phoff, no sections
  put(0, 4), put(64, 2), put(56, 2), put(segments.size(), 2), put(64, 2), put(0, 2), put(0, 2);
  std::uint64_t offset = 64 + 56 * segments.size();
  for (const Segment& segment : segments) {
    put(segment.type, 4), put(7, 4), put(offset, 8), put(segment.address, 8), put(segment.address, 8);
    put(segment.bytes.size(), 8), put(segment.memory_size, 8), put(0x10000, 8);
    offset += segment.bytes.size();
  }
  for (const Segment& segment : segments) out.insert(out.end(), segment.bytes.begin(), segment.bytes.end());
  return out;
}

class ElfLoaderTest : public ::testing::Test {
 protected:
  std::string error_of(std::vector<std::uint8_t> bytes) {
    try {
      load_elf_image("test.elf", std::move(bytes), memory);
    } catch (const SetupError& error) {
      return error.what();
    }
    return "no error";
  }
  std::vector<std::byte> ram = std::vector<std::byte>(1 << 20, std::byte{0xee});
  GuestMemory memory{ram.data(), ram.size()};
};

TEST_F(ElfLoaderTest, LoadsSegmentsAndClearsTheirBss) {
  const auto loaded = load_elf_image("test.elf", image(0x10000, {{1, 0x10000, {0x48, 0, 0, 0}, 0x100}}), memory);
  EXPECT_EQ(loaded.entry, 0x10000u);
  EXPECT_EQ(loaded.lowest, 0x10000u);
  EXPECT_EQ(loaded.end, 0x10100u);
  EXPECT_FALSE(loaded.little_endian);
  EXPECT_EQ(ram[0x10000], std::byte{0x48});
  EXPECT_EQ(ram[0x100ff], std::byte{0});
  EXPECT_EQ(ram[0x10100], std::byte{0xee});
}

// Found by fuzzing: an image whose only PT_LOAD is empty loaded nothing and
// was accepted.
TEST_F(ElfLoaderTest, ImageOfEmptySegmentsOnlyIsRefused) {
  EXPECT_EQ(error_of(image(0x10000, {{1, 0xff00, {}, 0}})),
            "test.elf: not a loadable ppc64 ELF kernel: no loadable segment");
  EXPECT_EQ(error_of(image(0x10000, {{1, 0xff00, {}, 0}, {4, 0x10000, {1, 2, 3, 4}, 4}})),  // and a PT_NOTE
            "test.elf: not a loadable ppc64 ELF kernel: no loadable segment");
  EXPECT_EQ(error_of(image(0x10000, {{1, 0xff00, {}, 0}, {1, 0x10000, {1, 2, 3, 4}, 4}})), "no error");
}

TEST_F(ElfLoaderTest, SegmentOutsideRamIsRefused) {
  EXPECT_EQ(error_of(image(0x10000, {{1, 0xff000, {}, 0x2000}})),
            "test.elf: segment 0 [0xff000, 0x101000) does not fit in 1 MiB of guest memory");
}

}  // namespace
