#include "register_map.hpp"

#include <fmt/format.h>

namespace mosaic::gdb {
namespace {

std::string encode(std::uint64_t value, std::size_t size, bool little_endian) {
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i < size; ++i) {
    const std::size_t position = little_endian ? i : size - 1 - i;
    bytes[position] = static_cast<char>((value >> (8 * i)) & 0xff);
  }
  return bytes;
}

std::uint64_t decode(std::string_view bytes, bool little_endian) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const std::size_t position = little_endian ? i : bytes.size() - 1 - i;
    value |= std::uint64_t{static_cast<std::uint8_t>(bytes[position])} << (8 * i);
  }
  return value;
}

// Works for const and mutable registers alike.
template <typename RegisterFile>
auto* register_slot(RegisterFile& registers, unsigned number) {
  using Slot = decltype(&registers.gpr[0]);
  if (number < 32) return &registers.gpr[number];
  if (number < 64) return &registers.fpr[number - kFirstFpr];
  switch (number) {
    case kPc: return &registers.nip;
    case kMsr: return &registers.msr;
    case kLr: return &registers.lr;
    case kCtr: return &registers.ctr;
    case kXer: return &registers.xer;
    case kFpscr: return &registers.fpscr;
    default: return Slot{nullptr};
  }
}

std::string build_target_description() {
  std::string xml =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n<target version=\"1.0\">\n"
      "<architecture>powerpc:common64</architecture>\n<feature name=\"org.gnu.gdb.power.core\">\n";
  for (unsigned i = 0; i < 32; ++i) xml += fmt::format("<reg name=\"r{}\" bitsize=\"64\" type=\"uint64\"/>\n", i);
  xml +=
      "<reg name=\"pc\" bitsize=\"64\" type=\"code_ptr\" regnum=\"64\"/>\n"
      "<reg name=\"msr\" bitsize=\"64\" type=\"uint64\"/>\n"
      "<reg name=\"cr\" bitsize=\"32\" type=\"uint32\"/>\n"
      "<reg name=\"lr\" bitsize=\"64\" type=\"code_ptr\"/>\n"
      "<reg name=\"ctr\" bitsize=\"64\" type=\"uint64\"/>\n"
      "<reg name=\"xer\" bitsize=\"32\" type=\"uint32\"/>\n"
      "</feature>\n<feature name=\"org.gnu.gdb.power.fpu\">\n";
  for (unsigned i = 0; i < 32; ++i) {
    xml += fmt::format("<reg name=\"f{}\" bitsize=\"64\" type=\"ieee_double\" regnum=\"{}\"/>\n", i, kFirstFpr + i);
  }
  xml += "<reg name=\"fpscr\" bitsize=\"32\" group=\"float\" regnum=\"70\"/>\n</feature>\n</target>\n";
  return xml;
}

}  // namespace

std::optional<std::size_t> register_size(unsigned number) {
  if (number >= kRegisterCount) return std::nullopt;
  return (number == kCr || number == kXer || number == kFpscr) ? 4 : 8;
}

std::string read_register(const ppc::Registers& registers, unsigned number, bool little_endian) {
  const auto size = register_size(number);
  if (!size) return {};
  if (number == kCr) return encode(registers.cr, 4, little_endian);
  return encode(*register_slot(registers, number), *size, little_endian);
}

bool write_register(ppc::Registers& registers, unsigned number, std::string_view bytes, bool little_endian) {
  const auto size = register_size(number);
  if (!size || bytes.size() != *size) return false;
  const std::uint64_t value = decode(bytes, little_endian);
  if (number == kCr) {
    registers.cr = static_cast<std::uint32_t>(value);
  } else if (number == kXer || number == kFpscr) {
    // 32 bits on the wire; the upper half of these registers is reserved.
    *register_slot(registers, number) = value & 0xffffffff;
  } else {
    *register_slot(registers, number) = value;
  }
  return true;
}

std::string read_all_registers(const ppc::Registers& registers, bool little_endian) {
  std::string bytes;
  for (unsigned number = 0; number < kRegisterCount; ++number) bytes += read_register(registers, number, little_endian);
  return bytes;
}

bool write_all_registers(ppc::Registers& registers, std::string_view bytes, bool little_endian) {
  ppc::Registers updated = registers;
  std::size_t offset = 0;
  for (unsigned number = 0; number < kRegisterCount; ++number) {
    const std::size_t size = *register_size(number);
    if (offset + size > bytes.size()) return false;
    write_register(updated, number, bytes.substr(offset, size), little_endian);
    offset += size;
  }
  if (offset != bytes.size()) return false;
  registers = updated;
  return true;
}

const std::string& target_description() {
  static const std::string description = build_target_description();
  return description;
}

}  // namespace mosaic::gdb
