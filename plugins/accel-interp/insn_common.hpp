// Small pieces shared by the instruction handlers: operand selection, the
// computation mode and CR0 recording.
#pragma once

#include <cstdint>

#include "cpu.hpp"

namespace mosaic::interp {

// MSR[SF]: 64-bit computation mode (Book I 1.5 "Computation modes").
inline bool sixty_four_bit_mode(const Cpu& cpu) { return cpu.state.msr & ppc::msr::kSixtyFour; }

// The (RA|0) operand: register 0 reads as zero where the ISA says so.
inline std::uint64_t ra_or_zero(const Cpu& cpu, const DecodedInsn& insn) {
  return insn.ra == 0 ? 0 : cpu.state.gpr[insn.ra];
}

inline std::uint64_t sign_extend_word(std::uint64_t value) {
  return static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(value)));
}

// LT/GT/EQ of a signed comparison, as one CR field without SO.
inline std::uint32_t compare_signed(std::int64_t a, std::int64_t b) {
  return a < b ? cr_bit::kLess : a > b ? cr_bit::kGreater : cr_bit::kEqual;
}
inline std::uint32_t compare_unsigned(std::uint64_t a, std::uint64_t b) {
  return a < b ? cr_bit::kLess : a > b ? cr_bit::kGreater : cr_bit::kEqual;
}

// Rc=1: CR0 compares the result with zero and copies XER[SO] (Book I
// 3.3.8). In 32-bit mode only the low word of the result is compared.
inline void record_cr0(Cpu& cpu, std::uint64_t result) {
  const std::uint64_t compared = sixty_four_bit_mode(cpu) ? result : sign_extend_word(result);
  const std::uint32_t field = compare_signed(static_cast<std::int64_t>(compared), 0) |
                              (cpu.state.xer_so ? cr_bit::kSummaryOverflow : 0);
  cpu.state.set_cr_field(0, field);
}

}  // namespace mosaic::interp
