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

// The arithmetic operations of the FPU and VSX instructions.
enum class Arith { add, sub, mul, div, sqrt, reciprocal, reciprocal_sqrt, madd, msub, nmadd, nmsub };

constexpr bool fused(Arith kind) {
  return kind == Arith::madd || kind == Arith::msub || kind == Arith::nmadd || kind == Arith::nmsub;
}
constexpr bool estimate(Arith kind) { return kind == Arith::reciprocal || kind == Arith::reciprocal_sqrt; }

inline bool infinity_times_zero(u64 x, u64 y) {
  return (is_zero(x) && is_infinity(y)) || (is_infinity(x) && is_zero(y));
}

// The invalid-operation exception of x op y (fused: x * y + z), if any,
// for operands that are not NaNs (Book I 4.4.1; VSX 7.4.1 is the same).
template <Arith Kind>
u64 invalid_cause(u64 x, u64 y, u64 z) {
  const bool opposite = is_negative(x) != is_negative(y);
  if constexpr (Kind == Arith::add) return is_infinity(x) && is_infinity(y) && opposite ? kVxIsi : 0;
  else if constexpr (Kind == Arith::sub) return is_infinity(x) && is_infinity(y) && !opposite ? kVxIsi : 0;
  else if constexpr (Kind == Arith::mul) return infinity_times_zero(x, y) ? kVxImz : 0;
  else if constexpr (Kind == Arith::div) {
    if (is_infinity(x) && is_infinity(y)) return kVxIdi;
    return is_zero(x) && is_zero(y) ? kVxZdz : 0;
  } else if constexpr (Kind == Arith::sqrt || Kind == Arith::reciprocal_sqrt) {
    return is_negative(x) && !is_zero(x) ? kVxSqrt : 0;
  } else if constexpr (Kind == Arith::reciprocal) {
    return 0;
  } else {
    if (infinity_times_zero(x, y)) return kVxImz;
    const bool subtracts = Kind == Arith::msub || Kind == Arith::nmsub;
    const bool addend_negative = is_negative(z) != subtracts;
    return (is_infinity(x) || is_infinity(y)) && is_infinity(z) && (opposite != addend_negative) ? kVxIsi : 0;
  }
}

// The operation before any final negation; x, y, z are the operands in the
// order the operation takes them, fused forms computing x * y + z.
template <Arith Kind>
double operate(double x, double y, double z) {
  if constexpr (Kind == Arith::add) return x + y;
  else if constexpr (Kind == Arith::sub) return x - y;
  else if constexpr (Kind == Arith::mul) return x * y;
  else if constexpr (Kind == Arith::div) return x / y;
  else if constexpr (Kind == Arith::sqrt) return std::sqrt(x);
  else if constexpr (Kind == Arith::reciprocal) return 1.0 / x;
  else if constexpr (Kind == Arith::reciprocal_sqrt) return 1.0 / std::sqrt(x);
  else if constexpr (Kind == Arith::madd || Kind == Arith::nmadd) return std::fma(x, y, z);
  else return std::fma(x, y, -z);
}

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
// host exceptions it raised. The host runs in round-to-nearest otherwise,
// which the fast paths below rely on, so that mode needs no switch.
template <class Op, class... Args>
auto evaluate(int mode, int& flags, Op op, Args... args) {
  const bool switches = mode != FE_TONEAREST;
  if (switches) std::fesetround(mode);
  std::feclearexcept(FE_ALL_EXCEPT);
  (pin(args), ...);
  auto result = op(args...);
  pin(result);
  flags = std::fetestexcept(FE_ALL_EXCEPT);
  if (switches) std::fesetround(FE_TONEAREST);
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
  // The common case, no NaN at all, without the loop.
  if (!(is_nan(operands) || ...)) return false;
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
    // An exact zero sum is -0 when rounding toward -inf (Book I 4.3.6),
    // a sign the evaluation toward zero does not give.
    if (wide == 0 && !(wide_flags & FE_INEXACT)) wide = evaluate(mode, wide_flags, op, x, y, z);
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

// --- The fast path. Switching the host's rounding mode and reading its
// flags costs far more than the operation, and the slow path above needs
// a second evaluation for FR. In round-to-nearest, the host's own mode,
// an operation on normal operands whose result stays well inside the
// normal range is instead rounded by one host instruction, and its
// rounding error, computed exactly by error-free transformations, gives
// XX, FI and FR; such a result can neither overflow nor be tiny. Anything
// else (other modes, zeros, denormals, infinities, NaNs, extreme
// exponents) takes the slow path. ---

// Whether `value` is normal with an exponent within +-900. Operands and
// results in that range keep every nonzero intermediate of the error
// computations at least 2^-1010 in magnitude (their smallest grid is the
// product of two ulps) and far below overflow: the transformations are
// exact only without underflow and overflow.
inline bool in_fast_range(double value) {
  constexpr u64 kLowest = 1023 - 900, kSpan = 1800;
  return ((as_bits(value) >> 52) & 0x7ff) - kLowest <= kSpan;
}

// x + y - sum exactly, where sum = x + y rounded to nearest (Knuth's
// TwoSum, exact for any operands that do not overflow).
inline double sum_error(double x, double y, double sum) {
  const double y_part = sum - x;
  const double x_part = sum - y_part;
  return (x - x_part) + (y - y_part);
}

// x * y + z - fused rounded to nearest, correct in sign and in being zero
// (the ErrFma algorithm of Boldo and Muller, "Exact and approximated error
// of the FMA", 2011): x * y = p + pe and the sums below are error-free,
// and (b1 - fused) + b2 is exact, so the error is gamma + z1, of which
// the rounded sum keeps the sign.
inline double fused_error(double x, double y, double z, double fused) {
  double p = x * y;
  // A contracted p + a1 would no longer be the sum of p's own rounding.
  pin(p);
  const double pe = std::fma(x, y, -p);
  const double a1 = z + pe, z1 = sum_error(z, pe, a1);
  const double b1 = p + a1, b2 = sum_error(p, a1, b1);
  const double gamma = (b1 - fused) + b2;
  return gamma + z1;
}

// A value with the sign of (exact result - r), zero exactly when r is
// exact, for r = operate<Kind>(x, y, z) rounded to nearest.
template <Arith Kind>
double rounding_error(double x, double y, double z, double r) {
  if constexpr (Kind == Arith::add) return sum_error(x, y, r);
  else if constexpr (Kind == Arith::sub) return sum_error(x, -y, r);
  else if constexpr (Kind == Arith::mul) return std::fma(x, y, -r);
  else if constexpr (Kind == Arith::div) {
    // x / y - r = (x - r * y) / y, the remainder exact for a rounded quotient.
    const double remainder = std::fma(-r, y, x);
    return y < 0 ? -remainder : remainder;
  } else if constexpr (Kind == Arith::sqrt) {
    // sqrt(x) - r has the sign of x - r * r.
    return std::fma(-r, r, x);
  } else if constexpr (Kind == Arith::madd || Kind == Arith::nmadd) {
    return fused_error(x, y, z, r);
  } else {
    return fused_error(x, y, -z, r);
  }
}

// The outcome of a result `rounded` to nearest in double precision whose
// exact value exceeds it by `error` (in sign). A single-precision result
// is rounded again from the round-to-odd double, as round_arithmetic does,
// which the sign of the error gives without another evaluation. False when
// the single result leaves the fast range.
template <Precision P>
bool fast_outcome(double rounded, double error, Outcome& out) {
  bool inexact = error != 0;
  // The magnitude went up when the error points back toward zero.
  bool increased = inexact && std::signbit(error) != std::signbit(rounded);
  double result = rounded;
  if constexpr (P == Precision::single_format) {
    u64 odd = as_bits(rounded);
    // Truncate (the next double toward zero if rounding went up), then
    // keep the inexactness in the lowest bit.
    if (inexact) odd = (odd - (increased ? 1 : 0)) | 1;
    const double wide = as_double(odd);
    result = static_cast<float>(wide);
    // Normal singles, away from the extremes: no overflow, no tininess.
    constexpr u64 kLowest = 1023 - 125, kSpan = 126 + 125;
    if (((as_bits(result) >> 52) & 0x7ff) - kLowest > kSpan) return false;
    // A wide value with its lowest bit set is never a single.
    inexact = result != wide;
    increased = std::fabs(result) > std::fabs(wide);
  }
  out = Outcome{as_bits(result), inexact ? kXx : 0, increased, inexact};
  return true;
}

// operate<Kind>(x, y, z) rounded to `P` in FPSCR[RN], as round_arithmetic
// computes it, by the fast path when it applies. Estimates always take the
// slow path: their single-precision form rounds twice.
template <Arith Kind, Precision P>
Outcome round_operation(u64 fpscr, double x, double y, double z) {
  if constexpr (!estimate(Kind)) {
    const bool nearest = (fpscr & kRoundingMask) == 0;
    // A zero addend (a sum's first term, say) leaves the error terms exact.
    constexpr bool sum = Kind == Arith::add || Kind == Arith::sub;
    const auto addend_fits = [](double v) { return v == 0 || in_fast_range(v); };
    const bool fits = (sum ? addend_fits(x) && addend_fits(y)
                           : in_fast_range(x) && (Kind == Arith::sqrt || in_fast_range(y))) &&
                      (!fused(Kind) || (addend_fits(z) && in_fast_range(x * y)));
    if (nearest && fits) {
      const double r = operate<Kind>(x, y, z);
      Outcome out;
      if (in_fast_range(r) && fast_outcome<P>(r, rounding_error<Kind>(x, y, z, r), out)) return out;
    }
  }
  return round_arithmetic<P>(fpscr, &operate<Kind>, x, y, z);
}

inline double identity(double x, double, double) { return x; }

// A non-NaN double rounded to single precision in FPSCR[RN] (frsp,
// xscvdpsp): the exact value is the operand itself.
inline Outcome round_to_single(u64 fpscr, double x) {
  Outcome out;
  if ((fpscr & kRoundingMask) == 0 && in_fast_range(x) && fast_outcome<Precision::single_format>(x, 0, out)) {
    return out;
  }
  return round_arithmetic<Precision::single_format>(fpscr, &identity, x);
}

// A signed or unsigned doubleword converted to double or single precision
// in FPSCR[RN] (fcfid*, xscv*xd*, xvcv*xd*).
template <bool Signed, Precision P>
Outcome integer_to_float(u64 fpscr, u64 value) {
  const auto convert = [](u64 integer) {
    if constexpr (P == Precision::single_format) {
      return static_cast<double>(Signed ? static_cast<float>(static_cast<std::int64_t>(integer))
                                        : static_cast<float>(integer));
    } else {
      return Signed ? static_cast<double>(static_cast<std::int64_t>(integer)) : static_cast<double>(integer);
    }
  };
  // Integers of magnitude up to 2^digits convert exactly in every mode.
  constexpr unsigned kDigits = P == Precision::single_format ? 24 : 53;
  constexpr u64 kLimit = u64{1} << kDigits;
  if (Signed ? value + kLimit <= 2 * kLimit : value <= kLimit) return Outcome{as_bits(convert(value))};
  int flags = 0;
  const double result = evaluate(host_rounding(fpscr), flags, convert, value);
  Outcome out{as_bits(result), host_exceptions(flags)};
  out.inexact = flags & FE_INEXACT;
  if (out.inexact) {
    int ignored = 0;
    out.fraction_rounded = std::fabs(result) != std::fabs(evaluate(FE_TOWARDZERO, ignored, convert, value));
  }
  return out;
}

// ftdiv / ftsqrt and xstdivdp / xstsqrtdp (Book I 4.6.8): CR[BF] =
// 0b1 || fg || fe || 0b0, where fe says the quotient or root may need a
// software fix-up and fg that an operand is an infinity, zero or denormal.
inline int exponent_of(u64 value) { return static_cast<int>((value >> 52) & 0x7ff) - 1023; }
inline bool is_denormal(u64 value) { return (value & 0x7ff0000000000000ull) == 0 && !is_zero(value); }
inline std::uint32_t test_field(bool fg, bool fe) {
  return cr_bit::kLess | (fg ? cr_bit::kGreater : 0) | (fe ? cr_bit::kEqual : 0);
}
inline std::uint32_t divide_test(u64 a, u64 b) {
  const int ea = exponent_of(a), eb = exponent_of(b);
  bool fe = is_nan(a) || is_infinity(a) || is_zero(b) || is_nan(b) || is_infinity(b) || eb <= -1022 || eb >= 1021;
  if (!fe && !is_zero(a)) fe = ea - eb >= 1023 || ea - eb <= -1021 || ea <= -970;
  return test_field(is_infinity(a) || is_infinity(b) || is_zero(b) || is_denormal(b), fe);
}
inline std::uint32_t square_root_test(u64 b) {
  const bool fe = is_zero(b) || is_nan(b) || is_infinity(b) || is_negative(b) || exponent_of(b) <= -970;
  return test_field(is_zero(b) || is_infinity(b) || is_denormal(b), fe);
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
