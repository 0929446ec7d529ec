// GDB's register numbering for 64-bit POWER (the org.gnu.gdb.power.core,
// .fpu, .altivec and .vsx features that our target description declares),
// mapped onto ppc::Registers, in the guest's byte order.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "mosaic/ppc.hpp"

namespace mosaic::gdb {

inline constexpr unsigned kFirstFpr = 32;
inline constexpr unsigned kPc = 64, kMsr = 65, kCr = 66, kLr = 67, kCtr = 68, kXer = 69, kFpscr = 70;
inline constexpr unsigned kFirstVr = 71;  // vr0-vr31, 128 bits each
inline constexpr unsigned kVscr = 103, kVrsave = 104;
inline constexpr unsigned kFirstVsrLow = 105;  // vs0h-vs31h: the low doublewords of VSR0-31
inline constexpr unsigned kRegisterCount = 137;

// Size in bytes of register `number`, or nullopt when there is no such one.
std::optional<std::size_t> register_size(unsigned number);

// The register's bytes as gdb expects them: in the target's byte order.
std::string read_register(const ppc::Registers& registers, unsigned number, bool little_endian);
// Sets the register from gdb's bytes; false when `bytes` has the wrong size.
bool write_register(ppc::Registers& registers, unsigned number, std::string_view bytes, bool little_endian);

// All registers in order, as the `g` packet wants them.
std::string read_all_registers(const ppc::Registers& registers, bool little_endian);
bool write_all_registers(ppc::Registers& registers, std::string_view bytes, bool little_endian);

// The XML target description for qXfer:features:read:target.xml.
const std::string& target_description();

}  // namespace mosaic::gdb
