// The vector crypto instructions of Power ISA 2.07B Book I chapter 6
// ("Vector Exclusive-OR-based Instructions"): the AES
// round steps (vcipher, vcipherlast, vncipher, vncipherlast, vsbox), the
// SHA-2 sigma functions (vshasigmaw, vshasigmad) and carry-less
// multiply-sum (vpmsumb/h/w/d). They act on register contents only, so the
// guest's byte order plays no part: byte i of the AES state is the
// register's byte element i, and the state is column-major as FIPS-197 3.4
// lays it out (state[r][c] = byte r + 4c).
#include <array>
#include <bit>
#include <cstdint>

#include "cpu.hpp"
#include "insn_groups.hpp"
#include "vector_lanes.hpp"

namespace mosaic::interp {

namespace {

using u64 = std::uint64_t;
using u32 = std::uint32_t;
using u16 = std::uint16_t;
using u8 = std::uint8_t;
using ByteArray = std::array<u8, 16>;

// --- GF(2^8) arithmetic modulo x^8 + x^4 + x^3 + x + 1 (FIPS-197 4.2). ---

constexpr u8 gf_multiply(u8 a, u8 b) {
  u8 product = 0;
  for (; b != 0; b >>= 1) {
    if (b & 1) product ^= a;
    a = static_cast<u8>((a << 1) ^ ((a & 0x80) ? 0x1b : 0));
  }
  return product;
}

// The multiplicative inverse, with 0 mapped to 0 (FIPS-197 5.1.1): a^254,
// by square-and-multiply so that clang's constant evaluator, which bounds
// its steps, builds the tables below.
constexpr u8 gf_inverse(u8 a) {
  u8 result = 1;
  u8 power = a;
  for (unsigned exponent = 254; exponent != 0; exponent >>= 1) {
    if (exponent & 1) result = gf_multiply(result, power);
    power = gf_multiply(power, power);
  }
  return a == 0 ? 0 : result;
}

// SubBytes' S-box (FIPS-197 5.1.1): the inverse followed by the affine
// transformation b ^ rotl(b,1) ^ rotl(b,2) ^ rotl(b,3) ^ rotl(b,4) ^ 0x63.
// Built at compile time from that definition rather than typed in.
constexpr std::array<u8, 256> make_sbox() {
  std::array<u8, 256> box{};
  for (unsigned i = 0; i < 256; ++i) {
    const u8 b = gf_inverse(static_cast<u8>(i));
    box[i] = static_cast<u8>(b ^ std::rotl(b, 1) ^ std::rotl(b, 2) ^ std::rotl(b, 3) ^ std::rotl(b, 4) ^ 0x63);
  }
  return box;
}
constexpr std::array<u8, 256> make_inverse_sbox(const std::array<u8, 256>& box) {
  std::array<u8, 256> inverse{};
  for (unsigned i = 0; i < 256; ++i) inverse[box[i]] = static_cast<u8>(i);
  return inverse;
}
constexpr std::array<u8, 256> kSbox = make_sbox();
constexpr std::array<u8, 256> kInverseSbox = make_inverse_sbox(kSbox);

ByteArray bytes_of(u128 value) {
  ByteArray bytes;
  for (unsigned i = 0; i < 16; ++i) bytes[i] = lane<u8>(value, i);
  return bytes;
}
u128 value_of(const ByteArray& bytes) {
  u128 value = 0;
  for (unsigned i = 0; i < 16; ++i) set_lane<u8>(value, i, bytes[i]);
  return value;
}

ByteArray substitute(const ByteArray& state, const std::array<u8, 256>& box) {
  ByteArray result;
  for (unsigned i = 0; i < 16; ++i) result[i] = box[state[i]];
  return result;
}

// ShiftRows (FIPS-197 5.1.2) rotates row r left by r columns; InvShiftRows
// (5.3.1) rotates it right.
template <bool Inverse>
ByteArray shift_rows(const ByteArray& state) {
  ByteArray result;
  for (unsigned row = 0; row < 4; ++row) {
    for (unsigned column = 0; column < 4; ++column) {
      const unsigned from = Inverse ? (column + 4 - row) % 4 : (column + row) % 4;
      result[row + 4 * column] = state[row + 4 * from];
    }
  }
  return result;
}

// MixColumns (5.1.3) and InvMixColumns (5.3.3): each column times a fixed
// circulant matrix whose first row is `coefficients`.
ByteArray mix_columns(const ByteArray& state, const std::array<u8, 4>& coefficients) {
  ByteArray result;
  for (unsigned column = 0; column < 4; ++column) {
    for (unsigned row = 0; row < 4; ++row) {
      u8 sum = 0;
      for (unsigned k = 0; k < 4; ++k) sum ^= gf_multiply(coefficients[(k + 4 - row) % 4], state[k + 4 * column]);
      result[row + 4 * column] = sum;
    }
  }
  return result;
}
constexpr std::array<u8, 4> kMixColumns = {0x02, 0x03, 0x01, 0x01};
constexpr std::array<u8, 4> kInverseMixColumns = {0x0e, 0x0b, 0x0d, 0x09};

// vcipher: SubBytes, ShiftRows, MixColumns, then AddRoundKey with VRB;
// vcipherlast leaves out MixColumns (FIPS-197 5.1, the final round).
template <bool Last>
Flow vector_cipher(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  ByteArray state = shift_rows<false>(substitute(bytes_of(vra(cpu, insn)), kSbox));
  if constexpr (!Last) state = mix_columns(state, kMixColumns);
  set_vrt(cpu, insn, value_of(state) ^ vrb(cpu, insn));
  return Flow::next;
}

// vncipher: InvShiftRows, InvSubBytes, AddRoundKey with VRB, then
// InvMixColumns: the order of FIPS-197's Inverse Cipher (5.3), which ISA
// 2.07B's RTL follows; vncipherlast leaves out InvMixColumns.
template <bool Last>
Flow vector_inverse_cipher(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const ByteArray state = substitute(shift_rows<true>(bytes_of(vra(cpu, insn))), kInverseSbox);
  const ByteArray keyed = bytes_of(value_of(state) ^ vrb(cpu, insn));
  set_vrt(cpu, insn, value_of(Last ? keyed : mix_columns(keyed, kInverseMixColumns)));
  return Flow::next;
}

// vsbox: SubBytes alone. Bits 16:20 are reserved and ignored.
Flow vsbox(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  set_vrt(cpu, insn, value_of(substitute(bytes_of(vra(cpu, insn)), kSbox)));
  return Flow::next;
}

// --- SHA-2 (FIPS-180-4 4.1.2 and 4.1.3). ---

// ST (bit 16) picks the sigma (0) or Sigma (1) functions; each bit of SIX
// (bits 17:20) picks the 0 or 1 function for an element.
template <class T>
T sha_function(T x, bool upper, bool one) {
  constexpr bool kWord = sizeof(T) == 4;
  const auto r = [x](int n) { return std::rotr(x, n); };
  if (!upper) {
    if (!one) return kWord ? r(7) ^ r(18) ^ (x >> 3) : r(1) ^ r(8) ^ (x >> 7);     // sigma0
    return kWord ? r(17) ^ r(19) ^ (x >> 10) : r(19) ^ r(61) ^ (x >> 6);             // sigma1
  }
  if (!one) return kWord ? r(2) ^ r(13) ^ r(22) : r(28) ^ r(34) ^ r(39);            // Sigma0
  return kWord ? r(6) ^ r(11) ^ r(25) : r(14) ^ r(18) ^ r(41);                      // Sigma1
}

// vshasigmaw uses SIX bit i for word i; vshasigmad uses SIX bit 2i for
// doubleword i (bits 1 and 3 of SIX are ignored).
template <class T>
Flow vector_sha_sigma(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const bool upper = bits(insn.word, 16, 16);
  const unsigned six = bits(insn.word, 17, 20);
  constexpr unsigned kStride = sizeof(T) == 4 ? 1 : 2;
  const u128 source = vra(cpu, insn);
  u128 result = 0;
  for (unsigned i = 0; i < lane_count<T>(); ++i) {
    const bool one = (six >> (3 - kStride * i)) & 1;
    set_lane<T>(result, i, sha_function<T>(lane<T>(source, i), upper, one));
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

// --- Carry-less multiply-sum ("Vector Polynomial Multiply-Sum"). ---

// The polynomial product over GF(2) of two elements, twice as wide.
template <class T>
u128 carry_less_product(T a, T b) {
  u128 product = 0;
  for (unsigned bit = 0; bit < 8 * sizeof(T); ++bit) {
    if ((b >> bit) & 1) product ^= u128{a} << bit;
  }
  return product;
}

// vpmsum*: the carry-less products of the even and the odd element pair,
// exclusive-ORed into one double-width element.
template <class T>
Flow vector_polynomial_multiply_sum(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return vector_unavailable(cpu);
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn);
  constexpr unsigned kWidth = 16 * sizeof(T);
  u128 result = 0;
  for (unsigned i = 0; i < lane_count<T>() / 2; ++i) {
    const u128 sum = carry_less_product<T>(lane<T>(a, 2 * i), lane<T>(b, 2 * i)) ^
                     carry_less_product<T>(lane<T>(a, 2 * i + 1), lane<T>(b, 2 * i + 1));
    if constexpr (kWidth == 128) {
      result = sum;
    } else {
      result |= sum << (128 - kWidth * (i + 1));
    }
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

}  // namespace

void register_vmx_crypto_instructions(DecodeTable& table) {
  table.op4(1288, vector_on_registers<&vector_cipher<false>>);                    // vcipher
  table.op4(1289, vector_on_registers<&vector_cipher<true>>);                     // vcipherlast
  table.op4(1352, vector_on_registers<&vector_inverse_cipher<false>>);            // vncipher
  table.op4(1353, vector_on_registers<&vector_inverse_cipher<true>>);             // vncipherlast
  table.op4(1480, vector_on_registers<&vsbox>);
  table.op4(1666, vector_on_registers<&vector_sha_sigma<u32>>);                   // vshasigmaw
  table.op4(1730, vector_on_registers<&vector_sha_sigma<u64>>);                   // vshasigmad
  table.op4(1032, vector_on_registers<&vector_polynomial_multiply_sum<u8>>);      // vpmsumb
  table.op4(1096, vector_on_registers<&vector_polynomial_multiply_sum<u16>>);     // vpmsumh
  table.op4(1160, vector_on_registers<&vector_polynomial_multiply_sum<u32>>);     // vpmsumw
  table.op4(1224, vector_on_registers<&vector_polynomial_multiply_sum<u64>>);     // vpmsumd
}

}  // namespace mosaic::interp
