// Fixed-point rotate and shift instructions (Power ISA 2.07 Book I 3.3.14).
// RS is the bits 6:10 field and RA the target, as for the logical group.
#include <bit>
#include <cstdint>

#include "cpu.hpp"
#include "insn_common.hpp"
#include "insn_groups.hpp"

namespace mosaic::interp {

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;

// ROTL32: the low word, duplicated into both halves, rotated as 64 bits.
u64 rotate_word(u64 value, unsigned amount) {
  const u64 word = value & 0xffffffffull;
  return std::rotl(word | (word << 32), static_cast<int>(amount));
}

Flow write_result(Cpu& cpu, const DecodedInsn& insn, u64 result) {
  cpu.state.gpr[insn.ra] = result;
  if (insn.record) record_cr0(cpu, result);
  return Flow::next;
}

// The rotates are specialised at decode time by Rc, and find their mask
// (and MD-form's whole shift, in rb) decoded (DecodedInsn::imm).
template <bool Record>
Flow write_rotated(Cpu& cpu, const DecodedInsn& insn, u64 result) {
  cpu.state.gpr[insn.ra] = result;
  if constexpr (Record) record_cr0(cpu, result);
  return Flow::next;
}

u64 gpr_rs(const Cpu& cpu, const DecodedInsn& insn) { return cpu.state.gpr[insn.rt]; }
u64 gpr_rb(const Cpu& cpu, const DecodedInsn& insn) { return cpu.state.gpr[insn.rb]; }
u64 decoded_mask(const DecodedInsn& insn) { return static_cast<u64>(insn.imm); }

// --- M-form word rotates: SH (or RB[59:63]) in bits 16:20; the mask is
// MASK(MB + 32, ME + 32), MB in bits 21:25 and ME in 26:30. ---

template <bool Record>
Flow rlwinm(Cpu& cpu, const DecodedInsn& insn) {
  return write_rotated<Record>(cpu, insn, rotate_word(gpr_rs(cpu, insn), insn.rb) & decoded_mask(insn));
}

template <bool Record>
Flow rlwnm(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned amount = gpr_rb(cpu, insn) & 0x1f;
  return write_rotated<Record>(cpu, insn, rotate_word(gpr_rs(cpu, insn), amount) & decoded_mask(insn));
}

template <bool Record>
Flow rlwimi(Cpu& cpu, const DecodedInsn& insn) {
  const u64 inserted = decoded_mask(insn);
  const u64 rotated = rotate_word(gpr_rs(cpu, insn), insn.rb);
  return write_rotated<Record>(cpu, insn, (rotated & inserted) | (cpu.state.gpr[insn.ra] & ~inserted));
}

// --- MD/MDS-form doubleword rotates. ---

u64 rotate_doubleword(u64 value, unsigned amount) { return std::rotl(value, static_cast<int>(amount)); }

// rldicl, rldicr and rldic differ only in their masks.
template <bool Record>
Flow rotate_doubleword_immediate(Cpu& cpu, const DecodedInsn& insn) {
  return write_rotated<Record>(cpu, insn, rotate_doubleword(gpr_rs(cpu, insn), insn.rb) & decoded_mask(insn));
}

template <bool Record>
Flow rldimi(Cpu& cpu, const DecodedInsn& insn) {
  const u64 inserted = decoded_mask(insn);
  const u64 rotated = rotate_doubleword(gpr_rs(cpu, insn), insn.rb);
  return write_rotated<Record>(cpu, insn, (rotated & inserted) | (cpu.state.gpr[insn.ra] & ~inserted));
}

// rldcl and rldcr.
template <bool Record>
Flow rotate_doubleword_by_register(Cpu& cpu, const DecodedInsn& insn) {
  const u64 rotated = rotate_doubleword(gpr_rs(cpu, insn), gpr_rb(cpu, insn) & 0x3f);
  return write_rotated<Record>(cpu, insn, rotated & decoded_mask(insn));
}

// --- Shifts. Word shifts take the amount from RB[58:63] and doubleword
// shifts from RB[57:63]; amounts past the width shift everything out. ---

Flow slw(Cpu& cpu, const DecodedInsn& insn) {
  const u64 amount = gpr_rb(cpu, insn) & 0x3f;
  const u64 result = amount >= 32 ? 0 : (gpr_rs(cpu, insn) << amount) & 0xffffffffull;
  return write_result(cpu, insn, result);
}

Flow srw(Cpu& cpu, const DecodedInsn& insn) {
  const u64 amount = gpr_rb(cpu, insn) & 0x3f;
  const u64 result = amount >= 32 ? 0 : (gpr_rs(cpu, insn) & 0xffffffffull) >> amount;
  return write_result(cpu, insn, result);
}

Flow sld(Cpu& cpu, const DecodedInsn& insn) {
  const u64 amount = gpr_rb(cpu, insn) & 0x7f;
  return write_result(cpu, insn, amount >= 64 ? 0 : gpr_rs(cpu, insn) << amount);
}

Flow srd(Cpu& cpu, const DecodedInsn& insn) {
  const u64 amount = gpr_rb(cpu, insn) & 0x7f;
  return write_result(cpu, insn, amount >= 64 ? 0 : gpr_rs(cpu, insn) >> amount);
}

// Algebraic shifts: CA is set when the source is negative and any 1 bit is
// shifted out, so that the result plus CA rounds towards zero.
Flow shift_right_algebraic(Cpu& cpu, const DecodedInsn& insn, i64 value, unsigned width, u64 amount) {
  const bool negative = value < 0;
  u64 result = negative ? ~u64{0} : 0;
  bool lost_ones = negative;
  if (amount < width) {
    result = static_cast<u64>(value >> amount);
    const u64 shifted_out = static_cast<u64>(value) & ((u64{1} << amount) - 1);
    lost_ones = negative && shifted_out != 0;
  }
  cpu.state.xer_ca = lost_ones;
  return write_result(cpu, insn, result);
}

Flow sraw(Cpu& cpu, const DecodedInsn& insn) {
  return shift_right_algebraic(cpu, insn, static_cast<std::int32_t>(gpr_rs(cpu, insn)), 32, gpr_rb(cpu, insn) & 0x3f);
}
Flow srawi(Cpu& cpu, const DecodedInsn& insn) {
  return shift_right_algebraic(cpu, insn, static_cast<std::int32_t>(gpr_rs(cpu, insn)), 32, insn.rb);
}
Flow srad(Cpu& cpu, const DecodedInsn& insn) {
  return shift_right_algebraic(cpu, insn, static_cast<i64>(gpr_rs(cpu, insn)), 64, gpr_rb(cpu, insn) & 0x7f);
}
Flow sradi(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned amount = insn.rb | (bits(insn.word, 30, 30) << 5);  // sh5 apart, as in MD-form
  return shift_right_algebraic(cpu, insn, static_cast<i64>(gpr_rs(cpu, insn)), 64, amount);
}

}  // namespace

void register_rotate_shift_instructions(DecodeTable& table) {
  table.primary(21, by_record<&rlwinm<false>, &rlwinm<true>>);
  table.primary(23, by_record<&rlwnm<false>, &rlwnm<true>>);
  table.primary(20, by_record<&rlwimi<false>, &rlwimi<true>>);

  // MD-form extended opcodes are bits 27:29; the table's bit 30 is sh5.
  constexpr unsigned kRldicl = 0, kRldicr = 1, kRldic = 2, kRldimi = 3;
  constexpr auto immediate = by_record<&rotate_doubleword_immediate<false>, &rotate_doubleword_immediate<true>>;
  for (unsigned sh5 = 0; sh5 < 2; ++sh5) {
    table.op30((kRldicl << 1) | sh5, immediate);
    table.op30((kRldicr << 1) | sh5, immediate);
    table.op30((kRldic << 1) | sh5, immediate);
    table.op30((kRldimi << 1) | sh5, by_record<&rldimi<false>, &rldimi<true>>);
  }
  // MDS-form extended opcodes are bits 27:30.
  constexpr auto by_register = by_record<&rotate_doubleword_by_register<false>, &rotate_doubleword_by_register<true>>;
  table.op30(8, by_register);
  table.op30(9, by_register);

  table.op31(24, on_registers<&slw>);
  table.op31(536, on_registers<&srw>);
  table.op31(792, on_registers<&sraw>);
  table.op31(824, on_registers<&srawi>);
  table.op31(27, on_registers<&sld>);
  table.op31(539, on_registers<&srd>);
  table.op31(794, on_registers<&srad>);
  // sradi is XS-form: extended opcode 413 in bits 21:29, sh5 in bit 30.
  table.op31(826, on_registers<&sradi>);
  table.op31(827, on_registers<&sradi>);
}

}  // namespace mosaic::interp
