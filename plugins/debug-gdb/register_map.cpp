#include "register_map.hpp"

#include <array>

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

bool is_vector(unsigned number) { return number >= kFirstVr && number < kFirstVr + 32; }

// A 128-bit register as one number in the target's byte order.
std::string encode_vector(const std::array<std::uint64_t, 2>& value, bool little_endian) {
  return little_endian ? encode(value[1], 8, true) + encode(value[0], 8, true)
                       : encode(value[0], 8, false) + encode(value[1], 8, false);
}
std::array<std::uint64_t, 2> decode_vector(std::string_view bytes, bool little_endian) {
  return little_endian ? std::array<std::uint64_t, 2>{decode(bytes.substr(8), true), decode(bytes.substr(0, 8), true)}
                       : std::array<std::uint64_t, 2>{decode(bytes.substr(0, 8), false), decode(bytes.substr(8), false)};
}

// Works for const and mutable registers alike.
template <typename RegisterFile>
auto* register_slot(RegisterFile& registers, unsigned number) {
  using Slot = decltype(&registers.gpr[0]);
  if (number < 32) return &registers.gpr[number];
  if (number < 64) return &registers.fpr[number - kFirstFpr];
  if (number >= kFirstVsrLow && number < kFirstVsrLow + 32) return &registers.vsr_low[number - kFirstVsrLow];
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
  xml += "<reg name=\"fpscr\" bitsize=\"32\" group=\"float\" regnum=\"70\"/>\n</feature>\n";
  xml +=
      "<feature name=\"org.gnu.gdb.power.altivec\">\n"
      "<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>\n"
      "<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>\n"
      "<vector id=\"v8i16\" type=\"int16\" count=\"8\"/>\n"
      "<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>\n"
      "<union id=\"vec128\">\n<field name=\"uint128\" type=\"uint128\"/>\n<field name=\"v4_float\" type=\"v4f\"/>\n"
      "<field name=\"v4_int32\" type=\"v4i32\"/>\n<field name=\"v8_int16\" type=\"v8i16\"/>\n"
      "<field name=\"v16_int8\" type=\"v16i8\"/>\n</union>\n";
  for (unsigned i = 0; i < 32; ++i) {
    xml += fmt::format("<reg name=\"vr{}\" bitsize=\"128\" type=\"vec128\" regnum=\"{}\"/>\n", i, kFirstVr + i);
  }
  xml += fmt::format(
      "<reg name=\"vscr\" bitsize=\"32\" group=\"vector\" regnum=\"{}\"/>\n"
      "<reg name=\"vrsave\" bitsize=\"32\" group=\"vector\" regnum=\"{}\"/>\n</feature>\n"
      "<feature name=\"org.gnu.gdb.power.vsx\">\n",
      kVscr, kVrsave);
  for (unsigned i = 0; i < 32; ++i) {
    xml += fmt::format("<reg name=\"vs{}h\" bitsize=\"64\" type=\"uint64\" regnum=\"{}\"/>\n", i, kFirstVsrLow + i);
  }
  xml += "</feature>\n</target>\n";
  return xml;
}

}  // namespace

std::optional<std::size_t> register_size(unsigned number) {
  if (number >= kRegisterCount) return std::nullopt;
  if (is_vector(number)) return 16;
  return (number == kCr || number == kXer || number == kFpscr || number == kVscr || number == kVrsave) ? 4 : 8;
}

std::string read_register(const ppc::Registers& registers, unsigned number, bool little_endian) {
  const auto size = register_size(number);
  if (!size) return {};
  if (number == kCr) return encode(registers.cr, 4, little_endian);
  if (number == kVscr) return encode(registers.vscr, 4, little_endian);
  if (number == kVrsave) return encode(registers.vrsave, 4, little_endian);
  if (is_vector(number)) return encode_vector(registers.vr[number - kFirstVr], little_endian);
  return encode(*register_slot(registers, number), *size, little_endian);
}

bool write_register(ppc::Registers& registers, unsigned number, std::string_view bytes, bool little_endian) {
  const auto size = register_size(number);
  if (!size || bytes.size() != *size) return false;
  if (is_vector(number)) {
    registers.vr[number - kFirstVr] = decode_vector(bytes, little_endian);
    return true;
  }
  const std::uint64_t value = decode(bytes, little_endian);
  if (number == kVscr || number == kVrsave) {
    (number == kVscr ? registers.vscr : registers.vrsave) = static_cast<std::uint32_t>(value);
  } else if (number == kCr) {
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
