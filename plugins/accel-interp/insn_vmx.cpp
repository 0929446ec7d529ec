// VMX (Altivec) loads and stores, logical, permute, merge, splat, pack and
// unpack instructions, and VSCR access (Power ISA 2.07 Book I chapter 6).
// The arithmetic and compares are in insn_vmx_arith.cpp.
#include <cstdint>

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

#define MOSAIC_REQUIRE_VECTOR(cpu) \
  if (!vector_available(cpu)) return vector_unavailable(cpu)

// --- Loads and stores (Book I 6.7). ---

// lvx/lvxl and stvx/stvxl ignore the low four bits of the address.
Flow load_vector_indexed(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  Quadword value{};
  if (!load_quadword(cpu, indexed_effective_address(cpu, insn) & ~u64{15}, value)) return cpu.aborted();
  cpu.state.vr[insn.rt] = value;
  return Flow::next;
}

bool load_vector_indexed_on_tlb_hit(Cpu& cpu, const DecodedInsn& insn) {
  if (!vector_available(cpu)) return false;
  Quadword value{};
  if (!load_quadword_from_tlb(cpu, indexed_effective_address(cpu, insn) & ~u64{15}, value)) return false;
  cpu.state.vr[insn.rt] = value;
  return true;
}

Flow store_vector_indexed(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  if (!store_quadword(cpu, indexed_effective_address(cpu, insn) & ~u64{15}, cpu.state.vr[insn.rt])) {
    return cpu.aborted();
  }
  return Flow::next;
}

bool store_vector_indexed_on_tlb_hit(Cpu& cpu, const DecodedInsn& insn) {
  return vector_available(cpu) &&
         store_quadword_to_tlb(cpu, indexed_effective_address(cpu, insn) & ~u64{15}, cpu.state.vr[insn.rt]);
}

// The element an aligned element access at `ea` touches: its position in
// the quadword counts from the most significant end in big-endian mode and
// from the least significant end in little-endian mode.
template <class T>
unsigned element_index(const Cpu& cpu, u64 ea) {
  const unsigned index = static_cast<unsigned>(ea & 15) / sizeof(T);
  return little_endian_mode(cpu) ? lane_count<T>() - 1 - index : index;
}

// lvebx/lvehx/lvewx: one element; the rest of VRT is undefined and is left
// as it was.
template <class T>
Flow load_vector_element(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  const u64 ea = indexed_effective_address(cpu, insn) & ~u64{sizeof(T) - 1};
  T element = 0;
  if (!cpu.load(ea, element)) return cpu.aborted();
  u128 value = vrt(cpu, insn);
  set_lane<T>(value, element_index<T>(cpu, ea), element);
  set_vrt(cpu, insn, value);
  return Flow::next;
}

template <class T>
Flow store_vector_element(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  const u64 ea = indexed_effective_address(cpu, insn) & ~u64{sizeof(T) - 1};
  if (!cpu.store(ea, lane<T>(vrt(cpu, insn), element_index<T>(cpu, ea)))) return cpu.aborted();
  return Flow::next;
}

// lvsl/lvsr: the permute control vectors for unaligned access; they do not
// depend on the byte order.
template <bool Right>
Flow load_vector_for_shift(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  const unsigned shift = static_cast<unsigned>(indexed_effective_address(cpu, insn) & 15);
  const unsigned first = Right ? 16 - shift : shift;
  u128 value = 0;
  for (unsigned i = 0; i < 16; ++i) set_lane<u8>(value, i, static_cast<u8>(first + i));
  set_vrt(cpu, insn, value);
  return Flow::next;
}

// dst/dstst/dss: data stream hints; nothing to do.
Flow stream_hint(Cpu&, const DecodedInsn&) { return Flow::next; }

// --- VSCR (Book I 6.6.1). ---

Flow mfvscr(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  set_vrt(cpu, insn, cpu.state.vscr);
  return Flow::next;
}

Flow mtvscr(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  cpu.state.vscr = lane<u32>(vrb(cpu, insn), 3) & (vscr_bit::kNonJava | vscr_bit::kSaturation);
  return Flow::next;
}

// --- Logical (Book I 6.9.1) and select. ---

template <u128 (*Op)(u128, u128)>
Flow vector_logical(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  set_vrt(cpu, insn, Op(vra(cpu, insn), vrb(cpu, insn)));
  return Flow::next;
}

Flow vsel(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  const u128 mask = vrc(cpu, insn);
  set_vrt(cpu, insn, (vra(cpu, insn) & ~mask) | (vrb(cpu, insn) & mask));
  return Flow::next;
}

// --- Permute and shift (Book I 6.8). ---

// Byte `index` (0-31) of the 32-byte concatenation a || b.
u8 concatenated_byte(u128 a, u128 b, unsigned index) {
  return index < 16 ? lane<u8>(a, index) : lane<u8>(b, index - 16);
}

Flow vperm(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn), control = vrc(cpu, insn);
  u128 result = 0;
  for (unsigned i = 0; i < 16; ++i) set_lane<u8>(result, i, concatenated_byte(a, b, lane<u8>(control, i) & 31));
  set_vrt(cpu, insn, result);
  return Flow::next;
}

// vpermxor: each control byte picks a byte of VRA (high nibble) and of VRB
// (low nibble) and the result byte is their exclusive or.
Flow vpermxor(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn), control = vrc(cpu, insn);
  u128 result = 0;
  for (unsigned i = 0; i < 16; ++i) {
    const u8 selector = lane<u8>(control, i);
    set_lane<u8>(result, i, lane<u8>(a, selector >> 4) ^ lane<u8>(b, selector & 15));
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

Flow vsldoi(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  const unsigned shift = bits(insn.word, 22, 25);
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn);
  set_vrt(cpu, insn, shift == 0 ? a : (a << (8 * shift)) | (b >> (8 * (16 - shift))));
  return Flow::next;
}

// vsl/vsr shift the whole register by 0-7 bits (VRB's last three bits) and
// vslo/vsro by 0-15 octets (bits 121:124).
template <bool Right>
Flow vector_shift_bits(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  const unsigned shift = static_cast<unsigned>(vrb(cpu, insn) & 7);
  set_vrt(cpu, insn, Right ? vra(cpu, insn) >> shift : vra(cpu, insn) << shift);
  return Flow::next;
}
template <bool Right>
Flow vector_shift_octets(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  const unsigned shift = 8 * static_cast<unsigned>((vrb(cpu, insn) >> 3) & 15);
  set_vrt(cpu, insn, Right ? vra(cpu, insn) >> shift : vra(cpu, insn) << shift);
  return Flow::next;
}

// --- Merge and splat (Book I 6.8.2 - 6.8.3). ---

// Interleaves the high (or low) halves of VRA and VRB, VRA's element first.
template <class T, bool Low>
Flow vector_merge(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  constexpr unsigned kHalf = lane_count<T>() / 2;
  const auto a = lanes_of<T>(vra(cpu, insn)), b = lanes_of<T>(vrb(cpu, insn));
  LaneArray<T> result;
  for (unsigned i = 0; i < kHalf; ++i) {
    result[slot_of<T>(2 * i)] = a[slot_of<T>(i + (Low ? kHalf : 0))];
    result[slot_of<T>(2 * i + 1)] = b[slot_of<T>(i + (Low ? kHalf : 0))];
  }
  set_vrt(cpu, insn, from_lanes(result));
  return Flow::next;
}

// vmrgew/vmrgow: the even (or odd) words of VRA and VRB, interleaved.
template <unsigned First>
Flow vector_merge_words(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  const u128 a = vra(cpu, insn), b = vrb(cpu, insn);
  u128 result = 0;
  set_lane<u32>(result, 0, lane<u32>(a, First));
  set_lane<u32>(result, 1, lane<u32>(b, First));
  set_lane<u32>(result, 2, lane<u32>(a, First + 2));
  set_lane<u32>(result, 3, lane<u32>(b, First + 2));
  set_vrt(cpu, insn, result);
  return Flow::next;
}

template <class T>
u128 splat(T element) {
  u128 result = 0;
  for (unsigned i = 0; i < lane_count<T>(); ++i) set_lane<T>(result, i, element);
  return result;
}

// vspltb/vsplth/vspltw: UIM is the low bits of the RA field.
template <class T>
Flow vector_splat(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  const unsigned index = insn.ra & (lane_count<T>() - 1);
  set_vrt(cpu, insn, splat<T>(lane<T>(vrb(cpu, insn), index)));
  return Flow::next;
}

// vspltisb/h/w: the 5-bit signed immediate in the RA field.
template <class T>
Flow vector_splat_immediate(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  const auto immediate = static_cast<std::int8_t>(static_cast<std::int8_t>(insn.ra << 3) >> 3);
  set_vrt(cpu, insn, splat<T>(static_cast<T>(immediate)));
  return Flow::next;
}

// --- Pack and unpack (Book I 6.8.1). ---

enum class Pack { modulo, unsigned_saturate, signed_to_unsigned, signed_saturate };

// Narrows the elements of VRA then VRB into one register.
template <class Wide, Pack Kind>
Flow vector_pack(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  using Narrow = std::conditional_t<sizeof(Wide) == 2, u8, std::conditional_t<sizeof(Wide) == 4, u16, u32>>;
  using SignedWide = std::make_signed_t<Wide>;
  using SignedNarrow = std::make_signed_t<Narrow>;
  constexpr unsigned kSourceLanes = lane_count<Wide>();
  const LaneArray<Wide> sources[2] = {lanes_of<Wide>(vra(cpu, insn)), lanes_of<Wide>(vrb(cpu, insn))};
  LaneArray<Narrow> result;
  for (unsigned i = 0; i < 2 * kSourceLanes; ++i) {
    const Wide element = sources[i / kSourceLanes][slot_of<Wide>(i % kSourceLanes)];
    Narrow narrow = 0;
    if constexpr (Kind == Pack::modulo) {
      narrow = static_cast<Narrow>(element);
    } else if constexpr (Kind == Pack::unsigned_saturate) {
      narrow = saturate<Narrow>(cpu, element);
    } else if constexpr (Kind == Pack::signed_to_unsigned) {
      narrow = saturate<Narrow>(cpu, static_cast<SignedWide>(element));
    } else {
      narrow = static_cast<Narrow>(saturate<SignedNarrow>(cpu, static_cast<SignedWide>(element)));
    }
    result[slot_of<Narrow>(i)] = narrow;
  }
  set_vrt(cpu, insn, from_lanes(result));
  return Flow::next;
}

// vupkhs*/vupkls*: sign-extends the high (or low) half of VRB's elements.
template <class Narrow, bool Low>
Flow vector_unpack(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  using Wide = std::conditional_t<sizeof(Narrow) == 1, std::int16_t,
                                  std::conditional_t<sizeof(Narrow) == 2, std::int32_t, std::int64_t>>;
  constexpr unsigned kCount = lane_count<Wide>();
  const u128 source = vrb(cpu, insn);
  u128 result = 0;
  for (unsigned i = 0; i < kCount; ++i) {
    set_lane<Wide>(result, i, static_cast<Wide>(lane<Narrow>(source, i + (Low ? kCount : 0))));
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

// vpkpx: each word of VRA then VRB, a 8:8:8:8 pixel, becomes a 1:5:5:5
// halfword (bit 7 and the top five bits of each of the other three bytes).
Flow vpkpx(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  const u128 sources[2] = {vra(cpu, insn), vrb(cpu, insn)};
  u128 result = 0;
  for (unsigned i = 0; i < 8; ++i) {
    const u32 pixel = lane<u32>(sources[i / 4], i % 4);
    const auto packed = static_cast<u16>((((pixel >> 24) & 1) << 15) | (((pixel >> 19) & 0x1f) << 10) |
                                         (((pixel >> 11) & 0x1f) << 5) | ((pixel >> 3) & 0x1f));
    set_lane<u16>(result, i, packed);
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

// vupkhpx / vupklpx: 1:5:5:5 halfwords of VRB back to words, the first bit
// sign-extended over a byte and each 5-bit field in its own byte.
template <bool Low>
Flow vector_unpack_pixel(Cpu& cpu, const DecodedInsn& insn) {
  MOSAIC_REQUIRE_VECTOR(cpu);
  const u128 source = vrb(cpu, insn);
  u128 result = 0;
  for (unsigned i = 0; i < 4; ++i) {
    const u16 pixel = lane<u16>(source, i + (Low ? 4 : 0));
    const u32 word = ((pixel & 0x8000) ? 0xff000000u : 0) | (u32{(pixel >> 10) & 0x1fu} << 16) |
                     (u32{(pixel >> 5) & 0x1fu} << 8) | (pixel & 0x1fu);
    set_lane<u32>(result, i, word);
  }
  set_vrt(cpu, insn, result);
  return Flow::next;
}

#undef MOSAIC_REQUIRE_VECTOR

}  // namespace

void register_vmx_instructions(DecodeTable& table) {
  constexpr Handlers lvx = access<&load_vector_indexed, &load_vector_indexed_on_tlb_hit>;
  constexpr Handlers stvx = access<&store_vector_indexed, &store_vector_indexed_on_tlb_hit>;
  table.op31(103, lvx);
  table.op31(359, lvx);   // lvxl
  table.op31(231, stvx);
  table.op31(487, stvx);  // stvxl
  table.op31(7, chain<&load_vector_element<u8>>);               // lvebx
  table.op31(39, chain<&load_vector_element<u16>>);             // lvehx
  table.op31(71, chain<&load_vector_element<u32>>);             // lvewx
  table.op31(135, chain<&store_vector_element<u8>>);            // stvebx
  table.op31(167, chain<&store_vector_element<u16>>);           // stvehx
  table.op31(199, chain<&store_vector_element<u32>>);           // stvewx
  table.op31(6, vector_on_registers<&load_vector_for_shift<false>>);          // lvsl
  table.op31(38, vector_on_registers<&load_vector_for_shift<true>>);          // lvsr
  table.op31(342, chain<&stream_hint>);                         // dst
  table.op31(374, chain<&stream_hint>);                         // dstst
  table.op31(822, chain<&stream_hint>);                         // dss

  table.op4(1540, vector_on_registers<&mfvscr>);
  table.op4(1604, vector_on_registers<&mtvscr>);
  table.op4(1028, vector_on_registers<&vector_logical<and_op<u128>>>);              // vand
  table.op4(1092, vector_on_registers<&vector_logical<and_complement_op<u128>>>);   // vandc
  table.op4(1156, vector_on_registers<&vector_logical<or_op<u128>>>);               // vor
  table.op4(1220, vector_on_registers<&vector_logical<xor_op<u128>>>);              // vxor
  table.op4(1284, vector_on_registers<&vector_logical<nor_op<u128>>>);              // vnor
  table.op4(1348, vector_on_registers<&vector_logical<or_complement_op<u128>>>);    // vorc
  table.op4(1412, vector_on_registers<&vector_logical<nand_op<u128>>>);             // vnand
  table.op4(1668, vector_on_registers<&vector_logical<equivalent_op<u128>>>);       // veqv
  table.op4_va_form(42, vector_on_registers<&vsel>);
  table.op4_va_form(43, vector_on_registers<&vperm>);
  table.op4_va_form(44, vector_on_registers<&vsldoi>);
  table.op4_va_form(45, vector_on_registers<&vpermxor>);
  table.op4(452, vector_on_registers<&vector_shift_bits<false>>);             // vsl
  table.op4(708, vector_on_registers<&vector_shift_bits<true>>);              // vsr
  table.op4(1036, vector_on_registers<&vector_shift_octets<false>>);          // vslo
  table.op4(1100, vector_on_registers<&vector_shift_octets<true>>);           // vsro

  table.op4(12, vector_on_registers<&vector_merge<u8, false>>);               // vmrghb
  table.op4(76, vector_on_registers<&vector_merge<u16, false>>);              // vmrghh
  table.op4(140, vector_on_registers<&vector_merge<u32, false>>);             // vmrghw
  table.op4(268, vector_on_registers<&vector_merge<u8, true>>);               // vmrglb
  table.op4(332, vector_on_registers<&vector_merge<u16, true>>);              // vmrglh
  table.op4(396, vector_on_registers<&vector_merge<u32, true>>);              // vmrglw
  table.op4(1932, vector_on_registers<&vector_merge_words<0>>);               // vmrgew
  table.op4(1676, vector_on_registers<&vector_merge_words<1>>);               // vmrgow
  table.op4(524, vector_on_registers<&vector_splat<u8>>);                     // vspltb
  table.op4(588, vector_on_registers<&vector_splat<u16>>);                    // vsplth
  table.op4(652, vector_on_registers<&vector_splat<u32>>);                    // vspltw
  table.op4(780, vector_on_registers<&vector_splat_immediate<u8>>);           // vspltisb
  table.op4(844, vector_on_registers<&vector_splat_immediate<u16>>);          // vspltish
  table.op4(908, vector_on_registers<&vector_splat_immediate<u32>>);          // vspltisw

  table.op4(14, vector_on_registers<&vector_pack<u16, Pack::modulo>>);                 // vpkuhum
  table.op4(78, vector_on_registers<&vector_pack<u32, Pack::modulo>>);                 // vpkuwum
  table.op4(1102, vector_on_registers<&vector_pack<u64, Pack::modulo>>);               // vpkudum
  table.op4(142, vector_on_registers<&vector_pack<u16, Pack::unsigned_saturate>>);     // vpkuhus
  table.op4(206, vector_on_registers<&vector_pack<u32, Pack::unsigned_saturate>>);     // vpkuwus
  table.op4(1230, vector_on_registers<&vector_pack<u64, Pack::unsigned_saturate>>);    // vpkudus
  table.op4(270, vector_on_registers<&vector_pack<u16, Pack::signed_to_unsigned>>);    // vpkshus
  table.op4(334, vector_on_registers<&vector_pack<u32, Pack::signed_to_unsigned>>);    // vpkswus
  table.op4(1358, vector_on_registers<&vector_pack<u64, Pack::signed_to_unsigned>>);   // vpksdus
  table.op4(398, vector_on_registers<&vector_pack<u16, Pack::signed_saturate>>);       // vpkshss
  table.op4(462, vector_on_registers<&vector_pack<u32, Pack::signed_saturate>>);       // vpkswss
  table.op4(1486, vector_on_registers<&vector_pack<u64, Pack::signed_saturate>>);      // vpksdss
  table.op4(782, vector_on_registers<&vpkpx>);
  table.op4(846, vector_on_registers<&vector_unpack_pixel<false>>);                    // vupkhpx
  table.op4(974, vector_on_registers<&vector_unpack_pixel<true>>);                     // vupklpx
  table.op4(526, vector_on_registers<&vector_unpack<std::int8_t, false>>);             // vupkhsb
  table.op4(654, vector_on_registers<&vector_unpack<std::int8_t, true>>);              // vupklsb
  table.op4(590, vector_on_registers<&vector_unpack<std::int16_t, false>>);            // vupkhsh
  table.op4(718, vector_on_registers<&vector_unpack<std::int16_t, true>>);             // vupklsh
  table.op4(1614, vector_on_registers<&vector_unpack<std::int32_t, false>>);           // vupkhsw
  table.op4(1742, vector_on_registers<&vector_unpack<std::int32_t, true>>);            // vupklsw

  register_vmx_arithmetic_instructions(table);
}

}  // namespace mosaic::interp
