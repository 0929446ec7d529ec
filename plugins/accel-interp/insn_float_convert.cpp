// Floating-point rounding and conversion instructions (Power ISA 2.07 Book
// I 4.6.6 and 4.6.7): frsp, fcti*, fcfid*, fri*.
#include <cmath>
#include <cstdint>

#include "chained_dispatch.hpp"
#include "cpu.hpp"
#include "float_format.hpp"

namespace mosaic::interp::fp {

namespace {

using i64 = std::int64_t;

// frsp: frB rounded to single precision in FPSCR[RN].
Flow frsp(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  const u64 b = cpu.state.fpr[insn.rb];
  Outcome out;
  if (!propagate_nan(out, Precision::single_format, b)) {
    out = round_to_single(cpu.state.fpscr, as_double(b));
  }
  return commit(cpu, insn, out, Classify::single_format);
}

// x rounded to an integral value in host rounding mode `mode`.
double round_integral(double x, int mode) {
  switch (mode) {
    case FE_TOWARDZERO: return std::trunc(x);
    case FE_UPWARD: return std::ceil(x);
    case FE_DOWNWARD: return std::floor(x);
    default: return std::nearbyint(x);  // the host runs in round-to-nearest-even
  }
}

// fctiw[u][z] / fctid[u][z]: frB rounded to an integer (toward zero for
// the z forms, else in FPSCR[RN]) of `Bits` bits. NaNs and values out of
// range saturate and raise VXCVI; FPRF is undefined and left unchanged.
// The word forms leave FRT[0:31] undefined: they hold the extended value.
template <unsigned Bits, bool Signed, bool TowardZero>
Flow convert_to_integer(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  const u64 b = cpu.state.fpr[insn.rb];
  const double lowest = Signed ? -std::ldexp(1.0, Bits - 1) : 0.0;
  const double beyond_highest = std::ldexp(1.0, Signed ? Bits - 1 : Bits);
  const u64 value_mask = Bits == 64 ? ~u64{0} : (u64{1} << Bits) - 1;
  const u64 most_negative = Signed ? u64{1} << (Bits - 1) : 0;
  const u64 most_positive = Signed ? most_negative - 1 : value_mask;
  // The signed word forms extend the sign of their word into FRT[0:31].
  const auto extend = [](u64 value) {
    return Signed && Bits == 32 ? static_cast<u64>(static_cast<i64>(static_cast<std::int32_t>(value))) : value;
  };

  Outcome out;
  if (is_nan(b)) {
    out.raised = kVxCvi | (is_snan(b) ? kVxSnan : 0);
    out.result = extend(most_negative);
  } else {
    const double x = as_double(b);
    const double rounded = round_integral(x, TowardZero ? FE_TOWARDZERO : host_rounding(cpu.state.fpscr));
    if (rounded < lowest) {
      out = Outcome{extend(most_negative), kVxCvi};
    } else if (rounded >= beyond_highest) {
      out = Outcome{extend(most_positive), kVxCvi};
    } else {
      const u64 value = Signed ? static_cast<u64>(static_cast<i64>(rounded)) : static_cast<u64>(rounded);
      out.result = extend(value & value_mask);
      out.inexact = rounded != x;
      out.fraction_rounded = std::fabs(rounded) > std::fabs(x);
      if (out.inexact) out.raised = kXx;
    }
  }
  return commit(cpu, insn, out, Classify::none);
}

// fcfid[u][s]: the signed or unsigned doubleword in frB converted to double
// or single precision in FPSCR[RN].
template <bool Signed, Precision P>
Flow convert_from_integer(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  const Outcome out = integer_to_float<Signed, P>(cpu.state.fpscr, cpu.state.fpr[insn.rb]);
  return commit(cpu, insn, out, P == Precision::single_format ? Classify::single_format : Classify::double_format);
}

// frin / friz / frip / frim: frB rounded to an integral value (nearest
// with ties away from zero, toward zero, up, down). Only an SNaN raises an
// exception; XX is unchanged and FR, FI are cleared.
template <double (*Round)(double)>
Flow round_to_integral(Cpu& cpu, const DecodedInsn& insn) {
  if (!available(cpu)) return unavailable(cpu);
  const u64 b = cpu.state.fpr[insn.rb];
  Outcome out;
  if (!propagate_nan(out, Precision::double_format, b)) out.result = as_bits(Round(as_double(b)));
  return commit(cpu, insn, out, Classify::double_format);
}

double round_half_away(double x) { return std::round(x); }
double round_toward_zero(double x) { return std::trunc(x); }
double round_up(double x) { return std::ceil(x); }
double round_down(double x) { return std::floor(x); }

}  // namespace

void register_float_convert_instructions(DecodeTable& table) {
  constexpr auto D = Precision::double_format;
  constexpr auto S = Precision::single_format;
  table.op63(12, chain<&frsp>);                                         // frsp
  table.op63(14, chain<&convert_to_integer<32, true, false>>);          // fctiw
  table.op63(15, chain<&convert_to_integer<32, true, true>>);           // fctiwz
  table.op63(142, chain<&convert_to_integer<32, false, false>>);        // fctiwu
  table.op63(143, chain<&convert_to_integer<32, false, true>>);         // fctiwuz
  table.op63(814, chain<&convert_to_integer<64, true, false>>);         // fctid
  table.op63(815, chain<&convert_to_integer<64, true, true>>);          // fctidz
  table.op63(942, chain<&convert_to_integer<64, false, false>>);        // fctidu
  table.op63(943, chain<&convert_to_integer<64, false, true>>);         // fctiduz
  table.op63(846, chain<&convert_from_integer<true, D>>);               // fcfid
  table.op63(974, chain<&convert_from_integer<false, D>>);              // fcfidu
  table.op59(846, chain<&convert_from_integer<true, S>>);               // fcfids
  table.op59(974, chain<&convert_from_integer<false, S>>);              // fcfidus
  table.op63(392, chain<&round_to_integral<&round_half_away>>);         // frin
  table.op63(424, chain<&round_to_integral<&round_toward_zero>>);       // friz
  table.op63(456, chain<&round_to_integral<&round_up>>);                // frip
  table.op63(488, chain<&round_to_integral<&round_down>>);              // frim
}

}  // namespace mosaic::interp::fp
