// VMX integer arithmetic, element shifts and rotates, compares, counts and
// single-precision floating point (Power ISA 2.07 Book I 6.9 - 6.10).
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "cpu.hpp"
#include "insn_common.hpp"
#include "insn_groups.hpp"
#include "vector_lanes.hpp"

namespace mosaic::interp {

namespace {

using u64 = std::uint64_t;
using u32 = std::uint32_t;
using u16 = std::uint16_t;
using u8 = std::uint8_t;
using i64 = std::int64_t;
using i32 = std::int32_t;
using i16 = std::int16_t;
using i8 = std::int8_t;

// Applies Op to each pair of elements of VRA and VRB. Op may saturate,
// which is why it sees the Cpu.
template <class T, auto Op>
Flow lanewise(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const auto a = stored_lanes<T>(cpu.state.vr[insn.ra]), b = stored_lanes<T>(cpu.state.vr[insn.rb]);
  LaneArray<T> result;
  for (std::size_t i = 0; i < result.size(); ++i) result[i] = Op(cpu, a[i], b[i]);
  store_lanes(cpu.state.vr[insn.rt], result);
  return Flow::next;
}

template <class T>
T add_modulo(Cpu&, T a, T b) { return static_cast<T>(a + b); }
template <class T>
T subtract_modulo(Cpu&, T a, T b) { return static_cast<T>(a - b); }
template <class T>
T add_saturate(Cpu& cpu, T a, T b) { return saturate<T>(cpu, static_cast<i64>(a) + static_cast<i64>(b)); }
template <class T>
T subtract_saturate(Cpu& cpu, T a, T b) { return saturate<T>(cpu, static_cast<i64>(a) - static_cast<i64>(b)); }
// vaddcuw / vsubcuw: the carry out of each word (for subtraction, 1 when
// there is no borrow).
u32 add_carry_out(Cpu&, u32 a, u32 b) { return (u64{a} + b) >> 32; }
u32 subtract_carry_out(Cpu&, u32 a, u32 b) { return a >= b ? 1 : 0; }
template <class T>
T maximum(Cpu&, T a, T b) { return a > b ? a : b; }
template <class T>
T minimum(Cpu&, T a, T b) { return a < b ? a : b; }
// vavg*: (a + b + 1) / 2 without losing the carry.
template <class T>
T average(Cpu&, T a, T b) { return static_cast<T>((static_cast<i64>(a) + static_cast<i64>(b) + 1) >> 1); }
u32 multiply_low_word(Cpu&, u32 a, u32 b) { return a * b; }

// Element shifts and rotates use the low log2(width) bits of VRB's element.
template <class T>
constexpr unsigned shift_amount(T b) { return static_cast<unsigned>(b) & (8 * sizeof(T) - 1); }
template <class T>
T shift_left(Cpu&, T a, T b) { return static_cast<T>(a << shift_amount(b)); }
template <class T>
T shift_right(Cpu&, T a, T b) { return static_cast<T>(a >> shift_amount(b)); }
template <class T>
T shift_right_algebraic(Cpu&, T a, T b) {
  using Signed = std::make_signed_t<T>;
  return static_cast<T>(static_cast<Signed>(a) >> shift_amount(b));
}
template <class T>
T rotate_left(Cpu&, T a, T b) { return std::rotl(a, static_cast<int>(shift_amount(b))); }

// --- Quadword add and subtract (vadduqm, vaddcuq, vaddeuqm, ...). ---

template <bool Subtract, bool CarryOut, bool Extended>
Flow quadword_add(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const u128 a = vra(cpu, insn);
  // a - b is a + ~b + 1: the carry-in is 1 unless an extended form says.
  const u128 b = Subtract ? ~vrb(cpu, insn) : vrb(cpu, insn);
  const unsigned carry_in = Extended ? static_cast<unsigned>(vrc(cpu, insn) & 1) : (Subtract ? 1 : 0);
  const u128 sum = a + b + carry_in;
  if constexpr (CarryOut) {
    set_vrt(cpu, insn, (sum < a || (sum == a && (b != 0 || carry_in != 0))) ? 1 : 0);
  } else {
    set_vrt(cpu, insn, sum);
  }
  return Flow::next;
}

// --- Multiplies (Book I 6.9.1): the even or odd elements, full width. ---

template <class T, bool Odd>
Flow multiply_even_odd(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  using Product = std::conditional_t<sizeof(T) == 1, std::conditional_t<std::is_signed_v<T>, i16, u16>,
                                     std::conditional_t<sizeof(T) == 2, std::conditional_t<std::is_signed_v<T>, i32, u32>,
                                                        std::conditional_t<std::is_signed_v<T>, i64, u64>>>;
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn);
  u128 result = 0;
  for (unsigned i = 0; i < lane_count<Product>(); ++i) {
    const unsigned source = 2 * i + (Odd ? 1 : 0);
    set_lane<Product>(result, i, static_cast<Product>(Product{lane<T>(a, source)} * Product{lane<T>(b, source)}));
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

// vmladduhm: a * b + c per halfword, modulo.
Flow vmladduhm(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn), c = vrc(cpu, insn);
  u128 result = 0;
  for (unsigned i = 0; i < 8; ++i) {
    set_lane<u16>(result, i, static_cast<u16>(u32{lane<u16>(a, i)} * lane<u16>(b, i) + lane<u16>(c, i)));
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

// vmhaddshs / vmhraddshs: the high half of a signed halfword product (with
// rounding for the r form) plus c, saturated.
template <bool Round>
Flow multiply_high_add(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn), c = vrc(cpu, insn);
  u128 result = 0;
  for (unsigned i = 0; i < 8; ++i) {
    const i32 product = i32{lane<i16>(a, i)} * lane<i16>(b, i) + (Round ? 0x4000 : 0);
    set_lane<i16>(result, i, saturate<i16>(cpu, i64{product >> 15} + lane<i16>(c, i)));
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

// vmsum*: each word of c plus the products of the elements of a and b that
// lie in that word; the s forms saturate the word.
template <class A, class B, bool Saturate>
Flow multiply_sum(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  constexpr unsigned kPerWord = 4 / sizeof(A);
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn), c = vrc(cpu, insn);
  constexpr bool kSigned = std::is_signed_v<A> || std::is_signed_v<B>;
  u128 result = 0;
  for (unsigned word = 0; word < 4; ++word) {
    i64 sum = kSigned ? i64{lane<i32>(c, word)} : i64{lane<u32>(c, word)};
    for (unsigned j = 0; j < kPerWord; ++j) {
      const unsigned index = word * kPerWord + j;
      sum += i64{lane<A>(a, index)} * i64{lane<B>(b, index)};
    }
    if constexpr (!Saturate) set_lane<u32>(result, word, static_cast<u32>(sum));
    else if constexpr (kSigned) set_lane<i32>(result, word, saturate<i32>(cpu, sum));
    else set_lane<u32>(result, word, saturate<u32>(cpu, sum));
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

// vsum4ubs / vsum4sbs / vsum4shs: per word, the elements of VRA in that
// word plus VRB's word, saturated.
template <class T>
Flow sum_across_quarter(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  constexpr unsigned kPerWord = 4 / sizeof(T);
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn);
  u128 result = 0;
  for (unsigned word = 0; word < 4; ++word) {
    i64 sum = std::is_signed_v<T> ? i64{lane<i32>(b, word)} : i64{lane<u32>(b, word)};
    for (unsigned j = 0; j < kPerWord; ++j) sum += lane<T>(a, word * kPerWord + j);
    if constexpr (std::is_signed_v<T>) set_lane<i32>(result, word, saturate<i32>(cpu, sum));
    else set_lane<u32>(result, word, saturate<u32>(cpu, sum));
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

// vsum2sws: words 1 and 3 get the sums of each half plus VRB's word there.
Flow vsum2sws(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn);
  u128 result = 0;
  for (unsigned half = 0; half < 2; ++half) {
    const i64 sum = i64{lane<i32>(a, 2 * half)} + lane<i32>(a, 2 * half + 1) + lane<i32>(b, 2 * half + 1);
    set_lane<i32>(result, 2 * half + 1, saturate<i32>(cpu, sum));
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

// vsumsws: word 3 gets the sum of all of VRA's words plus VRB's word 3.
Flow vsumsws(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn);
  i64 sum = lane<i32>(b, 3);
  for (unsigned i = 0; i < 4; ++i) sum += lane<i32>(a, i);
  u128 result = 0;
  set_lane<i32>(result, 3, saturate<i32>(cpu, sum));
  set_vrt(cpu, insn, result);
  return Flow::next;
}

// --- Compares (Book I 6.9.3): all-ones or all-zeros elements; with Rc,
// CR6 says whether all (bit 0) or none (bit 2) of the elements matched. ---

template <class T, bool (*Test)(T, T)>
Flow vector_compare(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const auto a = stored_lanes<T>(cpu.state.vr[insn.ra]), b = stored_lanes<T>(cpu.state.vr[insn.rb]);
  using Unsigned = std::make_unsigned_t<T>;
  LaneArray<Unsigned> result;
  bool all = true, none = true;
  for (std::size_t i = 0; i < result.size(); ++i) {
    const bool match = Test(a[i], b[i]);
    all = all && match;
    none = none && !match;
    result[i] = match ? std::numeric_limits<Unsigned>::max() : 0;
  }
  store_lanes(cpu.state.vr[insn.rt], result);
  if (bits(insn.word, 21, 21)) cpu.state.set_cr_field(6, (all ? cr_bit::kLess : 0) | (none ? cr_bit::kEqual : 0));
  return Flow::next;
}
template <class T>
bool equal(T a, T b) { return a == b; }
template <class T>
bool greater(T a, T b) { return a > b; }

// --- Counts and bit gathering (Book I 6.9.4, 6.10). ---

template <class T, unsigned (*Count)(T)>
Flow vector_count(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const u128 b = vrb(cpu, insn);
  u128 result = 0;
  for (unsigned i = 0; i < lane_count<T>(); ++i) set_lane<T>(result, i, static_cast<T>(Count(lane<T>(b, i))));
  set_vrt(cpu, insn, result);
  return Flow::next;
}
template <class T>
unsigned leading_zeros(T value) { return static_cast<unsigned>(std::countl_zero(value)); }
template <class T>
unsigned population(T value) { return static_cast<unsigned>(std::popcount(value)); }

// vgbbd: in each doubleword, the 8x8 bit matrix (byte i = row i) is
// transposed.
Flow vgbbd(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const u128 b = vrb(cpu, insn);
  u128 result = 0;
  for (unsigned doubleword = 0; doubleword < 2; ++doubleword) {
    const u64 source = lane<u64>(b, doubleword);
    u64 transposed = 0;
    for (unsigned row = 0; row < 8; ++row) {
      for (unsigned column = 0; column < 8; ++column) {
        const u64 bit = (source >> (63 - (8 * row + column))) & 1;
        transposed |= bit << (63 - (8 * column + row));
      }
    }
    set_lane<u64>(result, doubleword, transposed);
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

// vbpermq: each byte of VRB below 128 selects a bit of VRA (MSB-0); the 16
// bits go to bits 48:63 of the result.
Flow vbpermq(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn);
  u64 gathered = 0;
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned index = lane<u8>(b, i);
    const u64 bit = index < 128 ? static_cast<u64>((a >> (127 - index)) & 1) : 0;
    gathered |= bit << (15 - i);
  }
  set_vrt(cpu, insn, u128{gathered} << 64);
  return Flow::next;
}

// --- Single-precision floating point (Book I 6.9.2). VMX arithmetic uses
// round-to-nearest and sets no status; with VSCR[NJ] denormal inputs and
// results are zeros of the same sign. ---

float flush_denormal(const Cpu& cpu, float value) {
  if ((cpu.state.vscr & vscr_bit::kNonJava) && std::fpclassify(value) == FP_SUBNORMAL) {
    return std::copysign(0.0f, value);
  }
  return value;
}
float lane_float(const Cpu& cpu, u128 value, unsigned i) {
  return flush_denormal(cpu, std::bit_cast<float>(lane<u32>(value, i)));
}

// Which of VRA, VRB, VRC an operation reads: only those can supply a NaN.
// (In VX forms the VRC bits are part of the opcode, and unary operations
// leave VRA at 0.)
enum Operands : unsigned { kUsesB = 2, kUsesAB = 3, kUsesABC = 7 };
constexpr u32 kSingleQuietBit = 0x00400000;
constexpr u32 kSingleDefaultNan = 0x7fc00000;
bool is_nan_bits(u32 value) { return (value & 0x7fffffff) > 0x7f800000; }

// A NaN operand is the result, quieted, taking the operands in the order
// VRA, VRB, VRC whatever the host would pick; an invalid operation gives
// the default NaN (positive, whatever the negation around it).
template <float (*Op)(float, float, float), unsigned Uses>
Flow vector_float(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn), c = vrc(cpu, insn);
  u128 result = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const u32 bits_a = lane<u32>(a, i), bits_b = lane<u32>(b, i), bits_c = lane<u32>(c, i);
    u32 out = 0;
    if ((Uses & 1) && is_nan_bits(bits_a)) {
      out = bits_a | kSingleQuietBit;
    } else if ((Uses & 2) && is_nan_bits(bits_b)) {
      out = bits_b | kSingleQuietBit;
    } else if ((Uses & 4) && is_nan_bits(bits_c)) {
      out = bits_c | kSingleQuietBit;
    } else {
      const float value = Op(lane_float(cpu, a, i), lane_float(cpu, b, i), lane_float(cpu, c, i));
      out = std::isnan(value) ? kSingleDefaultNan : std::bit_cast<u32>(flush_denormal(cpu, value));
    }
    set_lane<u32>(result, i, out);
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}
float add_float(float a, float b, float) { return a + b; }
float subtract_float(float a, float b, float) { return a - b; }
// vmaddfp is a*c + b, vnmsubfp -(a*c - b), both fused.
float multiply_add_float(float a, float b, float c) { return std::fma(a, c, b); }
float negative_multiply_subtract_float(float a, float b, float c) { return -std::fma(a, c, -b); }
// Of two zeros, -0 is the smaller.
float maximum_float(float a, float b, float) {
  if (a == b) return std::signbit(a) ? b : a;
  return a > b ? a : b;
}
float minimum_float(float a, float b, float) {
  if (a == b) return std::signbit(a) ? a : b;
  return a < b ? a : b;
}
float reciprocal_estimate(float, float b, float) { return 1.0f / b; }
float reciprocal_square_root_estimate(float, float b, float) { return 1.0f / std::sqrt(b); }
float power_of_two_estimate(float, float b, float) { return std::exp2(b); }
float log2_estimate(float, float b, float) { return std::log2(b); }
float round_nearest(float, float b, float) { return std::nearbyint(b); }
float round_toward_zero(float, float b, float) { return std::trunc(b); }
float round_up(float, float b, float) { return std::ceil(b); }
float round_down(float, float b, float) { return std::floor(b); }

// vcfux / vcfsx: words to floats divided by 2^UIM.
template <bool Signed>
Flow convert_from_fixed(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const u128 b = vrb(cpu, insn);
  u128 result = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const double whole = Signed ? double(lane<i32>(b, i)) : double(lane<u32>(b, i));
    set_lane<u32>(result, i, std::bit_cast<u32>(static_cast<float>(std::ldexp(whole, -int{insn.ra}))));
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

// vctuxs / vctsxs: floats times 2^UIM to words, saturating; NaN gives 0.
template <class T>
Flow convert_to_fixed(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const u128 b = vrb(cpu, insn);
  u128 result = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const float value = lane_float(cpu, b, i);
    T converted = 0;
    const double scaled = std::trunc(std::ldexp(double{value}, int{insn.ra}));
    if (std::isnan(value)) {
      converted = 0;  // not a saturation: VSCR[SAT] stays
    } else if (scaled > double(std::numeric_limits<T>::max()) || scaled < double(std::numeric_limits<T>::min())) {
      cpu.state.vscr |= vscr_bit::kSaturation;
      converted = scaled > 0 ? std::numeric_limits<T>::max() : std::numeric_limits<T>::min();
    } else {
      converted = static_cast<T>(scaled);
    }
    set_lane<T>(result, i, converted);
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

template <bool (*Test)(float, float)>
bool float_compare(u32 a, u32 b) { return Test(std::bit_cast<float>(a), std::bit_cast<float>(b)); }
bool float_equal(float a, float b) { return a == b; }
bool float_greater_equal(float a, float b) { return a >= b; }
bool float_greater(float a, float b) { return a > b; }

// vcmpbfp: per word, bit 0 says a > b and bit 1 says a < -b (out of
// bounds); CR6 bit 2 with Rc says all were within bounds.
Flow vcmpbfp(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn);
  u128 result = 0;
  bool all_in_bounds = true;
  for (unsigned i = 0; i < 4; ++i) {
    const float x = lane_float(cpu, a, i), bound = lane_float(cpu, b, i);
    const bool unordered = std::isnan(x) || std::isnan(bound);
    const u32 above = unordered || !(x <= bound) ? 0x80000000u : 0;
    const u32 below = unordered || !(x >= -bound) ? 0x40000000u : 0;
    all_in_bounds = all_in_bounds && (above | below) == 0;
    set_lane<u32>(result, i, above | below);
  }
  set_vrt(cpu, insn, result);
  if (bits(insn.word, 21, 21)) cpu.state.set_cr_field(6, all_in_bounds ? cr_bit::kEqual : 0);
  return Flow::next;
}

}  // namespace

void register_vmx_arithmetic_instructions(DecodeTable& table) {
  table.op4(0, vector_on_registers<&lanewise<u8, add_modulo<u8>>>);                  // vaddubm
  table.op4(64, vector_on_registers<&lanewise<u16, add_modulo<u16>>>);               // vadduhm
  table.op4(128, vector_on_registers<&lanewise<u32, add_modulo<u32>>>);              // vadduwm
  table.op4(192, vector_on_registers<&lanewise<u64, add_modulo<u64>>>);              // vaddudm
  table.op4(512, vector_on_registers<&lanewise<u8, add_saturate<u8>>>);              // vaddubs
  table.op4(576, vector_on_registers<&lanewise<u16, add_saturate<u16>>>);            // vadduhs
  table.op4(640, vector_on_registers<&lanewise<u32, add_saturate<u32>>>);            // vadduws
  table.op4(768, vector_on_registers<&lanewise<i8, add_saturate<i8>>>);              // vaddsbs
  table.op4(832, vector_on_registers<&lanewise<i16, add_saturate<i16>>>);            // vaddshs
  table.op4(896, vector_on_registers<&lanewise<i32, add_saturate<i32>>>);            // vaddsws
  table.op4(384, vector_on_registers<&lanewise<u32, add_carry_out>>);                // vaddcuw
  table.op4(1024, vector_on_registers<&lanewise<u8, subtract_modulo<u8>>>);          // vsububm
  table.op4(1088, vector_on_registers<&lanewise<u16, subtract_modulo<u16>>>);        // vsubuhm
  table.op4(1152, vector_on_registers<&lanewise<u32, subtract_modulo<u32>>>);        // vsubuwm
  table.op4(1216, vector_on_registers<&lanewise<u64, subtract_modulo<u64>>>);        // vsubudm
  table.op4(1536, vector_on_registers<&lanewise<u8, subtract_saturate<u8>>>);        // vsububs
  table.op4(1600, vector_on_registers<&lanewise<u16, subtract_saturate<u16>>>);      // vsubuhs
  table.op4(1664, vector_on_registers<&lanewise<u32, subtract_saturate<u32>>>);      // vsubuws
  table.op4(1792, vector_on_registers<&lanewise<i8, subtract_saturate<i8>>>);        // vsubsbs
  table.op4(1856, vector_on_registers<&lanewise<i16, subtract_saturate<i16>>>);      // vsubshs
  table.op4(1920, vector_on_registers<&lanewise<i32, subtract_saturate<i32>>>);      // vsubsws
  table.op4(1408, vector_on_registers<&lanewise<u32, subtract_carry_out>>);          // vsubcuw
  table.op4(256, vector_on_registers<&quadword_add<false, false, false>>);           // vadduqm
  table.op4(320, vector_on_registers<&quadword_add<false, true, false>>);            // vaddcuq
  table.op4(1280, vector_on_registers<&quadword_add<true, false, false>>);           // vsubuqm
  table.op4(1344, vector_on_registers<&quadword_add<true, true, false>>);            // vsubcuq
  table.op4_va_form(60, vector_on_registers<&quadword_add<false, false, true>>);     // vaddeuqm
  table.op4_va_form(61, vector_on_registers<&quadword_add<false, true, true>>);      // vaddecuq
  table.op4_va_form(62, vector_on_registers<&quadword_add<true, false, true>>);      // vsubeuqm
  table.op4_va_form(63, vector_on_registers<&quadword_add<true, true, true>>);       // vsubecuq

  table.op4(2, vector_on_registers<&lanewise<u8, maximum<u8>>>);                     // vmaxub
  table.op4(66, vector_on_registers<&lanewise<u16, maximum<u16>>>);                  // vmaxuh
  table.op4(130, vector_on_registers<&lanewise<u32, maximum<u32>>>);                 // vmaxuw
  table.op4(194, vector_on_registers<&lanewise<u64, maximum<u64>>>);                 // vmaxud
  table.op4(258, vector_on_registers<&lanewise<i8, maximum<i8>>>);                   // vmaxsb
  table.op4(322, vector_on_registers<&lanewise<i16, maximum<i16>>>);                 // vmaxsh
  table.op4(386, vector_on_registers<&lanewise<i32, maximum<i32>>>);                 // vmaxsw
  table.op4(450, vector_on_registers<&lanewise<i64, maximum<i64>>>);                 // vmaxsd
  table.op4(514, vector_on_registers<&lanewise<u8, minimum<u8>>>);                   // vminub
  table.op4(578, vector_on_registers<&lanewise<u16, minimum<u16>>>);                 // vminuh
  table.op4(642, vector_on_registers<&lanewise<u32, minimum<u32>>>);                 // vminuw
  table.op4(706, vector_on_registers<&lanewise<u64, minimum<u64>>>);                 // vminud
  table.op4(770, vector_on_registers<&lanewise<i8, minimum<i8>>>);                   // vminsb
  table.op4(834, vector_on_registers<&lanewise<i16, minimum<i16>>>);                 // vminsh
  table.op4(898, vector_on_registers<&lanewise<i32, minimum<i32>>>);                 // vminsw
  table.op4(962, vector_on_registers<&lanewise<i64, minimum<i64>>>);                 // vminsd
  table.op4(1026, vector_on_registers<&lanewise<u8, average<u8>>>);                  // vavgub
  table.op4(1090, vector_on_registers<&lanewise<u16, average<u16>>>);                // vavguh
  table.op4(1154, vector_on_registers<&lanewise<u32, average<u32>>>);                // vavguw
  table.op4(1282, vector_on_registers<&lanewise<i8, average<i8>>>);                  // vavgsb
  table.op4(1346, vector_on_registers<&lanewise<i16, average<i16>>>);                // vavgsh
  table.op4(1410, vector_on_registers<&lanewise<i32, average<i32>>>);                // vavgsw

  table.op4(4, vector_on_registers<&lanewise<u8, rotate_left<u8>>>);                 // vrlb
  table.op4(68, vector_on_registers<&lanewise<u16, rotate_left<u16>>>);              // vrlh
  table.op4(132, vector_on_registers<&lanewise<u32, rotate_left<u32>>>);             // vrlw
  table.op4(196, vector_on_registers<&lanewise<u64, rotate_left<u64>>>);             // vrld
  table.op4(260, vector_on_registers<&lanewise<u8, shift_left<u8>>>);                // vslb
  table.op4(324, vector_on_registers<&lanewise<u16, shift_left<u16>>>);              // vslh
  table.op4(388, vector_on_registers<&lanewise<u32, shift_left<u32>>>);              // vslw
  table.op4(1476, vector_on_registers<&lanewise<u64, shift_left<u64>>>);             // vsld
  table.op4(516, vector_on_registers<&lanewise<u8, shift_right<u8>>>);               // vsrb
  table.op4(580, vector_on_registers<&lanewise<u16, shift_right<u16>>>);             // vsrh
  table.op4(644, vector_on_registers<&lanewise<u32, shift_right<u32>>>);             // vsrw
  table.op4(1732, vector_on_registers<&lanewise<u64, shift_right<u64>>>);            // vsrd
  table.op4(772, vector_on_registers<&lanewise<u8, shift_right_algebraic<u8>>>);     // vsrab
  table.op4(836, vector_on_registers<&lanewise<u16, shift_right_algebraic<u16>>>);   // vsrah
  table.op4(900, vector_on_registers<&lanewise<u32, shift_right_algebraic<u32>>>);   // vsraw
  table.op4(964, vector_on_registers<&lanewise<u64, shift_right_algebraic<u64>>>);   // vsrad

  table.op4(8, vector_on_registers<&multiply_even_odd<u8, true>>);                   // vmuloub
  table.op4(72, vector_on_registers<&multiply_even_odd<u16, true>>);                 // vmulouh
  table.op4(136, vector_on_registers<&multiply_even_odd<u32, true>>);                // vmulouw
  table.op4(264, vector_on_registers<&multiply_even_odd<i8, true>>);                 // vmulosb
  table.op4(328, vector_on_registers<&multiply_even_odd<i16, true>>);                // vmulosh
  table.op4(392, vector_on_registers<&multiply_even_odd<i32, true>>);                // vmulosw
  table.op4(520, vector_on_registers<&multiply_even_odd<u8, false>>);                // vmuleub
  table.op4(584, vector_on_registers<&multiply_even_odd<u16, false>>);               // vmuleuh
  table.op4(648, vector_on_registers<&multiply_even_odd<u32, false>>);               // vmuleuw
  table.op4(776, vector_on_registers<&multiply_even_odd<i8, false>>);                // vmulesb
  table.op4(840, vector_on_registers<&multiply_even_odd<i16, false>>);               // vmulesh
  table.op4(904, vector_on_registers<&multiply_even_odd<i32, false>>);               // vmulesw
  table.op4(137, vector_on_registers<&lanewise<u32, multiply_low_word>>);            // vmuluwm
  table.op4_va_form(34, vector_on_registers<&vmladduhm>);
  table.op4_va_form(32, vector_on_registers<&multiply_high_add<false>>);             // vmhaddshs
  table.op4_va_form(33, vector_on_registers<&multiply_high_add<true>>);              // vmhraddshs
  table.op4_va_form(36, vector_on_registers<&multiply_sum<u8, u8, false>>);          // vmsumubm
  table.op4_va_form(37, vector_on_registers<&multiply_sum<i8, u8, false>>);          // vmsummbm
  table.op4_va_form(38, vector_on_registers<&multiply_sum<u16, u16, false>>);        // vmsumuhm
  table.op4_va_form(39, vector_on_registers<&multiply_sum<u16, u16, true>>);         // vmsumuhs
  table.op4_va_form(40, vector_on_registers<&multiply_sum<i16, i16, false>>);        // vmsumshm
  table.op4_va_form(41, vector_on_registers<&multiply_sum<i16, i16, true>>);         // vmsumshs
  table.op4(1544, vector_on_registers<&sum_across_quarter<u8>>);                     // vsum4ubs
  table.op4(1800, vector_on_registers<&sum_across_quarter<i8>>);                     // vsum4sbs
  table.op4(1608, vector_on_registers<&sum_across_quarter<i16>>);                    // vsum4shs
  table.op4(1672, vector_on_registers<&vsum2sws>);
  table.op4(1928, vector_on_registers<&vsumsws>);

  table.op4_vc_form(6, vector_on_registers<&vector_compare<u8, equal<u8>>>);         // vcmpequb
  table.op4_vc_form(70, vector_on_registers<&vector_compare<u16, equal<u16>>>);      // vcmpequh
  table.op4_vc_form(134, vector_on_registers<&vector_compare<u32, equal<u32>>>);     // vcmpequw
  table.op4_vc_form(199, vector_on_registers<&vector_compare<u64, equal<u64>>>);     // vcmpequd
  table.op4_vc_form(518, vector_on_registers<&vector_compare<u8, greater<u8>>>);     // vcmpgtub
  table.op4_vc_form(582, vector_on_registers<&vector_compare<u16, greater<u16>>>);   // vcmpgtuh
  table.op4_vc_form(646, vector_on_registers<&vector_compare<u32, greater<u32>>>);   // vcmpgtuw
  table.op4_vc_form(711, vector_on_registers<&vector_compare<u64, greater<u64>>>);   // vcmpgtud
  table.op4_vc_form(774, vector_on_registers<&vector_compare<i8, greater<i8>>>);     // vcmpgtsb
  table.op4_vc_form(838, vector_on_registers<&vector_compare<i16, greater<i16>>>);   // vcmpgtsh
  table.op4_vc_form(902, vector_on_registers<&vector_compare<i32, greater<i32>>>);   // vcmpgtsw
  table.op4_vc_form(967, vector_on_registers<&vector_compare<i64, greater<i64>>>);   // vcmpgtsd
  table.op4_vc_form(198, vector_on_registers<&vector_compare<u32, float_compare<float_equal>>>);          // vcmpeqfp
  table.op4_vc_form(454, vector_on_registers<&vector_compare<u32, float_compare<float_greater_equal>>>);  // vcmpgefp
  table.op4_vc_form(710, vector_on_registers<&vector_compare<u32, float_compare<float_greater>>>);        // vcmpgtfp
  table.op4_vc_form(966, vector_on_registers<&vcmpbfp>);

  table.op4(1794, vector_on_registers<&vector_count<u8, leading_zeros<u8>>>);        // vclzb
  table.op4(1858, vector_on_registers<&vector_count<u16, leading_zeros<u16>>>);      // vclzh
  table.op4(1922, vector_on_registers<&vector_count<u32, leading_zeros<u32>>>);      // vclzw
  table.op4(1986, vector_on_registers<&vector_count<u64, leading_zeros<u64>>>);      // vclzd
  table.op4(1795, vector_on_registers<&vector_count<u8, population<u8>>>);           // vpopcntb
  table.op4(1859, vector_on_registers<&vector_count<u16, population<u16>>>);         // vpopcnth
  table.op4(1923, vector_on_registers<&vector_count<u32, population<u32>>>);         // vpopcntw
  table.op4(1987, vector_on_registers<&vector_count<u64, population<u64>>>);         // vpopcntd
  table.op4(1292, vector_on_registers<&vgbbd>);
  table.op4(1356, vector_on_registers<&vbpermq>);

  table.op4(10, vector_on_registers<&vector_float<add_float, kUsesAB>>);                      // vaddfp
  table.op4(74, vector_on_registers<&vector_float<subtract_float, kUsesAB>>);                 // vsubfp
  table.op4_va_form(46, vector_on_registers<&vector_float<multiply_add_float, kUsesABC>>);     // vmaddfp
  table.op4_va_form(47, vector_on_registers<&vector_float<negative_multiply_subtract_float, kUsesABC>>);  // vnmsubfp
  table.op4(1034, vector_on_registers<&vector_float<maximum_float, kUsesAB>>);                // vmaxfp
  table.op4(1098, vector_on_registers<&vector_float<minimum_float, kUsesAB>>);                // vminfp
  table.op4(266, vector_on_registers<&vector_float<reciprocal_estimate, kUsesB>>);           // vrefp
  table.op4(330, vector_on_registers<&vector_float<reciprocal_square_root_estimate, kUsesB>>);  // vrsqrtefp
  table.op4(394, vector_on_registers<&vector_float<power_of_two_estimate, kUsesB>>);         // vexptefp
  table.op4(458, vector_on_registers<&vector_float<log2_estimate, kUsesB>>);                 // vlogefp
  table.op4(522, vector_on_registers<&vector_float<round_nearest, kUsesB>>);                 // vrfin
  table.op4(586, vector_on_registers<&vector_float<round_toward_zero, kUsesB>>);             // vrfiz
  table.op4(650, vector_on_registers<&vector_float<round_up, kUsesB>>);                      // vrfip
  table.op4(714, vector_on_registers<&vector_float<round_down, kUsesB>>);                    // vrfim
  table.op4(778, vector_on_registers<&convert_from_fixed<false>>);                   // vcfux
  table.op4(842, vector_on_registers<&convert_from_fixed<true>>);                    // vcfsx
  table.op4(906, vector_on_registers<&convert_to_fixed<u32>>);                       // vctuxs
  table.op4(970, vector_on_registers<&convert_to_fixed<i32>>);                       // vctsxs
}

}  // namespace mosaic::interp
