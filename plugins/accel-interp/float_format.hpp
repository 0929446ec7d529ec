// What the scalar floating-point handlers share (Power ISA 2.07 Book I
// chapter 4): the FPSCR layout, classification of a result into FPRF, the
// host's rounding mode and exception flags around one operation, and the
// common tail that writes FRT, updates FPSCR, records CR1 and raises an
// enabled exception.
#pragma once

#include <array>
#include <bit>
#include <cfenv>
#include <cmath>
#include <cstdint>
#include <type_traits>

#include "cpu.hpp"
#include "decoder.hpp"
#include "insn_common.hpp"

namespace mosaic::interp::fp {

using u64 = std::uint64_t;
using u32 = std::uint32_t;

// FPSCR bits (Book I 4.2.2) by their number k in the low word, which the
// ISA calls bit 32+k of the 64-bit FPSCR.
constexpr u64 fpscr_bit(unsigned k) { return u64{1} << (31 - k); }
inline constexpr u64 kFx = fpscr_bit(0), kFex = fpscr_bit(1), kVx = fpscr_bit(2), kOx = fpscr_bit(3),
                     kUx = fpscr_bit(4), kZx = fpscr_bit(5), kXx = fpscr_bit(6), kVxSnan = fpscr_bit(7),
                     kVxIsi = fpscr_bit(8), kVxIdi = fpscr_bit(9), kVxZdz = fpscr_bit(10), kVxImz = fpscr_bit(11),
                     kVxVc = fpscr_bit(12), kFr = fpscr_bit(13), kFi = fpscr_bit(14), kVxSoft = fpscr_bit(21),
                     kVxSqrt = fpscr_bit(22), kVxCvi = fpscr_bit(23), kVe = fpscr_bit(24), kOe = fpscr_bit(25),
                     kUe = fpscr_bit(26), kZe = fpscr_bit(27), kXe = fpscr_bit(28);
// FPRF is bits 15:19 (C, then FPCC = FL FG FE FU); RN is bits 30:31.
inline constexpr unsigned kFprfShift = 12;
inline constexpr u64 kFprfMask = u64{0x1f} << kFprfShift;
inline constexpr u64 kFpccMask = u64{0xf} << kFprfShift;
inline constexpr u64 kRoundingMask = 3;
inline constexpr u64 kAllInvalid =
    kVxSnan | kVxIsi | kVxIdi | kVxZdz | kVxImz | kVxVc | kVxSoft | kVxSqrt | kVxCvi;
// The sticky exception bits: any of them going from 0 to 1 sets FX.
inline constexpr u64 kExceptionBits = kOx | kUx | kZx | kXx | kAllInvalid;
// VE, OE, UE, ZE, XE sit 22 bits below VX, OX, UX, ZX, XX.
inline constexpr unsigned kEnableToException = 22;

// MSR[FE0] and MSR[FE1] (Book III 4.2.1): both 0 means enabled exceptions
// only set FEX.
inline constexpr u64 kMsrFe0 = u64{1} << 11, kMsrFe1 = u64{1} << 8;

inline constexpr u64 kSign = u64{1} << 63;
inline constexpr u64 kQuietBit = u64{1} << 51;
inline constexpr u64 kDefaultNan = 0x7ff8000000000000ull;
// Fraction bits a double carries beyond a single's 23.
inline constexpr u64 kBeyondSingle = (u64{1} << 29) - 1;

inline double as_double(u64 value) { return std::bit_cast<double>(value); }
inline u64 as_bits(double value) { return std::bit_cast<u64>(value); }
inline bool is_nan(u64 value) { return (value & ~kSign) > 0x7ff0000000000000ull; }
inline bool is_snan(u64 value) { return is_nan(value) && !(value & kQuietBit); }
inline bool is_infinity(u64 value) { return (value & ~kSign) == 0x7ff0000000000000ull; }
inline bool is_zero(u64 value) { return (value & ~kSign) == 0; }
inline bool is_negative(u64 value) { return value & kSign; }

// Single to double format, bit for bit, without quieting signalling NaNs
// (Book I 4.6.2 "Floating-Point Load Single": DOUBLE(WORD)).
inline u64 single_to_double(u32 word) {
  const u64 sign = u64{word >> 31} << 63;
  const u32 exponent = (word >> 23) & 0xff;
  const u32 fraction = word & 0x7fffff;
  if (exponent == 0 && fraction != 0) {
    // Denormal: normalise it into the wider exponent range.
    int unbiased = -126;
    u64 mantissa = fraction;
    while (!(mantissa & 0x800000)) {
      mantissa <<= 1;
      --unbiased;
    }
    return sign | (static_cast<u64>(unbiased + 1023) << 52) | ((mantissa & 0x7fffff) << 29);
  }
  // Normal, zero, infinity and NaN: FRT[0:1] = WORD[0:1], FRT[2:4] copies
  // the complement of WORD[1] for normals and WORD[1] itself otherwise.
  const u64 word_bit1 = (word >> 30) & 1;
  const bool normal = exponent != 0 && exponent != 0xff;
  const u64 fill = normal ? (word_bit1 ^ 1) : word_bit1;
  return sign | (word_bit1 << 62) | (fill * (u64{7} << 59)) | (u64{word & 0x3fffffff} << 29);
}

// Double to single format by truncation (Book I 4.6.3 "Floating-Point Store
// Single": SINGLE(FRS)), denormalising values below the single range.
inline u32 double_to_single(u64 bits_of_double) {
  const u32 exponent = (bits_of_double >> 52) & 0x7ff;
  constexpr u32 kSmallestNormalSingle = 1023 - 126;  // 897
  if (exponent >= kSmallestNormalSingle || (bits_of_double << 1) == 0 || exponent == 0x7ff) {
    return static_cast<u32>(((bits_of_double >> 62) << 30) | ((bits_of_double >> 29) & 0x3fffffff));
  }
  const auto sign = static_cast<u32>(bits_of_double >> 63) << 31;
  const u64 mantissa = (u64{1} << 52) | (bits_of_double & ((u64{1} << 52) - 1));
  // Exponents below -149 (and denormal doubles) are shifted out entirely.
  const unsigned shift = kSmallestNormalSingle - exponent;
  const u64 denormalised = shift < 64 ? mantissa >> shift : 0;
  return sign | static_cast<u32>((denormalised >> 29) & 0x7fffff);
}

enum class Precision { double_format, single_format };

// FPRF (Book I 4.2.2, Figure 47) of a result; single-precision results
// are denormal below the single format's normal range.
inline u64 result_flags(u64 value, Precision precision) {
  const bool negative = is_negative(value);
  if (is_nan(value)) return 0x11;
  if (is_infinity(value)) return negative ? 0x09 : 0x05;
  if (is_zero(value)) return negative ? 0x12 : 0x02;
  const bool denormal = precision == Precision::single_format ? std::fabs(as_double(value)) < 0x1p-126
                                                              : (value & 0x7ff0000000000000ull) == 0;
  if (denormal) return negative ? 0x18 : 0x14;
  return negative ? 0x08 : 0x04;
}

// The host rounding mode for FPSCR[RN].
inline int host_rounding(u64 fpscr) {
  static constexpr int kModes[4] = {FE_TONEAREST, FE_TOWARDZERO, FE_UPWARD, FE_DOWNWARD};
  return kModes[fpscr & kRoundingMask];
}

// Keeps the compiler from moving an operand or a result across the
// fesetround / fetestexcept calls: without -frounding-math it treats
// floating-point arithmetic as free of side effects.
template <class T>
inline void pin(T& value) {
  asm volatile("" : "+m"(value) : : "memory");
}

// op(args...) evaluated in host rounding mode `mode`; `flags` receives the
// host exceptions it raised. The host runs in round-to-nearest otherwise.
template <class Op, class... Args>
auto evaluate(int mode, int& flags, Op op, Args... args) {
  std::fesetround(mode);
  std::feclearexcept(FE_ALL_EXCEPT);
  (pin(args), ...);
  auto result = op(args...);
  pin(result);
  flags = std::fetestexcept(FE_ALL_EXCEPT);
  std::fesetround(FE_TONEAREST);
  return result;
}

// FPSCR exception bits from host flags.
inline u64 host_exceptions(int flags) {
  return (flags & FE_OVERFLOW ? kOx : 0) | (flags & FE_UNDERFLOW ? kUx : 0) | (flags & FE_DIVBYZERO ? kZx : 0) |
         (flags & FE_INEXACT ? kXx : 0);
}

// What one instruction produced: the FRT value, the exception bits it sets,
// and FR / FI.
struct Outcome {
  u64 result = 0;
  u64 raised = 0;
  bool fraction_rounded = false;
  bool inexact = false;
};

// NaN operands in the ISA's precedence (frA, then frB, then frC, Book I
// 4.3.2): the first one, quieted, is the result; any SNaN raises VXSNAN.
// A single-precision result keeps only the fraction bits a single holds.
template <class... Operands>
bool propagate_nan(Outcome& out, Precision precision, Operands... operands) {
  bool found = false;
  for (const u64 operand : {operands...}) {
    if (!is_nan(operand)) continue;
    if (is_snan(operand)) out.raised |= kVxSnan;
    if (!found) out.result = operand | kQuietBit;
    found = true;
  }
  if (found && precision == Precision::single_format) out.result &= ~kBeyondSingle;
  return found;
}

// An invalid operation without NaN operands gives the default QNaN.
inline Outcome invalid(u64 cause) { return Outcome{kDefaultNan, cause}; }

// op(x, y, z) rounded to `precision` in FPSCR[RN], with OX/UX/ZX/XX and
// FR/FI. A single-precision result is rounded once: the double-precision
// value is computed toward zero with the inexactness kept in its lowest
// bit (round to odd), which then rounds to single exactly as the
// infinitely precise value would, 53 bits being more than 24 + 2.
template <Precision P, class Op>
Outcome round_arithmetic(u64 fpscr, Op op, double x, double y = 0, double z = 0) {
  const int mode = host_rounding(fpscr);
  Outcome out;
  int flags = 0;
  double result = 0;
  double truncated = 0;
  if constexpr (P == Precision::double_format) {
    result = evaluate(mode, flags, op, x, y, z);
    if (flags & FE_INEXACT) {
      int ignored = 0;
      truncated = evaluate(FE_TOWARDZERO, ignored, op, x, y, z);
    }
  } else {
    int wide_flags = 0;
    double wide = evaluate(FE_TOWARDZERO, wide_flags, op, x, y, z);
    if (wide_flags & FE_INEXACT) wide = as_double(as_bits(wide) | 1);
    const auto narrow = [](double value) { return static_cast<double>(static_cast<float>(value)); };
    result = evaluate(mode, flags, narrow, wide);
    flags |= wide_flags & (FE_DIVBYZERO | FE_INEXACT);
    if (flags & FE_INEXACT) {
      int ignored = 0;
      truncated = evaluate(FE_TOWARDZERO, ignored, narrow, wide);
    }
  }
  out.result = as_bits(result);
  out.inexact = flags & FE_INEXACT;
  if (!out.inexact) truncated = result;
  out.fraction_rounded = out.inexact && (as_bits(result) & ~kSign) != (as_bits(truncated) & ~kSign);
  // The ISA detects tininess before rounding (Book I 4.4.4), the host
  // after: the value truncated is below the smallest normal exactly when
  // the unrounded one is. Disabled, underflow also needs inexactness.
  const double smallest_normal = P == Precision::single_format ? 0x1p-126 : 0x1p-1022;
  const bool tiny = std::fabs(truncated) < smallest_normal && (truncated != 0 || out.inexact);
  out.raised = host_exceptions(flags & ~FE_UNDERFLOW);
  if (tiny && (out.inexact || (fpscr & kUe))) out.raised |= kUx;
  return out;
}

inline bool available(const Cpu& cpu) { return cpu.state.msr & ppc::msr::kFloatingPoint; }
inline Flow unavailable(Cpu& cpu) { return cpu.interrupt(Vector::fp_unavailable, cpu.state.nip); }

// Sets `raised` in FPSCR, and FX if any of them was 0.
inline void raise(u64& fpscr, u64 raised) {
  if (raised & ~fpscr & kExceptionBits) fpscr |= kFx;
  fpscr |= raised;
}

// The exception bits whose enable bit is set.
inline u64 enabled_exceptions(u64 fpscr) {
  const u64 summary = (fpscr & kAllInvalid) ? (fpscr | kVx) : fpscr;
  return summary & ((fpscr & (kVe | kOe | kUe | kZe | kXe)) << kEnableToException);
}

// Recomputes the summary bits VX and FEX, which are never set directly.
inline void update_summaries(u64& fpscr) {
  fpscr &= ~(kVx | kFex);
  if (fpscr & kAllInvalid) fpscr |= kVx;
  if (enabled_exceptions(fpscr)) fpscr |= kFex;
}

inline bool exceptions_trap(const Cpu& cpu) { return cpu.state.msr & (kMsrFe0 | kMsrFe1); }

// The tail of every instruction that alters FPSCR: summaries, CR1 when
// `record` (FX, FEX, VX, OX), and the program interrupt when `trap`. VSX
// instructions have no Rc that records into CR1.
inline Flow finish(Cpu& cpu, bool record, bool trap) {
  update_summaries(cpu.state.fpscr);
  if (record) cpu.state.set_cr_field(1, static_cast<std::uint32_t>(cpu.state.fpscr >> 28));
  if (trap && exceptions_trap(cpu)) return cpu.program_interrupt(program_cause::kFloatingPoint);
  return Flow::next;
}
inline Flow finish(Cpu& cpu, const DecodedInsn& insn, bool trap) { return finish(cpu, insn.record, trap); }

// Whether any of `raised` is enabled in FPSCR.
inline bool any_enabled(u64 fpscr, u64 raised) {
  const u64 enables = (fpscr & (kVe | kOe | kUe | kZe | kXe)) << kEnableToException;
  const u64 raised_summary = (raised & kAllInvalid) ? (raised | kVx) : raised;
  return (raised_summary & enables) != 0;
}

// What FPRF becomes: the result's class, or left alone (integer results).
enum class Classify { none, double_format, single_format };

// Records an arithmetic outcome in FPSCR (Book I 4.4) and says whether the
// result is delivered: an enabled invalid-operation or zero-divide
// exception leaves the target and FPRF unchanged; FR and FI are cleared
// whenever no rounded result is delivered.
inline bool record_outcome(u64& fpscr, const Outcome& out, Classify classify) {
  const bool suppressed = ((out.raised & kAllInvalid) && (fpscr & kVe)) || ((out.raised & kZx) && (fpscr & kZe));
  raise(fpscr, out.raised);
  fpscr &= ~(kFr | kFi);
  if (suppressed) return false;
  if (out.inexact) fpscr |= kFi;
  if (out.fraction_rounded) fpscr |= kFr;
  if (classify != Classify::none) {
    const auto precision =
        classify == Classify::single_format ? Precision::single_format : Precision::double_format;
    fpscr = (fpscr & ~kFprfMask) | (result_flags(out.result, precision) << kFprfShift);
  }
  return true;
}

// Writes an arithmetic outcome to FRT.
inline Flow commit(Cpu& cpu, const DecodedInsn& insn, const Outcome& out, Classify classify) {
  if (record_outcome(cpu.state.fpscr, out, classify)) cpu.state.fpr[insn.rt] = out.result;
  return finish(cpu, insn, any_enabled(cpu.state.fpscr, out.raised));
}

// --- The VSX floating-point instructions (Book I chapter 7) share these
// with their FPU counterparts' machinery above. ---
namespace vsx {

// Operand fields (XX2 / XX3: TX in bit 31, BX in bit 30, AX in bit 29)
// and the facility check, as in insn_vsx.cpp.
inline unsigned xt(const DecodedInsn& insn) { return insn.rt | (bits(insn.word, 31, 31) << 5); }
inline unsigned xa(const DecodedInsn& insn) { return insn.ra | (bits(insn.word, 29, 29) << 5); }
inline unsigned xb(const DecodedInsn& insn) { return insn.rb | (bits(insn.word, 30, 30) << 5); }

inline bool vsx_available(const Cpu& cpu) { return cpu.state.msr & msr_bit::kVsx; }
inline Flow vsx_unavailable(Cpu& cpu) { return cpu.interrupt(Vector::vsx_unavailable, cpu.state.nip); }

// Element views: a quadword as two doubles or four singles (word 0 the
// most significant), each element held as double-format bits.

using Lanes2 = std::array<u64, 2>;
using Lanes4 = std::array<u64, 4>;

template <Precision P>
using Lanes = std::conditional_t<P == Precision::double_format, Lanes2, Lanes4>;

template <Precision P>
inline Lanes<P> unpack(const Quadword& q) {
  if constexpr (P == Precision::double_format) {
    return {q[0], q[1]};
  } else {
    return {single_to_double(static_cast<u32>(q[0] >> 32)), single_to_double(static_cast<u32>(q[0])),
            single_to_double(static_cast<u32>(q[1] >> 32)), single_to_double(static_cast<u32>(q[1]))};
  }
}

template <Precision P>
inline Quadword pack(const Lanes<P>& lanes) {
  if constexpr (P == Precision::double_format) {
    return {lanes[0], lanes[1]};
  } else {
    const auto word = [&](unsigned i) { return u64{double_to_single(lanes[i])}; };
    return {(word(0) << 32) | word(1), (word(2) << 32) | word(3)};
  }
}

// Word 2i of a quadword, the element the doubleword <-> word conversions
// read or write for doubleword i.
inline u32 even_word(const Quadword& q, unsigned i) { return static_cast<u32>(q[i] >> 32); }
inline Quadword from_even_words(u32 first, u32 second) { return {u64{first} << 32, u64{second} << 32}; }

// A scalar result into doubleword 0 of VSR[XT], through the FPU's rules.
inline Flow commit_scalar(Cpu& cpu, const DecodedInsn& insn, const Outcome& out, Classify classify) {
  if (record_outcome(cpu.state.fpscr, out, classify)) cpu.state.set_vsr(xt(insn), {out.result, 0});
  return finish(cpu, false, any_enabled(cpu.state.fpscr, out.raised));
}

// A vector result: the exceptions of every element, and the target
// written only if none of them is enabled.
inline Flow commit_vector(Cpu& cpu, const DecodedInsn& insn, const Quadword& result, u64 raised) {
  raise(cpu.state.fpscr, raised);
  const bool enabled = any_enabled(cpu.state.fpscr, raised);
  if (!enabled) cpu.state.set_vsr(xt(insn), result);
  return finish(cpu, false, enabled);
}

}  // namespace vsx

// Registration of the conversion and rounding instructions
// (insn_float_convert.cpp).
void register_float_convert_instructions(DecodeTable& table);
// The VSX conversion and rounding instructions (insn_vsx_float_convert.cpp).
void register_vsx_float_convert_instructions(DecodeTable& table);

}  // namespace mosaic::interp::fp
