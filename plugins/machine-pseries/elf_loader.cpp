#include "elf_loader.hpp"

#include <algorithm>
#include <cstring>
#include <elf.h>
#include <fstream>
#include <vector>

#include <fmt/format.h>

#include "mosaic/errors.hpp"

namespace mosaic::pseries {

namespace {

// Kernels link at 0xc000000000000000; real mode ignores the top bits.
constexpr std::uint64_t kRealAddressMask = 0x0fffffffffffffffull;

class ElfReader {
 public:
  ElfReader(std::string path, std::vector<std::uint8_t> bytes) : path_(std::move(path)), bytes_(std::move(bytes)) {}

  [[noreturn]] void fail(std::string_view what) const {
    throw SetupError(fmt::format("{}: not a loadable ppc64 ELF kernel: {}", path_, what));
  }

  template <class T>
  T read(std::uint64_t offset) const {
    if (offset > bytes_.size() || sizeof(T) > bytes_.size() - offset) fail("truncated file");
    T value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      const std::uint8_t byte = bytes_[offset + i];
      const unsigned shift = 8 * (little_endian_ ? i : sizeof(T) - 1 - i);
      value |= static_cast<T>(static_cast<T>(byte) << shift);
    }
    return value;
  }

  void set_little_endian(bool little) { little_endian_ = little; }
  bool little_endian() const { return little_endian_; }
  const std::vector<std::uint8_t>& bytes() const { return bytes_; }

 private:
  std::string path_;
  std::vector<std::uint8_t> bytes_;
  bool little_endian_ = false;
};

}  // namespace

LoadedImage load_elf(const std::string& path, GuestMemory& memory) {
  std::ifstream stream(path, std::ios::binary | std::ios::ate);
  if (!stream) throw SetupError(fmt::format("{}: cannot open the kernel image", path));
  std::vector<std::uint8_t> contents(static_cast<std::size_t>(stream.tellg()));
  stream.seekg(0);
  stream.read(reinterpret_cast<char*>(contents.data()), static_cast<std::streamsize>(contents.size()));
  if (!stream) throw SetupError(fmt::format("{}: cannot read the kernel image", path));
  return load_elf_image(path, std::move(contents), memory);
}

LoadedImage load_elf_image(const std::string& path, std::vector<std::uint8_t> contents, GuestMemory& memory) {
  ElfReader elf(path, std::move(contents));
  const auto& bytes = elf.bytes();
  if (bytes.size() < EI_NIDENT || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0) elf.fail("no ELF magic");
  if (bytes[EI_CLASS] != ELFCLASS64) elf.fail("not a 64-bit ELF");
  if (bytes[EI_DATA] != ELFDATA2LSB && bytes[EI_DATA] != ELFDATA2MSB) elf.fail("unknown byte order");
  elf.set_little_endian(bytes[EI_DATA] == ELFDATA2LSB);
  if (elf.read<std::uint16_t>(offsetof(Elf64_Ehdr, e_machine)) != EM_PPC64) elf.fail("not built for ppc64");
  const auto type = elf.read<std::uint16_t>(offsetof(Elf64_Ehdr, e_type));
  if (type != ET_EXEC && type != ET_DYN) elf.fail("neither an executable nor a position-independent image");

  const auto program_headers = elf.read<std::uint64_t>(offsetof(Elf64_Ehdr, e_phoff));
  const auto header_size = elf.read<std::uint16_t>(offsetof(Elf64_Ehdr, e_phentsize));
  const auto header_count = elf.read<std::uint16_t>(offsetof(Elf64_Ehdr, e_phnum));
  if (header_size < sizeof(Elf64_Phdr)) elf.fail("program headers too small");

  LoadedImage image;
  image.little_endian = elf.little_endian();
  image.lowest = ~std::uint64_t{0};
  for (unsigned i = 0; i < header_count; ++i) {
    const std::uint64_t header = program_headers + std::uint64_t{i} * header_size;
    if (elf.read<std::uint32_t>(header + offsetof(Elf64_Phdr, p_type)) != PT_LOAD) continue;
    const auto offset = elf.read<std::uint64_t>(header + offsetof(Elf64_Phdr, p_offset));
    const auto address = elf.read<std::uint64_t>(header + offsetof(Elf64_Phdr, p_paddr)) & kRealAddressMask;
    const auto file_size = elf.read<std::uint64_t>(header + offsetof(Elf64_Phdr, p_filesz));
    const auto memory_size = elf.read<std::uint64_t>(header + offsetof(Elf64_Phdr, p_memsz));
    if (file_size > memory_size) elf.fail(fmt::format("segment {} has more file bytes than memory bytes", i));
    // An empty segment loads nothing (and must not make an image of
    // nothing but empty segments look loaded: found by fuzzing).
    if (memory_size == 0) continue;
    if (offset > bytes.size() || file_size > bytes.size() - offset) elf.fail(fmt::format("segment {} is truncated", i));
    if (!memory.contains(address, memory_size)) {
      throw SetupError(fmt::format("{}: segment {} [{:#x}, {:#x}) does not fit in {} MiB of guest memory", path, i,
                                   address, address + memory_size, memory.size() >> 20));
    }
    std::byte* target = memory.host_pointer(address, memory_size);
    std::memcpy(target, bytes.data() + offset, file_size);
    std::memset(target + file_size, 0, memory_size - file_size);
    image.lowest = std::min(image.lowest, address);
    image.end = std::max(image.end, address + memory_size);
  }
  if (image.lowest == ~std::uint64_t{0}) elf.fail("no loadable segment");
  image.entry = elf.read<std::uint64_t>(offsetof(Elf64_Ehdr, e_entry)) & kRealAddressMask;
  if (!memory.contains(image.entry, 4)) elf.fail(fmt::format("entry point {:#x} is outside guest memory", image.entry));
  return image;
}

}  // namespace mosaic::pseries
