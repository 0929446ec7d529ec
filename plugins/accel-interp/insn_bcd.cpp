// Decimal integer add and subtract, bcdadd. and bcdsub. (Power ISA 2.07B
// Book I chapter 6, "Decimal Integer Arithmetic Instructions").
//
// An operand is signed packed decimal: 31 decimal digits in the first 31
// nibbles of the register (the most significant first) and a sign code in
// the last nibble. 0xA, 0xC, 0xE and 0xF are plus, 0xB and 0xD minus; a
// digit above 9 or a sign code below 0xA makes the operand invalid. The
// result's sign is 0xD when it is negative, otherwise 0xC, or 0xF when
// PS (bit 22) is 1. CR6 gets LT, GT or EQ from the unbounded result and SO
// for an overflow (more than 31 digits; VRT then holds the low 31 digits)
// or an invalid operand (then CR6 is 0b0001 and VRT is undefined).
#include <cstdint>
#include <optional>

#include "cpu.hpp"
#include "insn_groups.hpp"
#include "vector_lanes.hpp"

namespace mosaic::interp {

namespace {

constexpr unsigned kDigits = 31;

constexpr u128 power_of_ten(unsigned exponent) {
  u128 value = 1;
  for (unsigned i = 0; i < exponent; ++i) value *= 10;
  return value;
}
constexpr u128 kDigitsLimit = power_of_ten(kDigits);  // 10^31: the first value 31 digits cannot hold

struct Decimal {
  u128 magnitude = 0;
  bool negative = false;
};

// The operand's value, or nothing when a digit or the sign code is invalid.
std::optional<Decimal> decode_decimal(u128 value) {
  const unsigned sign = static_cast<unsigned>(value & 0xf);
  if (sign < 0xa) return std::nullopt;
  Decimal decimal{0, sign == 0xb || sign == 0xd};
  for (unsigned digit = 0; digit < kDigits; ++digit) {
    const unsigned nibble = static_cast<unsigned>(value >> (4 * (kDigits - digit))) & 0xf;
    if (nibble > 9) return std::nullopt;
    decimal.magnitude = decimal.magnitude * 10 + nibble;
  }
  return decimal;
}

// `magnitude` (below 10^31) in packed decimal with the sign code `sign`.
u128 encode_decimal(u128 magnitude, unsigned sign) {
  u128 value = sign;
  for (unsigned digit = 1; digit <= kDigits; ++digit, magnitude /= 10) {
    value |= (magnitude % 10) << (4 * digit);
  }
  return value;
}

// Invalid operands leave VRT undefined; all ones is what this interpreter
// (like QEMU) writes there, so that runs can be compared.
constexpr u128 kUndefinedResult = ~u128{0};

template <bool Subtract>
Flow decimal_add(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const std::optional<Decimal> a = decode_decimal(vra(cpu, insn));
  std::optional<Decimal> b = decode_decimal(vrb(cpu, insn));
  if (!a || !b) {
    set_vrt(cpu, insn, kUndefinedResult);
    cpu.state.set_cr_field(6, cr_bit::kSummaryOverflow);
    return Flow::next;
  }
  if (Subtract) b->negative = !b->negative;
  Decimal sum;
  if (a->negative == b->negative) {
    sum = {a->magnitude + b->magnitude, a->negative};
  } else if (a->magnitude >= b->magnitude) {
    sum = {a->magnitude - b->magnitude, a->negative};
  } else {
    sum = {b->magnitude - a->magnitude, b->negative};
  }
  const bool zero = sum.magnitude == 0;
  const bool negative = sum.negative && !zero;  // a zero result is plus
  const bool overflow = sum.magnitude >= kDigitsLimit;
  const bool preferred_plus_f = bits(insn.word, 22, 22);
  const unsigned sign = negative ? 0xd : (preferred_plus_f ? 0xf : 0xc);
  set_vrt(cpu, insn, encode_decimal(sum.magnitude % kDigitsLimit, sign));
  const std::uint32_t relation = zero ? cr_bit::kEqual : negative ? cr_bit::kLess : cr_bit::kGreater;
  cpu.state.set_cr_field(6, relation | (overflow ? cr_bit::kSummaryOverflow : 0));
  return Flow::next;
}

}  // namespace

// VX form with bit 21 set (the record bit; there is no form without it) and
// PS in bit 22: both values of PS decode to the same handler.
void register_bcd_instructions(DecodeTable& table) {
  for (unsigned preferred_sign = 0; preferred_sign < 2; ++preferred_sign) {
    table.op4(0x400 | (preferred_sign << 9) | 1, chain<&decimal_add<false>>);   // bcdadd.
    table.op4(0x400 | (preferred_sign << 9) | 65, chain<&decimal_add<true>>);   // bcdsub.
  }
}

}  // namespace mosaic::interp
