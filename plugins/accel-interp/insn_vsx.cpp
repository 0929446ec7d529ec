// The VSX instructions that are not floating-point arithmetic (Power ISA
// 2.07B Book I chapter 7): loads and stores, moves to and from GPRs, the
// logical, merge, permute, shift, splat and select instructions, and the
// sign manipulations of the FP-format values, which are pure bit operations
// and neither round nor touch the FPSCR.
//
// VSR 0-31 overlay the FPRs in their high doubleword and VSR 32-63 are the
// VRs (CpuState::vsr). Every handler performs all of its memory accesses
// before it writes any register (cpu.hpp).
#include <array>
#include <cstdint>

#include "cpu.hpp"
#include "float_format.hpp"
#include "insn_common.hpp"
#include "insn_groups.hpp"

namespace mosaic::interp {

namespace {

using u64 = std::uint64_t;
using u32 = std::uint32_t;

// --- Operand fields. The 6-bit VSR numbers keep their high bit apart from
// the 5-bit field (Book I 1.6.1.x, XX1 - XX4 forms): TX/SX in bit 31 for
// every form, BX in bit 30, AX in bit 29 and CX in bit 28. ---

unsigned xt(const DecodedInsn& insn) { return insn.rt | (bits(insn.word, 31, 31) << 5); }
unsigned xa(const DecodedInsn& insn) { return insn.ra | (bits(insn.word, 29, 29) << 5); }
unsigned xb(const DecodedInsn& insn) { return insn.rb | (bits(insn.word, 30, 30) << 5); }
unsigned xc(const DecodedInsn& insn) { return bits(insn.word, 21, 25) | (bits(insn.word, 28, 28) << 5); }

// --- Facility checks. ---

bool vsx_available(const Cpu& cpu) { return cpu.state.msr & msr_bit::kVsx; }
Flow vsx_unavailable(Cpu& cpu) { return cpu.interrupt(Vector::vsx_unavailable, cpu.state.nip); }

// A VSX instruction that computes on VSRs only.
template <Handler Execute>
constexpr Handlers vsx_on_registers = facility_on_registers<Execute, &vsx_available>;

// The GPR moves belong to the facility whose registers they touch: VSR 0-31
// are the FPRs' (MSR[FP]) and VSR 32-63 the VRs' (MSR[VEC]); MSR[VSX] does
// not take part (Book I 7.6.1.x, mfvsrd and friends).
bool move_available(const Cpu& cpu, unsigned vsr) {
  return cpu.state.msr & (vsr < 32 ? ppc::msr::kFloatingPoint : msr_bit::kVector);
}
Flow move_unavailable(Cpu& cpu, unsigned vsr) {
  return cpu.interrupt(vsr < 32 ? Vector::fp_unavailable : Vector::vector_unavailable, cpu.state.nip);
}

// --- Word views of a quadword: word 0 is the most significant. ---

using Words = std::array<u32, 4>;

Words to_words(const Quadword& q) {
  return {static_cast<u32>(q[0] >> 32), static_cast<u32>(q[0]), static_cast<u32>(q[1] >> 32),
          static_cast<u32>(q[1])};
}
Quadword from_words(const Words& w) {
  return {(u64{w[0]} << 32) | w[1], (u64{w[2]} << 32) | w[3]};
}

// --- Loads and stores (Book I 7.6.1.x). EA = (RA|0) + RB; POWER8 handles
// any alignment in cacheable storage, so none is checked. ---

// lxvd2x / lxvw4x: element i comes from EA + i * size, each element in the
// current byte order. In little-endian mode this reverses the bytes of each
// element but keeps element 0 at the lowest address (unlike lvx).
// `Fast`: through the soft TLB's hit path alone (chained_access), false with
// nothing done where an element would take the slow path; stores then need
// all 16 bytes in one page, so that none is stored before a miss.
template <class T, bool Fast>
bool load_elements(Cpu& cpu, u64 ea, Quadword& value) {
  constexpr unsigned kCount = 16 / sizeof(T);
  std::array<T, kCount> elements{};
  for (unsigned i = 0; i < kCount; ++i) {
    const u64 address = ea + i * sizeof(T);
    if (!(Fast ? cpu.load_from_tlb(address, elements[i]) : cpu.load(address, elements[i]))) return false;
  }
  if constexpr (sizeof(T) == 8) {
    value = {elements[0], elements[1]};
  } else {
    value = from_words(elements);
  }
  return true;
}

template <class T, bool Fast>
bool store_elements(Cpu& cpu, u64 ea, const Quadword& value) {
  if (Fast && !within_one_tlb_page(cpu, ea, 16)) return false;
  const auto store = [&cpu](u64 address, auto element) {
    return Fast ? cpu.store_to_tlb(address, element) : cpu.store(address, element);
  };
  if constexpr (sizeof(T) == 8) {
    return store(ea, value[0]) && store(ea + 8, value[1]);
  } else {
    const Words words = to_words(value);
    for (unsigned i = 0; i < 4; ++i) {
      if (!store(ea + 4 * i, words[i])) return false;
    }
    return true;
  }
}

template <class T>
Flow load_vector(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  Quadword value{};
  if (!load_elements<T, false>(cpu, indexed_effective_address(cpu, insn), value)) return cpu.aborted();
  cpu.state.set_vsr(xt(insn), value);
  return Flow::next;
}

template <class T>
bool load_vector_on_tlb_hit(Cpu& cpu, const DecodedInsn& insn) {
  Quadword value{};
  if (!vsx_available(cpu) || !load_elements<T, true>(cpu, indexed_effective_address(cpu, insn), value)) return false;
  cpu.state.set_vsr(xt(insn), value);
  return true;
}

template <class T>
Flow store_vector(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  if (!store_elements<T, false>(cpu, indexed_effective_address(cpu, insn), cpu.state.vsr(xt(insn)))) {
    return cpu.aborted();
  }
  return Flow::next;
}

template <class T>
bool store_vector_on_tlb_hit(Cpu& cpu, const DecodedInsn& insn) {
  return vsx_available(cpu) && store_elements<T, true>(cpu, indexed_effective_address(cpu, insn), cpu.state.vsr(xt(insn)));
}

template <class T>
constexpr Handlers vector_load = access<&load_vector<T>, &load_vector_on_tlb_hit<T>>;
template <class T>
constexpr Handlers vector_store = access<&store_vector<T>, &store_vector_on_tlb_hit<T>>;

// lxvdsx: one doubleword, copied into both elements.
Flow lxvdsx(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  u64 value = 0;
  if (!cpu.load(indexed_effective_address(cpu, insn), value)) return cpu.aborted();
  cpu.state.set_vsr(xt(insn), {value, value});
  return Flow::next;
}

// Scalar formats: what memory holds and how doubleword 0 of the VSR holds
// it. Doubleword 1 is undefined after a scalar load; it is cleared.
enum class Scalar { doubleword, word_signed, word_zero, single };

template <Scalar Format>
Flow load_scalar(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const u64 ea = indexed_effective_address(cpu, insn);
  u64 value = 0;
  if constexpr (Format == Scalar::doubleword) {
    if (!cpu.load(ea, value)) return cpu.aborted();
  } else {
    u32 word = 0;
    if (!cpu.load(ea, word)) return cpu.aborted();
    if constexpr (Format == Scalar::single) value = fp::single_to_double(word);
    else if constexpr (Format == Scalar::word_signed) value = sign_extend_word(word);
    else value = word;
  }
  cpu.state.set_vsr(xt(insn), {value, 0});
  return Flow::next;
}

template <Scalar Format>
Flow store_scalar(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const u64 ea = indexed_effective_address(cpu, insn);
  const u64 source = cpu.state.vsr(xt(insn))[0];
  bool stored = false;
  if constexpr (Format == Scalar::doubleword) stored = cpu.store(ea, source);
  else if constexpr (Format == Scalar::single) stored = cpu.store(ea, fp::double_to_single(source));
  else stored = cpu.store(ea, static_cast<u32>(source));  // stxsiwx: word 1, as is
  return stored ? Flow::next : cpu.aborted();
}

// --- Moves between GPRs and VSRs (Book I 7.6.1.x). XS/XT is in the RT
// field with SX/TX in bit 31; the GPR is RA. A move to a VSR writes
// doubleword 0; doubleword 1 is undefined and cleared. ---

enum class GprPart { doubleword, word_zero, word_signed };

template <GprPart Part>
Flow move_from_vsr(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned source = xt(insn);
  if (!move_available(cpu, source)) return move_unavailable(cpu, source);
  const u64 value = cpu.state.vsr(source)[0];
  cpu.state.gpr[insn.ra] = Part == GprPart::doubleword ? value : (value & 0xffffffff);
  return Flow::next;
}

template <GprPart Part>
Flow move_to_vsr(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned target = xt(insn);
  if (!move_available(cpu, target)) return move_unavailable(cpu, target);
  const u64 gpr = cpu.state.gpr[insn.ra];
  u64 value = gpr;
  if constexpr (Part == GprPart::word_zero) value = gpr & 0xffffffff;
  else if constexpr (Part == GprPart::word_signed) value = sign_extend_word(gpr);
  cpu.state.set_vsr(target, {value, 0});
  return Flow::next;
}

// --- Doubleword-wise bit operations: the logical instructions and the
// FP-format sign manipulations (Book I 7.6.1.x). Scalar forms work on
// doubleword 0 and leave doubleword 1 undefined (cleared). ---

constexpr u64 kDoubleSign = u64{1} << 63;
constexpr u64 kSingleSigns = 0x8000000080000000ull;  // both words of a doubleword

template <u64 (*Op)(u64 a, u64 b), bool Scalar = false>
Flow bitwise_binary(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Quadword a = cpu.state.vsr(xa(insn));
  const Quadword b = cpu.state.vsr(xb(insn));
  cpu.state.set_vsr(xt(insn), {Op(a[0], b[0]), Scalar ? 0 : Op(a[1], b[1])});
  return Flow::next;
}

template <u64 (*Op)(u64 b), bool Scalar = false>
Flow bitwise_unary(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Quadword b = cpu.state.vsr(xb(insn));
  cpu.state.set_vsr(xt(insn), {Op(b[0]), Scalar ? 0 : Op(b[1])});
  return Flow::next;
}


// Sign bits from A, everything else from B.
template <u64 Signs>
u64 copy_sign(u64 a, u64 b) { return (a & Signs) | (b & ~Signs); }
template <u64 Signs>
u64 absolute(u64 b) { return b & ~Signs; }
template <u64 Signs>
u64 negative_absolute(u64 b) { return b | Signs; }
template <u64 Signs>
u64 negate(u64 b) { return b ^ Signs; }

// --- Merge, permute, shift, splat and select (Book I 7.6.1.x). ---

// xxmrghw / xxmrglw interleave words 0-1 (high) or 2-3 (low) of A and B.
template <unsigned First>
Flow merge_words(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Words a = to_words(cpu.state.vsr(xa(insn)));
  const Words b = to_words(cpu.state.vsr(xb(insn)));
  cpu.state.set_vsr(xt(insn), from_words({a[First], b[First], a[First + 1], b[First + 1]}));
  return Flow::next;
}

// xxpermdi: DM (bits 22:23) picks doubleword DM[0] of A and DM[1] of B.
Flow xxpermdi(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Quadword a = cpu.state.vsr(xa(insn));
  const Quadword b = cpu.state.vsr(xb(insn));
  cpu.state.set_vsr(xt(insn), {a[bits(insn.word, 22, 22)], b[bits(insn.word, 23, 23)]});
  return Flow::next;
}

// xxsldwi: words SHW..SHW+3 of the eight-word concatenation A || B.
Flow xxsldwi(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Words a = to_words(cpu.state.vsr(xa(insn)));
  const Words b = to_words(cpu.state.vsr(xb(insn)));
  const unsigned shift = bits(insn.word, 22, 23);
  Words result{};
  for (unsigned i = 0; i < 4; ++i) result[i] = i + shift < 4 ? a[i + shift] : b[i + shift - 4];
  cpu.state.set_vsr(xt(insn), from_words(result));
  return Flow::next;
}

// xxspltw: word UIM (bits 14:15) of B in all four words.
Flow xxspltw(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const u32 word = to_words(cpu.state.vsr(xb(insn)))[bits(insn.word, 14, 15)];
  cpu.state.set_vsr(xt(insn), from_words({word, word, word, word}));
  return Flow::next;
}

// xxsel: each bit from B where C has a one, from A where it has a zero.
Flow xxsel(Cpu& cpu, const DecodedInsn& insn) {
  if (!vsx_available(cpu)) return vsx_unavailable(cpu);
  const Quadword a = cpu.state.vsr(xa(insn));
  const Quadword b = cpu.state.vsr(xb(insn));
  const Quadword c = cpu.state.vsr(xc(insn));
  cpu.state.set_vsr(xt(insn), {(a[0] & ~c[0]) | (b[0] & c[0]), (a[1] & ~c[1]) | (b[1] & c[1])});
  return Flow::next;
}

}  // namespace

void register_vsx_instructions(DecodeTable& table) {
  using enum Scalar;
  table.op31(588, chain<&load_scalar<doubleword>>);    // lxsdx
  table.op31(76, chain<&load_scalar<word_signed>>);    // lxsiwax
  table.op31(12, chain<&load_scalar<word_zero>>);      // lxsiwzx
  table.op31(524, chain<&load_scalar<single>>);        // lxsspx
  table.op31(716, chain<&store_scalar<doubleword>>);   // stxsdx
  table.op31(140, chain<&store_scalar<word_zero>>);    // stxsiwx
  table.op31(652, chain<&store_scalar<single>>);       // stxsspx
  table.op31(844, vector_load<u64>);                   // lxvd2x
  table.op31(780, vector_load<u32>);                   // lxvw4x
  table.op31(332, chain<&lxvdsx>);
  table.op31(972, vector_store<u64>);                  // stxvd2x
  table.op31(908, vector_store<u32>);                  // stxvw4x

  table.op31(51, chain<&move_from_vsr<GprPart::doubleword>>);   // mfvsrd
  table.op31(115, chain<&move_from_vsr<GprPart::word_zero>>);   // mfvsrwz
  table.op31(179, chain<&move_to_vsr<GprPart::doubleword>>);    // mtvsrd
  table.op31(211, chain<&move_to_vsr<GprPart::word_signed>>);   // mtvsrwa
  table.op31(243, chain<&move_to_vsr<GprPart::word_zero>>);     // mtvsrwz

  table.op60_xx3(130, vsx_on_registers<&bitwise_binary<&and_op<u64>>>);   // xxland
  table.op60_xx3(138, vsx_on_registers<&bitwise_binary<&and_complement_op<u64>>>);  // xxlandc
  table.op60_xx3(146, vsx_on_registers<&bitwise_binary<&or_op<u64>>>);    // xxlor
  table.op60_xx3(154, vsx_on_registers<&bitwise_binary<&xor_op<u64>>>);   // xxlxor
  table.op60_xx3(162, vsx_on_registers<&bitwise_binary<&nor_op<u64>>>);   // xxlnor
  table.op60_xx3(170, vsx_on_registers<&bitwise_binary<&or_complement_op<u64>>>);   // xxlorc
  table.op60_xx3(178, vsx_on_registers<&bitwise_binary<&nand_op<u64>>>);  // xxlnand
  table.op60_xx3(186, vsx_on_registers<&bitwise_binary<&equivalent_op<u64>>>);   // xxleqv

  table.op60_xx3(18, vsx_on_registers<&merge_words<0>>);  // xxmrghw
  table.op60_xx3(50, vsx_on_registers<&merge_words<2>>);  // xxmrglw
  // DM / SHW sit in bits 22:23 of the 8-bit extended opcode (bit 21 is 0).
  for (unsigned field = 0; field < 4; ++field) {
    table.op60_xx3((field << 5) | 10, vsx_on_registers<&xxpermdi>);
    table.op60_xx3((field << 5) | 2, vsx_on_registers<&xxsldwi>);
  }
  table.op60_xx2(164, vsx_on_registers<&xxspltw>);
  table.op60_xx4(3, vsx_on_registers<&xxsel>);

  table.op60_xx2(345, vsx_on_registers<&bitwise_unary<&absolute<kDoubleSign>, true>>);            // xsabsdp
  table.op60_xx2(361, vsx_on_registers<&bitwise_unary<&negative_absolute<kDoubleSign>, true>>);   // xsnabsdp
  table.op60_xx2(377, vsx_on_registers<&bitwise_unary<&negate<kDoubleSign>, true>>);              // xsnegdp
  table.op60_xx3(176, vsx_on_registers<&bitwise_binary<&copy_sign<kDoubleSign>, true>>);          // xscpsgndp
  table.op60_xx2(473, vsx_on_registers<&bitwise_unary<&absolute<kDoubleSign>>>);                  // xvabsdp
  table.op60_xx2(489, vsx_on_registers<&bitwise_unary<&negative_absolute<kDoubleSign>>>);         // xvnabsdp
  table.op60_xx2(505, vsx_on_registers<&bitwise_unary<&negate<kDoubleSign>>>);                    // xvnegdp
  table.op60_xx3(240, vsx_on_registers<&bitwise_binary<&copy_sign<kDoubleSign>>>);                // xvcpsgndp
  table.op60_xx2(409, vsx_on_registers<&bitwise_unary<&absolute<kSingleSigns>>>);                 // xvabssp
  table.op60_xx2(425, vsx_on_registers<&bitwise_unary<&negative_absolute<kSingleSigns>>>);        // xvnabssp
  table.op60_xx2(441, vsx_on_registers<&bitwise_unary<&negate<kSingleSigns>>>);                   // xvnegsp
  table.op60_xx3(208, vsx_on_registers<&bitwise_binary<&copy_sign<kSingleSigns>>>);               // xvcpsgnsp
  register_vsx_float_instructions(table);
}

}  // namespace mosaic::interp
