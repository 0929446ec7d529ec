// Floating-point arithmetic, multiply-add, select, compare, move and FPSCR
// instructions (Power ISA 2.07 Book I 4.6.5 - 4.6.10, except the
// conversions in insn_float_convert.cpp). FPRs hold IEEE double bits; the
// host computes, in the rounding mode FPSCR[RN] selects, and its exception
// flags give OX/UX/ZX/XX. Invalid operations are recognised from the
// operands, since the host's single invalid flag cannot tell them apart.
#include <cmath>
#include <cstdint>

#include "cpu.hpp"
#include "float_format.hpp"
#include "insn_groups.hpp"

namespace mosaic::interp {

namespace {

using namespace fp;

// A-form FRC (bits 21:25).
unsigned frc(const DecodedInsn& insn) { return bits(insn.word, 21, 25); }

template <Arith Kind, Precision P>
Flow arithmetic(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  const auto& fpr = cpu.state.fpr;
  const u64 a = fpr[insn.ra], b = fpr[insn.rb], c = fpr[frc(insn)];
  // Operands in operation order: (A, B), (A, C), (B) or (A, C, B).
  u64 x = a, y = b, z = 0;
  if constexpr (Kind == Arith::mul || fused(Kind)) y = c;
  if constexpr (fused(Kind)) z = b;
  if constexpr (Kind == Arith::sqrt || estimate(Kind)) x = b;

  Outcome out;
  bool has_nan = false;
  if constexpr (fused(Kind)) {
    has_nan = propagate_nan(out, P, a, b, c);
    // infinity x 0 is invalid even when the addend is a NaN.
    if (has_nan && !is_nan(a) && !is_nan(c) && ((is_zero(a) && is_infinity(c)) || (is_infinity(a) && is_zero(c)))) {
      out.raised |= kVxImz;
    }
  }
  else if constexpr (Kind == Arith::mul) has_nan = propagate_nan(out, P, a, c);
  else if constexpr (Kind == Arith::sqrt || estimate(Kind)) has_nan = propagate_nan(out, P, b);
  else has_nan = propagate_nan(out, P, a, b);

  if (!has_nan) {
    if (const u64 cause = invalid_cause<Kind>(x, y, z)) {
      out = invalid(cause);
    } else {
      out = round_operation<Kind, P>(cpu.state.fpscr, as_double(x), as_double(y), as_double(z));
      // fnmadd / fnmsub negate the rounded result; NaNs keep their sign.
      if constexpr (Kind == Arith::nmadd || Kind == Arith::nmsub) out.result ^= kSign;
      // An estimate's XX, FR and FI are undefined: none is reported.
      if constexpr (estimate(Kind)) {
        out.raised &= ~kXx;
        out.inexact = out.fraction_rounded = false;
      }
    }
  }
  return commit(cpu, insn, out,
                P == Precision::single_format ? Classify::single_format : Classify::double_format);
}

// Instructions that change no FPSCR bit still copy it to CR1 when Rc=1.
Flow finish_quiet(Cpu& cpu, const DecodedInsn& insn) {
  if (insn.record) cpu.state.set_cr_field(1, static_cast<std::uint32_t>(cpu.state.fpscr >> 28));
  return Flow::next;
}

// fsel: FRT = frA >= 0 ? frC : frB, with NaN frA choosing frB.
Flow fsel(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  auto& fpr = cpu.state.fpr;
  const u64 a = fpr[insn.ra];
  const bool select_c = !is_nan(a) && (is_zero(a) || !is_negative(a));
  fpr[insn.rt] = select_c ? fpr[frc(insn)] : fpr[insn.rb];
  return finish_quiet(cpu, insn);
}

// --- Moves (Book I 4.6.5): bit operations that never trap on NaNs. ---

enum class SignOp { copy, negate, clear, set, from_a };

template <SignOp Op>
Flow move(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  auto& fpr = cpu.state.fpr;
  const u64 b = fpr[insn.rb];
  u64 result = b;
  if constexpr (Op == SignOp::negate) result = b ^ kSign;
  else if constexpr (Op == SignOp::clear) result = b & ~kSign;
  else if constexpr (Op == SignOp::set) result = b | kSign;
  else if constexpr (Op == SignOp::from_a) result = (b & ~kSign) | (fpr[insn.ra] & kSign);
  fpr[insn.rt] = result;
  return finish_quiet(cpu, insn);
}

// fmrgew / fmrgow (Book I 4.6.5): the even (high) or odd (low) words of
// frA and frB side by side; no FPSCR change, no record form.
template <bool Odd>
Flow merge_words(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  auto& fpr = cpu.state.fpr;
  const u64 a = fpr[insn.ra], b = fpr[insn.rb];
  fpr[insn.rt] = Odd ? (a << 32) | (b & 0xffffffffull) : (a & ~0xffffffffull) | (b >> 32);
  return Flow::next;
}

// --- Compares (Book I 4.6.8). ---

template <bool Ordered>
Flow compare(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  const u64 a = cpu.state.fpr[insn.ra], b = cpu.state.fpr[insn.rb];
  u64& fpscr = cpu.state.fpscr;
  std::uint32_t field = 0;
  u64 raised = 0;
  if (is_nan(a) || is_nan(b)) {
    field = cr_bit::kSummaryOverflow;  // FU
    const bool signalling = is_snan(a) || is_snan(b);
    if (signalling) raised |= kVxSnan;
    // fcmpo: a QNaN is invalid too; an SNaN only when VXSNAN cannot trap.
    if (Ordered && (!signalling || !(fpscr & kVe))) raised |= kVxVc;
  } else {
    const double x = as_double(a), y = as_double(b);
    field = x < y ? cr_bit::kLess : x > y ? cr_bit::kGreater : cr_bit::kEqual;
  }
  cpu.state.set_cr_field(insn.rt >> 2, field);
  fpscr = (fpscr & ~kFpccMask) | (u64{field} << kFprfShift);
  raise(fpscr, raised);
  return finish(cpu, insn, (raised != 0) && (fpscr & kVe));
}

Flow ftdiv(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  cpu.state.set_cr_field(insn.rt >> 2, divide_test(cpu.state.fpr[insn.ra], cpu.state.fpr[insn.rb]));
  return Flow::next;
}

Flow ftsqrt(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  cpu.state.set_cr_field(insn.rt >> 2, square_root_test(cpu.state.fpr[insn.rb]));
  return Flow::next;
}

// --- FPSCR instructions (Book I 4.6.10). ---

// Writing FPSCR bits through mtfsf, mtfsfi or mtfsb1 interrupts when it
// turns FEX on with MSR[FE0,FE1] nonzero.
Flow finish_fpscr_write(Cpu& cpu, const DecodedInsn& insn, u64 before) {
  update_summaries(cpu.state.fpscr);
  return finish(cpu, insn, !(before & kFex) && (cpu.state.fpscr & kFex));
}

Flow mffs(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  cpu.state.fpr[insn.rt] = cpu.state.fpscr;
  return finish_quiet(cpu, insn);
}

// mcrfs BF,BFA: copies FPSCR field BFA (of the low word) to CR[BF] and
// clears the exception bits it copied.
Flow mcrfs(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  u64& fpscr = cpu.state.fpscr;
  const unsigned shift = 28 - 4 * (insn.ra >> 2);
  cpu.state.set_cr_field(insn.rt >> 2, static_cast<std::uint32_t>(fpscr >> shift) & 0xf);
  fpscr &= ~((u64{0xf} << shift) & (kExceptionBits | kFx));
  update_summaries(fpscr);
  return Flow::next;
}

// FPSCR field `field` of 16 (0 = bits 0:3 of the 64-bit register).
u64 field_mask(unsigned field) { return u64{0xf} << (60 - 4 * field); }

// mtfsf FLM,FRB,L,W: L=1 writes all of FPSCR, otherwise each field FLM
// selects, in the low word (W=0) or the high word (W=1).
Flow mtfsf(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  const u64 value = cpu.state.fpr[insn.rb];
  const u64 before = cpu.state.fpscr;
  u64 mask = ~u64{0};
  if (!bits(insn.word, 6, 6)) {
    const unsigned flm = bits(insn.word, 7, 14);
    const unsigned base = bits(insn.word, 15, 15) ? 0 : 8;
    mask = 0;
    for (unsigned i = 0; i < 8; ++i) {
      if (flm & (0x80u >> i)) mask |= field_mask(base + i);
    }
  }
  cpu.state.fpscr = (before & ~mask) | (value & mask);
  return finish_fpscr_write(cpu, insn, before);
}

// mtfsfi BF,U,W.
Flow mtfsfi(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  const unsigned field = (insn.rt >> 2) + (bits(insn.word, 15, 15) ? 0 : 8);
  const u64 value = u64{bits(insn.word, 16, 19)} << (60 - 4 * field);
  const u64 before = cpu.state.fpscr;
  cpu.state.fpscr = (before & ~field_mask(field)) | value;
  return finish_fpscr_write(cpu, insn, before);
}

// mtfsb0 / mtfsb1 BT: bit 32+BT. Setting an exception bit that was 0 also
// sets FX.
template <bool Set>
Flow mtfsb(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  const u64 bit = fpscr_bit(insn.rt);
  const u64 before = cpu.state.fpscr;
  if (Set) raise(cpu.state.fpscr, bit);
  else cpu.state.fpscr &= ~bit;
  return finish_fpscr_write(cpu, insn, before);
}

}  // namespace

void register_float_instructions(DecodeTable& table) {
  using enum Arith;
  constexpr auto D = Precision::double_format;
  constexpr auto S = Precision::single_format;
  table.op63_a_form(18, chain<&arithmetic<div, D>>);              // fdiv
  table.op63_a_form(20, chain<&arithmetic<sub, D>>);              // fsub
  table.op63_a_form(21, chain<&arithmetic<add, D>>);              // fadd
  table.op63_a_form(22, chain<&arithmetic<sqrt, D>>);             // fsqrt
  table.op63_a_form(23, chain<&fsel>);                            // fsel
  table.op63_a_form(24, chain<&arithmetic<reciprocal, D>>);       // fre
  table.op63_a_form(25, chain<&arithmetic<mul, D>>);              // fmul
  table.op63_a_form(26, chain<&arithmetic<reciprocal_sqrt, D>>);  // frsqrte
  table.op63_a_form(28, chain<&arithmetic<msub, D>>);             // fmsub
  table.op63_a_form(29, chain<&arithmetic<madd, D>>);             // fmadd
  table.op63_a_form(30, chain<&arithmetic<nmsub, D>>);            // fnmsub
  table.op63_a_form(31, chain<&arithmetic<nmadd, D>>);            // fnmadd
  table.op59_a_form(18, chain<&arithmetic<div, S>>);              // fdivs
  table.op59_a_form(20, chain<&arithmetic<sub, S>>);              // fsubs
  table.op59_a_form(21, chain<&arithmetic<add, S>>);              // fadds
  table.op59_a_form(22, chain<&arithmetic<sqrt, S>>);             // fsqrts
  table.op59_a_form(24, chain<&arithmetic<reciprocal, S>>);       // fres
  table.op59_a_form(25, chain<&arithmetic<mul, S>>);              // fmuls
  table.op59_a_form(26, chain<&arithmetic<reciprocal_sqrt, S>>);  // frsqrtes
  table.op59_a_form(28, chain<&arithmetic<msub, S>>);             // fmsubs
  table.op59_a_form(29, chain<&arithmetic<madd, S>>);             // fmadds
  table.op59_a_form(30, chain<&arithmetic<nmsub, S>>);            // fnmsubs
  table.op59_a_form(31, chain<&arithmetic<nmadd, S>>);            // fnmadds

  table.op63(72, chain<&move<SignOp::copy>>);      // fmr
  table.op63(40, chain<&move<SignOp::negate>>);    // fneg
  table.op63(264, chain<&move<SignOp::clear>>);    // fabs
  table.op63(136, chain<&move<SignOp::set>>);      // fnabs
  table.op63(8, chain<&move<SignOp::from_a>>);     // fcpsgn
  table.op63(966, chain<&merge_words<false>>);     // fmrgew
  table.op63(838, chain<&merge_words<true>>);      // fmrgow
  table.op63(0, chain<&compare<false>>);           // fcmpu
  table.op63(32, chain<&compare<true>>);           // fcmpo
  table.op63(128, chain<&ftdiv>);                  // ftdiv
  table.op63(160, chain<&ftsqrt>);                 // ftsqrt
  table.op63(583, chain<&mffs>);                   // mffs
  table.op63(64, chain<&mcrfs>);                   // mcrfs
  table.op63(711, chain<&mtfsf>);                  // mtfsf
  table.op63(134, chain<&mtfsfi>);                 // mtfsfi
  table.op63(70, chain<&mtfsb<false>>);            // mtfsb0
  table.op63(38, chain<&mtfsb<true>>);             // mtfsb1
  fp::register_float_convert_instructions(table);
}

}  // namespace mosaic::interp
