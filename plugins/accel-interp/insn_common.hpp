// Small pieces shared by the instruction handlers: operand selection, the
// computation mode and CR0 recording.
#pragma once

#include <array>
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

// X-form EA = (RA|0) + RB, in the computation mode's width.
inline std::uint64_t indexed_effective_address(const Cpu& cpu, const DecodedInsn& insn) {
  return (ra_or_zero(cpu, insn) + cpu.state.gpr[insn.rb]) & cpu.address_mask();
}

// The eight logical operations of VMX (on 128 bits) and VSX (on each
// doubleword).
template <class T>
T and_op(T a, T b) { return a & b; }
template <class T>
T and_complement_op(T a, T b) { return a & ~b; }
template <class T>
T or_op(T a, T b) { return a | b; }
template <class T>
T xor_op(T a, T b) { return a ^ b; }
template <class T>
T nor_op(T a, T b) { return ~(a | b); }
template <class T>
T or_complement_op(T a, T b) { return a | ~b; }
template <class T>
T nand_op(T a, T b) { return ~(a & b); }
template <class T>
T equivalent_op(T a, T b) { return ~(a ^ b); }

inline bool little_endian_mode(const Cpu& cpu) { return cpu.state.msr & ppc::msr::kLittleEndian; }

// A quadword as the vector registers hold it: [0] is the most significant
// doubleword (element 0 in the ISA's numbering).
using Quadword = std::array<std::uint64_t, 2>;

// lvx/stvx-style access of the 16 bytes at `ea` (already aligned): in
// big-endian mode memory byte 0 is the register's byte 0; in little-endian
// mode the quadword is one little-endian number, so the doubleword at ea+8
// is the register's high half. Both doublewords are read before `value` is
// touched, so a failed access leaves it unchanged.
inline bool load_quadword(Cpu& cpu, std::uint64_t ea, Quadword& value) {
  std::uint64_t first = 0, second = 0;
  if (!cpu.load(ea, first) || !cpu.load(ea + 8, second)) return false;
  value = little_endian_mode(cpu) ? Quadword{second, first} : Quadword{first, second};
  return true;
}
inline bool store_quadword(Cpu& cpu, std::uint64_t ea, const Quadword& value) {
  const bool little = little_endian_mode(cpu);
  return cpu.store(ea, little ? value[1] : value[0]) && cpu.store(ea + 8, little ? value[0] : value[1]);
}

// Whether the `size` bytes at `ea` lie in one soft-TLB page: then a store
// of its parts hits for all of them if it hits for the first (the page has
// one entry), so a hit path never stores part of them and misses.
inline bool within_one_tlb_page(const Cpu& cpu, std::uint64_t ea, unsigned size) {
  return ((ea & cpu.address_mask()) & kTlbPageMask) <= kTlbPageMask + 1 - size;
}

// The same accesses on the soft TLB's hit path alone: false, with nothing
// done, where they would take the slow path (Cpu::load_from_tlb).
inline bool load_quadword_from_tlb(const Cpu& cpu, std::uint64_t ea, Quadword& value) {
  std::uint64_t first = 0, second = 0;
  if (!cpu.load_from_tlb(ea, first) || !cpu.load_from_tlb(ea + 8, second)) return false;
  value = little_endian_mode(cpu) ? Quadword{second, first} : Quadword{first, second};
  return true;
}
inline bool store_quadword_to_tlb(Cpu& cpu, std::uint64_t ea, const Quadword& value) {
  if (!within_one_tlb_page(cpu, ea, 16)) return false;
  const bool little = little_endian_mode(cpu);
  return cpu.store_to_tlb(ea, little ? value[1] : value[0]) && cpu.store_to_tlb(ea + 8, little ? value[0] : value[1]);
}

}  // namespace mosaic::interp
