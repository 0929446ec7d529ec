// Fixed-point arithmetic, compare and logical instructions (Power ISA 2.07
// Book I 3.3.8 - 3.3.13, excluding rotates and shifts).
#include <array>
#include <bit>
#include <cstdint>
#include <limits>
#include <utility>

#include "cpu.hpp"
#include "insn_common.hpp"
#include "insn_groups.hpp"

namespace mosaic::interp {

Flow illegal_instruction(Cpu& cpu, const DecodedInsn&) { return cpu.illegal_instruction(); }

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;
using u128 = unsigned __int128;
using i128 = __int128;

constexpr u64 kLowWord = 0xffffffffull;

// XO-form OE (bit 21): whether the instruction records overflow in XER.
bool overflow_enabled(const DecodedInsn& insn) { return bits(insn.word, 21, 21); }

// Writes the XO-form result, then OV/SO when OE=1, then CR0 when Rc=1 (CR0
// copies the SO this instruction may just have set). MayRecord false: OE =
// Rc = 0 is known at decode time (by_oe_or_record, by_record).
template <bool MayRecord = true>
[[gnu::always_inline]] inline Flow finish_xo(Cpu& cpu, const DecodedInsn& insn, u64 result, bool overflow) {
  cpu.state.gpr[insn.rt] = result;
  if constexpr (!MayRecord) return Flow::next;
  if (overflow_enabled(insn)) {
    cpu.state.xer_ov = overflow;
    if (overflow) cpu.state.xer_so = true;
  }
  if (insn.record) record_cr0(cpu, result);
  return Flow::next;
}

struct Sum {
  u64 value;
  bool carry;
  bool overflow;
};

// a + b + carry_in with the carry and overflow out of bit M: bit 0 in
// 64-bit mode, bit 32 in 32-bit mode (Book I 3.2.2, XER[CA] and XER[OV]).
Sum add_extended(const Cpu& cpu, u64 a, u64 b, bool carry_in) {
  const u64 value = a + b + carry_in;
  const u64 signed_overflow = (a ^ value) & (b ^ value);
  if (sixty_four_bit_mode(cpu)) {
    // Two overflow tests, not a 128-bit sum: no register pair to spill.
    u64 partial;
    const bool carry = __builtin_add_overflow(a, b, &partial) | __builtin_add_overflow(partial, u64{carry_in}, &partial);
    return {value, carry, (signed_overflow >> 63) != 0};
  }
  const bool carry = (((a & kLowWord) + (b & kLowWord) + carry_in) >> 32) != 0;
  return {value, carry, ((signed_overflow >> 31) & 1) != 0};
}

// Inlined into each handler: add and subf without OE, Rc or carry, the
// common case by far, then cost one addition. MayRecord false: OE = Rc = 0
// is known at decode time (by_oe_or_record).
template <bool MayRecord = true>
[[gnu::always_inline]] inline Flow write_sum(Cpu& cpu, const DecodedInsn& insn, u64 a, u64 b, bool carry_in,
                                             bool sets_carry) {
  if (!sets_carry && (!MayRecord || (!insn.record && !overflow_enabled(insn)))) {
    cpu.state.gpr[insn.rt] = a + b + carry_in;
    return Flow::next;
  }
  const Sum sum = add_extended(cpu, a, b, carry_in);
  if (sets_carry) cpu.state.xer_ca = sum.carry;
  if constexpr (!MayRecord) {
    cpu.state.gpr[insn.rt] = sum.value;
    return Flow::next;
  }
  return finish_xo(cpu, insn, sum.value, sum.overflow);
}

u64 gpr_ra(const Cpu& cpu, const DecodedInsn& insn) { return cpu.state.gpr[insn.ra]; }
u64 gpr_rb(const Cpu& cpu, const DecodedInsn& insn) { return cpu.state.gpr[insn.rb]; }
u64 gpr_rs(const Cpu& cpu, const DecodedInsn& insn) { return cpu.state.gpr[insn.rt]; }

// --- D-form arithmetic (Book I 3.3.9). ---

// addi and addis (Shift 16); with RA=0 they are li and lis.
template <unsigned Shift, bool RaIsZero>
Flow add_immediate(Cpu& cpu, const DecodedInsn& insn) {
  const u64 base = RaIsZero ? 0 : cpu.state.gpr[insn.ra];
  cpu.state.gpr[insn.rt] = base + (static_cast<u64>(insn.imm) << Shift);
  return Flow::next;
}

Flow add_immediate_carrying(Cpu& cpu, const DecodedInsn& insn, bool record) {
  const Sum sum = add_extended(cpu, gpr_ra(cpu, insn), static_cast<u64>(insn.imm), false);
  cpu.state.gpr[insn.rt] = sum.value;
  cpu.state.xer_ca = sum.carry;
  if (record) record_cr0(cpu, sum.value);
  return Flow::next;
}
Flow addic(Cpu& cpu, const DecodedInsn& insn) { return add_immediate_carrying(cpu, insn, false); }
Flow addic_record(Cpu& cpu, const DecodedInsn& insn) { return add_immediate_carrying(cpu, insn, true); }

Flow subfic(Cpu& cpu, const DecodedInsn& insn) {
  const Sum sum = add_extended(cpu, ~gpr_ra(cpu, insn), static_cast<u64>(insn.imm), true);
  cpu.state.gpr[insn.rt] = sum.value;
  cpu.state.xer_ca = sum.carry;
  return Flow::next;
}

Flow mulli(Cpu& cpu, const DecodedInsn& insn) {
  cpu.state.gpr[insn.rt] = gpr_ra(cpu, insn) * static_cast<u64>(insn.imm);
  return Flow::next;
}

// --- XO-form add and subtract: RT = a + b + carry_in. ---

// The XO-form sums are specialised at decode time by whether OE or Rc is
// set (by_oe_or_record).
template <bool MayRecord>
Flow add(Cpu& cpu, const DecodedInsn& insn) {
  return write_sum<MayRecord>(cpu, insn, gpr_ra(cpu, insn), gpr_rb(cpu, insn), false, false);
}
template <bool MayRecord>
Flow addc(Cpu& cpu, const DecodedInsn& insn) { return write_sum<MayRecord>(cpu, insn, gpr_ra(cpu, insn), gpr_rb(cpu, insn), false, true); }
template <bool MayRecord>
Flow adde(Cpu& cpu, const DecodedInsn& insn) {
  return write_sum<MayRecord>(cpu, insn, gpr_ra(cpu, insn), gpr_rb(cpu, insn), cpu.state.xer_ca, true);
}
template <bool MayRecord>
Flow addme(Cpu& cpu, const DecodedInsn& insn) { return write_sum<MayRecord>(cpu, insn, gpr_ra(cpu, insn), ~u64{0}, cpu.state.xer_ca, true); }
template <bool MayRecord>
Flow addze(Cpu& cpu, const DecodedInsn& insn) { return write_sum<MayRecord>(cpu, insn, gpr_ra(cpu, insn), 0, cpu.state.xer_ca, true); }
template <bool MayRecord>
Flow subf(Cpu& cpu, const DecodedInsn& insn) {
  return write_sum<MayRecord>(cpu, insn, ~gpr_ra(cpu, insn), gpr_rb(cpu, insn), true, false);
}
template <bool MayRecord>
Flow subfc(Cpu& cpu, const DecodedInsn& insn) { return write_sum<MayRecord>(cpu, insn, ~gpr_ra(cpu, insn), gpr_rb(cpu, insn), true, true); }
template <bool MayRecord>
Flow subfe(Cpu& cpu, const DecodedInsn& insn) {
  return write_sum<MayRecord>(cpu, insn, ~gpr_ra(cpu, insn), gpr_rb(cpu, insn), cpu.state.xer_ca, true);
}
template <bool MayRecord>
Flow subfme(Cpu& cpu, const DecodedInsn& insn) { return write_sum<MayRecord>(cpu, insn, ~gpr_ra(cpu, insn), ~u64{0}, cpu.state.xer_ca, true); }
template <bool MayRecord>
Flow subfze(Cpu& cpu, const DecodedInsn& insn) { return write_sum<MayRecord>(cpu, insn, ~gpr_ra(cpu, insn), 0, cpu.state.xer_ca, true); }
template <bool MayRecord>
Flow neg(Cpu& cpu, const DecodedInsn& insn) { return write_sum<MayRecord>(cpu, insn, ~gpr_ra(cpu, insn), 0, true, false); }

// --- Multiply (Book I 3.3.9). The word forms multiply the low words; OV
// says whether the product fits the operand width, whatever the mode. ---

i64 low_word_signed(u64 value) { return static_cast<std::int32_t>(value); }
u64 low_word(u64 value) { return value & kLowWord; }

template <bool MayRecord>
Flow mullw(Cpu& cpu, const DecodedInsn& insn) {
  const i64 product = low_word_signed(gpr_ra(cpu, insn)) * low_word_signed(gpr_rb(cpu, insn));
  return finish_xo<MayRecord>(cpu, insn, static_cast<u64>(product), product != static_cast<std::int32_t>(product));
}

template <bool MayRecord>
Flow mulld(Cpu& cpu, const DecodedInsn& insn) {
  const i128 product = i128{static_cast<i64>(gpr_ra(cpu, insn))} * static_cast<i64>(gpr_rb(cpu, insn));
  return finish_xo<MayRecord>(cpu, insn, static_cast<u64>(product), product != static_cast<i64>(product));
}

// The high-word multiplies leave RT[0:31] undefined; they read as zero here.
template <bool MayRecord>
Flow mulhw(Cpu& cpu, const DecodedInsn& insn) {
  const i64 product = low_word_signed(gpr_ra(cpu, insn)) * low_word_signed(gpr_rb(cpu, insn));
  return finish_xo<MayRecord>(cpu, insn, static_cast<u64>(product) >> 32, false);
}

template <bool MayRecord>
Flow mulhwu(Cpu& cpu, const DecodedInsn& insn) {
  return finish_xo<MayRecord>(cpu, insn, (low_word(gpr_ra(cpu, insn)) * low_word(gpr_rb(cpu, insn))) >> 32, false);
}

template <bool MayRecord>
Flow mulhd(Cpu& cpu, const DecodedInsn& insn) {
  const i128 product = i128{static_cast<i64>(gpr_ra(cpu, insn))} * static_cast<i64>(gpr_rb(cpu, insn));
  return finish_xo<MayRecord>(cpu, insn, static_cast<u64>(product >> 64), false);
}

template <bool MayRecord>
Flow mulhdu(Cpu& cpu, const DecodedInsn& insn) {
  const u128 product = u128{gpr_ra(cpu, insn)} * gpr_rb(cpu, insn);
  return finish_xo<MayRecord>(cpu, insn, static_cast<u64>(product >> 64), false);
}

// --- Divide (Book I 3.3.9). Division by zero and quotients that do not fit
// leave RT undefined: it becomes 0 and OV is set (when OE=1). The word
// forms leave RT[0:31] undefined: the quotient is zero-extended. ---

template <bool MayRecord>
Flow divw(Cpu& cpu, const DecodedInsn& insn) {
  const i64 dividend = low_word_signed(gpr_ra(cpu, insn));
  const i64 divisor = low_word_signed(gpr_rb(cpu, insn));
  const bool invalid = divisor == 0 || (dividend == std::numeric_limits<std::int32_t>::min() && divisor == -1);
  return finish_xo<MayRecord>(cpu, insn, invalid ? 0 : low_word(static_cast<u64>(dividend / divisor)), invalid);
}

template <bool MayRecord>
Flow divwu(Cpu& cpu, const DecodedInsn& insn) {
  const u64 divisor = low_word(gpr_rb(cpu, insn));
  const bool invalid = divisor == 0;
  return finish_xo<MayRecord>(cpu, insn, invalid ? 0 : low_word(gpr_ra(cpu, insn)) / divisor, invalid);
}

template <bool MayRecord>
Flow divd(Cpu& cpu, const DecodedInsn& insn) {
  const auto dividend = static_cast<i64>(gpr_ra(cpu, insn));
  const auto divisor = static_cast<i64>(gpr_rb(cpu, insn));
  const bool invalid = divisor == 0 || (dividend == std::numeric_limits<i64>::min() && divisor == -1);
  return finish_xo<MayRecord>(cpu, insn, invalid ? 0 : static_cast<u64>(dividend / divisor), invalid);
}

template <bool MayRecord>
Flow divdu(Cpu& cpu, const DecodedInsn& insn) {
  const u64 divisor = gpr_rb(cpu, insn);
  const bool invalid = divisor == 0;
  return finish_xo<MayRecord>(cpu, insn, invalid ? 0 : gpr_ra(cpu, insn) / divisor, invalid);
}

// Divide extended: the dividend is RA's low word (or RA) followed by 32
// (or 64) zero bits.
template <bool MayRecord>
Flow divwe(Cpu& cpu, const DecodedInsn& insn) {
  const i64 dividend = low_word_signed(gpr_ra(cpu, insn)) * (i64{1} << 32);
  const i64 divisor = low_word_signed(gpr_rb(cpu, insn));
  // -2^63 / -1 does not fit 64 bits; any dividend but 0 over -1 overflows 32.
  bool invalid = divisor == 0 || (divisor == -1 && dividend != 0);
  i64 quotient = 0;
  if (!invalid) {
    quotient = dividend / divisor;
    invalid = quotient != static_cast<std::int32_t>(quotient);
  }
  return finish_xo<MayRecord>(cpu, insn, invalid ? 0 : low_word(static_cast<u64>(quotient)), invalid);
}

template <bool MayRecord>
Flow divweu(Cpu& cpu, const DecodedInsn& insn) {
  const u64 dividend = low_word(gpr_ra(cpu, insn)) << 32;
  const u64 divisor = low_word(gpr_rb(cpu, insn));
  const u64 quotient = divisor == 0 ? 0 : dividend / divisor;
  const bool invalid = divisor == 0 || quotient > kLowWord;
  return finish_xo<MayRecord>(cpu, insn, invalid ? 0 : quotient, invalid);
}

template <bool MayRecord>
Flow divde(Cpu& cpu, const DecodedInsn& insn) {
  const auto high = static_cast<i64>(gpr_ra(cpu, insn));
  const auto divisor = static_cast<i64>(gpr_rb(cpu, insn));
  // As for divwe: guard the one quotient that does not fit 128 bits.
  bool invalid = divisor == 0 || (divisor == -1 && high != 0);
  i128 quotient = 0;
  if (!invalid) {
    quotient = (i128{high} * (i128{1} << 64)) / divisor;
    invalid = quotient != static_cast<i64>(quotient);
  }
  return finish_xo<MayRecord>(cpu, insn, invalid ? 0 : static_cast<u64>(quotient), invalid);
}

template <bool MayRecord>
Flow divdeu(Cpu& cpu, const DecodedInsn& insn) {
  const u64 high = gpr_ra(cpu, insn);
  const u64 divisor = gpr_rb(cpu, insn);
  // The quotient fits 64 bits exactly when RA < RB.
  const bool invalid = divisor == 0 || high >= divisor;
  return finish_xo<MayRecord>(cpu, insn, invalid ? 0 : static_cast<u64>((u128{high} << 64) / divisor), invalid);
}

// --- Compare (Book I 3.3.10): BF in bits 6:8, L in bit 10. L=0 compares
// the low words (sign- or zero-extended) in either mode. ---

// Specialised at decode time by L and BF, so that the CR field is written
// with constant shifts.
enum class Compare { signed_registers, unsigned_registers, signed_immediate, unsigned_immediate };

template <Compare Kind, bool Doublewords, unsigned Field>
Flow compare(Cpu& cpu, const DecodedInsn& insn) {
  constexpr bool is_signed = Kind == Compare::signed_registers || Kind == Compare::signed_immediate;
  constexpr bool immediate = Kind == Compare::signed_immediate || Kind == Compare::unsigned_immediate;
  u64 a = gpr_ra(cpu, insn);
  u64 b = immediate ? static_cast<u64>(insn.imm) : gpr_rb(cpu, insn);
  if constexpr (!Doublewords) {
    a = is_signed ? sign_extend_word(a) : low_word(a);
    b = is_signed ? sign_extend_word(b) : low_word(b);
  }
  const std::uint32_t less_greater_equal =
      is_signed ? compare_signed(static_cast<i64>(a), static_cast<i64>(b)) : compare_unsigned(a, b);
  cpu.state.set_cr_field(Field, less_greater_equal | (cpu.state.xer_so ? cr_bit::kSummaryOverflow : 0));
  return Flow::next;
}

// Indexed by BF * 2 + L.
template <Compare Kind, std::size_t... Index>
constexpr std::array<Handlers, sizeof...(Index)> compare_handlers(std::index_sequence<Index...>) {
  return {on_registers_then_branch<&compare<Kind, (Index & 1) != 0, Index / 2>>...};
}

template <Compare Kind>
Handlers choose_compare(std::uint32_t word) {
  static constexpr auto handlers = compare_handlers<Kind>(std::make_index_sequence<16>{});
  return handlers[bits(word, 6, 8) * 2 + bits(word, 10, 10)];
}

// --- Logical (Book I 3.3.12): RS is the bits 6:10 field, RA the target. ---

Flow write_logical(Cpu& cpu, const DecodedInsn& insn, u64 result, bool record) {
  cpu.state.gpr[insn.ra] = result;
  if (record) record_cr0(cpu, result);
  return Flow::next;
}

u64 unsigned_immediate(const DecodedInsn& insn) { return static_cast<u64>(insn.imm); }

// andi. and andis. always record CR0; the other immediates never do.
Flow andi(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, gpr_rs(cpu, insn) & unsigned_immediate(insn), true); }
Flow andis(Cpu& cpu, const DecodedInsn& insn) {
  return write_logical(cpu, insn, gpr_rs(cpu, insn) & (unsigned_immediate(insn) << 16), true);
}
Flow ori(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, gpr_rs(cpu, insn) | unsigned_immediate(insn), false); }
Flow oris(Cpu& cpu, const DecodedInsn& insn) {
  return write_logical(cpu, insn, gpr_rs(cpu, insn) | (unsigned_immediate(insn) << 16), false);
}
Flow xori(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, gpr_rs(cpu, insn) ^ unsigned_immediate(insn), false); }
Flow xoris(Cpu& cpu, const DecodedInsn& insn) {
  return write_logical(cpu, insn, gpr_rs(cpu, insn) ^ (unsigned_immediate(insn) << 16), false);
}

// X-form logical operations, specialised by Rc at decode time (by_record).
template <bool Record>
Flow and_(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, gpr_rs(cpu, insn) & gpr_rb(cpu, insn), Record); }
template <bool Record>
Flow or_(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, gpr_rs(cpu, insn) | gpr_rb(cpu, insn), Record); }
// mr is or with RS = RB and Rc = 0 (or rX,rX,rX: a priority hint, no effect).
Flow move_register(Cpu& cpu, const DecodedInsn& insn) {
  cpu.state.gpr[insn.ra] = gpr_rs(cpu, insn);
  return Flow::next;
}

Handlers choose_or(std::uint32_t word) {
  if (!(word & 1) && bits(word, 6, 10) == bits(word, 16, 20)) return on_registers<&move_register>;
  return choose_by_record<&or_<false>, &or_<true>>(word);
}

template <bool Record>
Flow xor_(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, gpr_rs(cpu, insn) ^ gpr_rb(cpu, insn), Record); }
template <bool Record>
Flow nand(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, ~(gpr_rs(cpu, insn) & gpr_rb(cpu, insn)), Record); }
template <bool Record>
Flow nor(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, ~(gpr_rs(cpu, insn) | gpr_rb(cpu, insn)), Record); }
template <bool Record>
Flow eqv(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, ~(gpr_rs(cpu, insn) ^ gpr_rb(cpu, insn)), Record); }
template <bool Record>
Flow andc(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, gpr_rs(cpu, insn) & ~gpr_rb(cpu, insn), Record); }
template <bool Record>
Flow orc(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, gpr_rs(cpu, insn) | ~gpr_rb(cpu, insn), Record); }

template <bool Record>
Flow extsb(Cpu& cpu, const DecodedInsn& insn) {
  return write_logical(cpu, insn, static_cast<u64>(static_cast<i64>(static_cast<std::int8_t>(gpr_rs(cpu, insn)))), Record);
}
template <bool Record>
Flow extsh(Cpu& cpu, const DecodedInsn& insn) {
  return write_logical(cpu, insn, static_cast<u64>(static_cast<i64>(static_cast<std::int16_t>(gpr_rs(cpu, insn)))), Record);
}
template <bool Record>
Flow extsw(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, sign_extend_word(gpr_rs(cpu, insn)), Record); }

template <bool Record>
Flow cntlzw(Cpu& cpu, const DecodedInsn& insn) {
  return write_logical(cpu, insn, std::countl_zero(static_cast<std::uint32_t>(gpr_rs(cpu, insn))), Record);
}
template <bool Record>
Flow cntlzd(Cpu& cpu, const DecodedInsn& insn) {
  return write_logical(cpu, insn, std::countl_zero(gpr_rs(cpu, insn)), Record);
}

// Population counts per byte, word or doubleword, each in its own element,
// by sums of halves: std::popcount is a call into libgcc on x86-64 hosts
// without POPCNT, and int-loop spent 6% of its time there.
u64 byte_popcounts(u64 value) {
  value -= (value >> 1) & 0x5555555555555555ull;
  value = (value & 0x3333333333333333ull) + ((value >> 2) & 0x3333333333333333ull);
  return (value + (value >> 4)) & 0x0f0f0f0f0f0f0f0full;
}
u64 word_popcounts(u64 value) {
  u64 sums = byte_popcounts(value);
  sums += sums >> 8;
  sums += sums >> 16;
  return sums & 0x0000003f0000003full;
}
u64 doubleword_popcount(u64 value) { return (byte_popcounts(value) * 0x0101010101010101ull) >> 56; }
Flow popcntb(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, byte_popcounts(gpr_rs(cpu, insn)), false); }
Flow popcntw(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, word_popcounts(gpr_rs(cpu, insn)), false); }
Flow popcntd(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, doubleword_popcount(gpr_rs(cpu, insn)), false); }

// Each byte of RA is all ones where RS and RB have equal bytes.
Flow cmpb(Cpu& cpu, const DecodedInsn& insn) {
  const u64 rs = gpr_rs(cpu, insn);
  const u64 rb = gpr_rb(cpu, insn);
  u64 result = 0;
  for (unsigned shift = 0; shift < 64; shift += 8) {
    if (((rs >> shift) & 0xff) == ((rb >> shift) & 0xff)) result |= u64{0xff} << shift;
  }
  return write_logical(cpu, insn, result, false);
}

// Parity of the least significant bit of each byte, per word or doubleword.
u64 byte_lsb_parity(u64 value) {
  return doubleword_popcount(value & 0x0101010101010101ull) & 1;
}
Flow prtyw(Cpu& cpu, const DecodedInsn& insn) {
  const u64 rs = gpr_rs(cpu, insn);
  return write_logical(cpu, insn, (byte_lsb_parity(rs >> 32 & kLowWord) << 32) | byte_lsb_parity(rs & kLowWord), false);
}
Flow prtyd(Cpu& cpu, const DecodedInsn& insn) { return write_logical(cpu, insn, byte_lsb_parity(gpr_rs(cpu, insn)), false); }

// Each byte of RS indexes a bit of RB (MSB-0); indexes >= 64 give 0.
Flow bpermd(Cpu& cpu, const DecodedInsn& insn) {
  const u64 rs = gpr_rs(cpu, insn);
  const u64 rb = gpr_rb(cpu, insn);
  u64 result = 0;
  for (unsigned byte = 0; byte < 8; ++byte) {
    const u64 index = (rs >> (56 - 8 * byte)) & 0xff;
    const u64 bit = index < 64 ? (rb >> (63 - index)) & 1 : 0;
    result |= bit << (7 - byte);
  }
  return write_logical(cpu, insn, result, false);
}

// isel (A-form): RT = CR[BC] ? (RA|0) : RB, BC in bits 21:25.
Flow isel(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned condition_bit = bits(insn.word, 21, 25);
  cpu.state.gpr[insn.rt] = cpu.state.cr_bit(condition_bit) ? ra_or_zero(cpu, insn) : gpr_rb(cpu, insn);
  return Flow::next;
}

template <unsigned Shift>
inline constexpr Handlers add_immediate_by_ra_zero =
    by_ra_zero<on_registers<&add_immediate<Shift, true>>, on_registers<&add_immediate<Shift, false>>>;

}  // namespace

void register_integer_instructions(DecodeTable& table) {
  table.primary(14, add_immediate_by_ra_zero<0>);   // addi
  table.primary(15, add_immediate_by_ra_zero<16>);  // addis
  table.primary(12, on_registers<&addic>);
  table.primary(13, on_registers<&addic_record>);
  table.primary(8, on_registers<&subfic>);
  table.primary(7, on_registers<&mulli>);
  table.primary(11, chosen_by<&choose_compare<Compare::signed_immediate>>);    // cmpi
  table.primary(10, chosen_by<&choose_compare<Compare::unsigned_immediate>>);  // cmpli
  table.primary(28, on_registers_then_branch<&andi>);
  table.primary(29, on_registers_then_branch<&andis>);
  table.primary(24, on_registers<&ori>);
  table.primary(25, on_registers<&oris>);
  table.primary(26, on_registers<&xori>);
  table.primary(27, on_registers<&xoris>);

  table.op31_with_oe(266, by_oe_or_record<&add<false>, &add<true>>);
  table.op31_with_oe(10, by_oe_or_record<&addc<false>, &addc<true>>);
  table.op31_with_oe(138, by_oe_or_record<&adde<false>, &adde<true>>);
  table.op31_with_oe(234, by_oe_or_record<&addme<false>, &addme<true>>);
  table.op31_with_oe(202, by_oe_or_record<&addze<false>, &addze<true>>);
  table.op31_with_oe(40, by_oe_or_record<&subf<false>, &subf<true>>);
  table.op31_with_oe(8, by_oe_or_record<&subfc<false>, &subfc<true>>);
  table.op31_with_oe(136, by_oe_or_record<&subfe<false>, &subfe<true>>);
  table.op31_with_oe(232, by_oe_or_record<&subfme<false>, &subfme<true>>);
  table.op31_with_oe(200, by_oe_or_record<&subfze<false>, &subfze<true>>);
  table.op31_with_oe(104, by_oe_or_record<&neg<false>, &neg<true>>);
  table.op31_with_oe(235, by_oe_or_record<&mullw<false>, &mullw<true>>);
  table.op31_with_oe(233, by_oe_or_record<&mulld<false>, &mulld<true>>);
  table.op31_with_oe(491, by_oe_or_record<&divw<false>, &divw<true>>);
  table.op31_with_oe(459, by_oe_or_record<&divwu<false>, &divwu<true>>);
  table.op31_with_oe(489, by_oe_or_record<&divd<false>, &divd<true>>);
  table.op31_with_oe(457, by_oe_or_record<&divdu<false>, &divdu<true>>);
  table.op31_with_oe(427, by_oe_or_record<&divwe<false>, &divwe<true>>);
  table.op31_with_oe(395, by_oe_or_record<&divweu<false>, &divweu<true>>);
  table.op31_with_oe(425, by_oe_or_record<&divde<false>, &divde<true>>);
  table.op31_with_oe(393, by_oe_or_record<&divdeu<false>, &divdeu<true>>);
  // The high multiplies have no OE: bit 21 is reserved.
  table.op31(75, by_record<&mulhw<false>, &mulhw<true>>);
  table.op31(11, by_record<&mulhwu<false>, &mulhwu<true>>);
  table.op31(73, by_record<&mulhd<false>, &mulhd<true>>);
  table.op31(9, by_record<&mulhdu<false>, &mulhdu<true>>);

  table.op31(0, chosen_by<&choose_compare<Compare::signed_registers>>);     // cmp
  table.op31(32, chosen_by<&choose_compare<Compare::unsigned_registers>>);  // cmpl
  table.op31(28, by_record<&and_<false>, &and_<true>>);
  table.op31(444, chosen_by<&choose_or>);
  table.op31(316, by_record<&xor_<false>, &xor_<true>>);
  table.op31(476, by_record<&nand<false>, &nand<true>>);
  table.op31(124, by_record<&nor<false>, &nor<true>>);
  table.op31(284, by_record<&eqv<false>, &eqv<true>>);
  table.op31(60, by_record<&andc<false>, &andc<true>>);
  table.op31(412, by_record<&orc<false>, &orc<true>>);
  table.op31(954, by_record<&extsb<false>, &extsb<true>>);
  table.op31(922, by_record<&extsh<false>, &extsh<true>>);
  table.op31(986, by_record<&extsw<false>, &extsw<true>>);
  table.op31(26, by_record<&cntlzw<false>, &cntlzw<true>>);
  table.op31(58, by_record<&cntlzd<false>, &cntlzd<true>>);
  table.op31(122, on_registers<&popcntb>);
  table.op31(378, on_registers<&popcntw>);
  table.op31(506, on_registers<&popcntd>);
  table.op31(508, on_registers<&cmpb>);
  table.op31(154, on_registers<&prtyw>);
  table.op31(186, on_registers<&prtyd>);
  table.op31(252, on_registers<&bpermd>);
  // isel's extended opcode is bits 26:30 (15); bits 21:25 hold BC.
  for (unsigned condition_bit = 0; condition_bit < 32; ++condition_bit) {
    table.op31((condition_bit << 5) | 15, on_registers<&isel>);
  }
}

}  // namespace mosaic::interp
