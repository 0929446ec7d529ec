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

// MASK(mb, me) in MSB-0 numbering: ones from bit mb to bit me, wrapping
// around through bit 63 and bit 0 when mb > me (Book I 3.3.14).
u64 mask(unsigned mb, unsigned me) {
  const u64 from_mb = ~u64{0} >> mb;
  const u64 to_me = ~u64{0} << (63 - me);
  return mb <= me ? (from_mb & to_me) : (from_mb | to_me);
}

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

u64 gpr_rs(const Cpu& cpu, const DecodedInsn& insn) { return cpu.state.gpr[insn.rt]; }
u64 gpr_rb(const Cpu& cpu, const DecodedInsn& insn) { return cpu.state.gpr[insn.rb]; }

// --- M-form word rotates: SH (or RB[59:63]) in bits 16:20, MB in 21:25,
// ME in 26:30; the mask is MASK(MB + 32, ME + 32). ---

u64 word_mask(const DecodedInsn& insn) { return mask(bits(insn.word, 21, 25) + 32, bits(insn.word, 26, 30) + 32); }

Flow rlwinm(Cpu& cpu, const DecodedInsn& insn) {
  return write_result(cpu, insn, rotate_word(gpr_rs(cpu, insn), insn.rb) & word_mask(insn));
}

Flow rlwnm(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned amount = gpr_rb(cpu, insn) & 0x1f;
  return write_result(cpu, insn, rotate_word(gpr_rs(cpu, insn), amount) & word_mask(insn));
}

Flow rlwimi(Cpu& cpu, const DecodedInsn& insn) {
  const u64 inserted = word_mask(insn);
  const u64 rotated = rotate_word(gpr_rs(cpu, insn), insn.rb);
  return write_result(cpu, insn, (rotated & inserted) | (cpu.state.gpr[insn.ra] & ~inserted));
}

// --- MD/MDS-form doubleword rotates. The 6-bit SH and MB/ME fields keep
// their high bit apart: sh5 in bit 30, mb5/me5 in bit 26. ---

unsigned doubleword_shift(const DecodedInsn& insn) { return insn.rb | (bits(insn.word, 30, 30) << 5); }
unsigned doubleword_mask_bound(const DecodedInsn& insn) {
  return bits(insn.word, 21, 25) | (bits(insn.word, 26, 26) << 5);
}
u64 rotate_doubleword(u64 value, unsigned amount) { return std::rotl(value, static_cast<int>(amount)); }

Flow rldicl(Cpu& cpu, const DecodedInsn& insn) {
  const u64 rotated = rotate_doubleword(gpr_rs(cpu, insn), doubleword_shift(insn));
  return write_result(cpu, insn, rotated & mask(doubleword_mask_bound(insn), 63));
}

Flow rldicr(Cpu& cpu, const DecodedInsn& insn) {
  const u64 rotated = rotate_doubleword(gpr_rs(cpu, insn), doubleword_shift(insn));
  return write_result(cpu, insn, rotated & mask(0, doubleword_mask_bound(insn)));
}

Flow rldic(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned shift = doubleword_shift(insn);
  const u64 rotated = rotate_doubleword(gpr_rs(cpu, insn), shift);
  return write_result(cpu, insn, rotated & mask(doubleword_mask_bound(insn), 63 - shift));
}

Flow rldimi(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned shift = doubleword_shift(insn);
  const u64 inserted = mask(doubleword_mask_bound(insn), 63 - shift);
  const u64 rotated = rotate_doubleword(gpr_rs(cpu, insn), shift);
  return write_result(cpu, insn, (rotated & inserted) | (cpu.state.gpr[insn.ra] & ~inserted));
}

Flow rldcl(Cpu& cpu, const DecodedInsn& insn) {
  const u64 rotated = rotate_doubleword(gpr_rs(cpu, insn), gpr_rb(cpu, insn) & 0x3f);
  return write_result(cpu, insn, rotated & mask(doubleword_mask_bound(insn), 63));
}

Flow rldcr(Cpu& cpu, const DecodedInsn& insn) {
  const u64 rotated = rotate_doubleword(gpr_rs(cpu, insn), gpr_rb(cpu, insn) & 0x3f);
  return write_result(cpu, insn, rotated & mask(0, doubleword_mask_bound(insn)));
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
  return shift_right_algebraic(cpu, insn, static_cast<i64>(gpr_rs(cpu, insn)), 64, doubleword_shift(insn));
}

}  // namespace

void register_rotate_shift_instructions(DecodeTable& table) {
  table.primary(21, on_registers<&rlwinm>);
  table.primary(23, on_registers<&rlwnm>);
  table.primary(20, on_registers<&rlwimi>);

  // MD-form extended opcodes are bits 27:29; the table's bit 30 is sh5.
  constexpr unsigned kRldicl = 0, kRldicr = 1, kRldic = 2, kRldimi = 3;
  for (unsigned sh5 = 0; sh5 < 2; ++sh5) {
    table.op30((kRldicl << 1) | sh5, on_registers<&rldicl>);
    table.op30((kRldicr << 1) | sh5, on_registers<&rldicr>);
    table.op30((kRldic << 1) | sh5, on_registers<&rldic>);
    table.op30((kRldimi << 1) | sh5, on_registers<&rldimi>);
  }
  // MDS-form extended opcodes are bits 27:30.
  table.op30(8, on_registers<&rldcl>);
  table.op30(9, on_registers<&rldcr>);

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
