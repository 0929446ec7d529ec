// Element access for 128-bit vector registers, shared by the VMX handlers.
// A register is held as a 128-bit integer whose most significant bits are
// element 0, as the ISA numbers elements in either byte order; the
// little-endian view exists only in memory (lvx/stvx) and is handled there.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "chained_dispatch.hpp"
#include "cpu.hpp"
#include "insn_common.hpp"

namespace mosaic::interp {

using u128 = unsigned __int128;

inline u128 to_u128(const Quadword& value) { return (u128{value[0]} << 64) | value[1]; }
inline Quadword to_quadword(u128 value) {
  return {static_cast<std::uint64_t>(value >> 64), static_cast<std::uint64_t>(value)};
}

// Element `i` of width sizeof(T), counted from the most significant end.
template <class T>
constexpr T lane(u128 value, unsigned i) {
  constexpr unsigned kWidth = 8 * sizeof(T);
  using Unsigned = std::make_unsigned_t<T>;
  return static_cast<T>(static_cast<Unsigned>(value >> (128 - kWidth * (i + 1))));
}
template <class T>
constexpr void set_lane(u128& value, unsigned i, T element) {
  constexpr unsigned kWidth = 8 * sizeof(T);
  using Unsigned = std::make_unsigned_t<T>;
  const unsigned shift = 128 - kWidth * (i + 1);
  const u128 mask = u128{std::numeric_limits<Unsigned>::max()} << shift;
  value = (value & ~mask) | (u128{static_cast<Unsigned>(element)} << shift);
}
template <class T>
constexpr unsigned lane_count() {
  return 16 / sizeof(T);
}

// All elements as an array in the host's order, for operations that treat
// every element alike (so the numbering does not matter): the compiler can
// then use the host's own vector instructions.
template <class T>
using LaneArray = std::array<T, 16 / sizeof(T)>;
template <class T>
LaneArray<T> lanes_of(u128 value) {
  LaneArray<T> lanes;
  std::memcpy(lanes.data(), &value, sizeof value);
  return lanes;
}
// The same, straight from the register file: every element on its own, but
// in another order (on little-endian hosts the doublewords trade places),
// which elementwise operations do not mind. One 16-byte copy each way;
// going through u128 instead costs a store-forwarding stall per operand.
template <class T>
LaneArray<T> stored_lanes(const Quadword& reg) {
  LaneArray<T> lanes;
  std::memcpy(lanes.data(), reg.data(), sizeof reg);
  return lanes;
}
template <class T>
void store_lanes(Quadword& reg, const LaneArray<T>& lanes) {
  std::memcpy(reg.data(), lanes.data(), sizeof reg);
}

// The LaneArray index of element `element` in the ISA's numbering.
template <class T>
constexpr std::size_t slot_of(unsigned element) {
  return std::endian::native == std::endian::little ? lane_count<T>() - 1 - element : element;
}
template <class T>
u128 from_lanes(const LaneArray<T>& lanes) {
  u128 value;
  std::memcpy(&value, lanes.data(), sizeof value);
  return value;
}

// VRT/VRA/VRB/VRC as 128-bit values. VRC is the VA form's bits 21:25.
inline u128 vra(const Cpu& cpu, const DecodedInsn& insn) { return to_u128(cpu.state.vr[insn.ra]); }
inline u128 vrb(const Cpu& cpu, const DecodedInsn& insn) { return to_u128(cpu.state.vr[insn.rb]); }
inline u128 vrc(const Cpu& cpu, const DecodedInsn& insn) { return to_u128(cpu.state.vr[bits(insn.word, 21, 25)]); }
inline u128 vrt(const Cpu& cpu, const DecodedInsn& insn) { return to_u128(cpu.state.vr[insn.rt]); }
inline void set_vrt(Cpu& cpu, const DecodedInsn& insn, u128 value) { cpu.state.vr[insn.rt] = to_quadword(value); }

// VSCR bits (Book I 6.6.1), in the low word as mfvscr returns it.
namespace vscr_bit {
inline constexpr std::uint32_t kNonJava = 1u << 16;   // NJ: denormals read and write as zero
inline constexpr std::uint32_t kSaturation = 1u << 0;  // SAT, sticky
}  // namespace vscr_bit

inline bool vector_available(const Cpu& cpu) { return cpu.state.msr & msr_bit::kVector; }
inline Flow vector_unavailable(Cpu& cpu) { return cpu.interrupt(Vector::vector_unavailable, cpu.state.nip); }

// A VMX instruction that computes on registers only (VRs, VSCR, CR6).
template <Handler Execute>
inline constexpr Handlers vector_on_registers = facility_on_registers<Execute, &vector_available>;

// The value clamped to T's range; sets VSCR[SAT] when it had to clamp.
template <class T, class Wide>
T saturate(Cpu& cpu, Wide value) {
  if (value > static_cast<Wide>(std::numeric_limits<T>::max())) {
    cpu.state.vscr |= vscr_bit::kSaturation;
    return std::numeric_limits<T>::max();
  }
  if (value < static_cast<Wide>(std::numeric_limits<T>::min())) {
    cpu.state.vscr |= vscr_bit::kSaturation;
    return std::numeric_limits<T>::min();
  }
  return static_cast<T>(value);
}

}  // namespace mosaic::interp
