// Branches, condition register logic and CR moves (Power ISA 2.07 Book I
// 2.4 - 2.5, and mfcr/mtcrf from 3.3.15).
#include <array>
#include <bit>
#include <cstdint>
#include <utility>

#include "cpu.hpp"
#include "insn_groups.hpp"

namespace mosaic::interp {

namespace {

using u64 = std::uint64_t;

// BO bits (Book I 2.4, figure 40), as masks of the 5-bit field.
constexpr unsigned kBoIgnoreCondition = 0x10;  // BO_0
constexpr unsigned kBoConditionTrue = 0x08;    // BO_1
constexpr unsigned kBoKeepCtr = 0x04;          // BO_2
constexpr unsigned kBoCtrZero = 0x02;          // BO_3

bool link(const DecodedInsn& insn) { return insn.word & 1; }
bool absolute(const DecodedInsn& insn) { return bits(insn.word, 30, 30); }

// Decrements CTR unless BO_2 says not to, then evaluates the branch
// condition. In 32-bit mode only CTR[32:63] is tested (Book I 2.4).
bool branch_condition_met(Cpu& cpu, unsigned bo, unsigned bi) {
  bool ctr_ok = true;
  if (!(bo & kBoKeepCtr)) {
    --cpu.state.ctr;
    const bool ctr_nonzero = (cpu.state.ctr & cpu.address_mask()) != 0;
    ctr_ok = ctr_nonzero != static_cast<bool>(bo & kBoCtrZero);
  }
  const bool condition_ok =
      (bo & kBoIgnoreCondition) || cpu.state.cr_bit(bi) == static_cast<bool>(bo & kBoConditionTrue);
  return ctr_ok && condition_ok;
}

// LK=1 saves the address of the next instruction whether or not the branch
// is taken; in 32-bit mode both it and the target lose their high word.
Flow finish_branch(Cpu& cpu, const DecodedInsn& insn, bool taken, u64 target) {
  if (link(insn)) cpu.state.lr = (cpu.state.nip + 4) & cpu.address_mask();
  if (!taken) return Flow::next;
  cpu.state.nip = target & cpu.address_mask();
  return Flow::jump;
}

u64 relative_target(const Cpu& cpu, const DecodedInsn& insn, std::int64_t displacement) {
  return absolute(insn) ? static_cast<u64>(displacement) : cpu.state.nip + static_cast<u64>(displacement);
}

// b, ba, bl, bla (I-form): imm holds LI, sign-extended, times 4 (decode).
Flow branch(Cpu& cpu, const DecodedInsn& insn) {
  return finish_branch(cpu, insn, true, relative_target(cpu, insn, insn.imm));
}

// bc (B-form): BO = bits 6:10, BI = bits 11:15, BD = bits 16:29.
// bc, specialised at decode time by what BO tests: beq, bne and the like
// test a CR bit only, bdnz only CTR.
// Bit >= 0: BI, and Expected BO_1, known at decode time.
template <bool TestsCtr, bool TestsCondition, int Bit = -1, bool Expected = false>
bool conditional_branch_taken(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned bo = insn.rt;
  bool taken = true;
  if constexpr (TestsCtr) {
    --cpu.state.ctr;
    taken = ((cpu.state.ctr & cpu.address_mask()) != 0) != static_cast<bool>(bo & kBoCtrZero);
  }
  if constexpr (TestsCondition && Bit >= 0) {
    taken = taken && cpu.state.cr_bit(Bit) == Expected;
  } else if constexpr (TestsCondition) {
    taken = taken && cpu.state.cr_bit(insn.ra) == static_cast<bool>(bo & kBoConditionTrue);
  }
  return taken;
}

template <bool TestsCtr, bool TestsCondition>
Flow branch_conditional(Cpu& cpu, const DecodedInsn& insn) {
  const bool taken = conditional_branch_taken<TestsCtr, TestsCondition>(cpu, insn);
  return finish_branch(cpu, insn, taken, relative_target(cpu, insn, insn.imm));
}

// The chained form of b and bc with AA=0 and LK=0, the branches of loops
// and ifs: a target in the same page is the decoded entry displacement / 4
// further on, reached without a look at MSR[SF], the fetch page or the MMU
// (a target in the page cannot leave a 32-bit address space). Elsewhere it
// finishes as the plain handler does.
template <bool IForm, bool TestsCtr, bool TestsCondition, int Bit = -1, bool Expected = false>
Flow relative_branch_chained(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end) {
  const bool taken = IForm || conditional_branch_taken<TestsCtr, TestsCondition, Bit, Expected>(cpu, insn);
  if (!taken) return fall_through(cpu, insn, budget_end);
  return take_relative_branch(cpu, insn, insn.imm, budget_end);
}

// The chained forms that test a CR bit, indexed by BI * 2 + BO_1: the bit
// is tested with a constant mask.
template <bool TestsCtr, std::size_t... Index>
constexpr std::array<ChainedHandler, sizeof...(Index)> cr_bit_branches(std::index_sequence<Index...>) {
  return {&relative_branch_chained<false, TestsCtr, true, static_cast<int>(Index / 2), (Index & 1) != 0>...};
}

template <bool TestsCtr, bool TestsCondition>
Handlers bc_handlers(std::uint32_t word) {
  constexpr Handler plain = &branch_conditional<TestsCtr, TestsCondition>;
  if (word & 3) return chain<plain>;  // AA or LK
  if constexpr (TestsCondition) {
    static constexpr auto chained = cr_bit_branches<TestsCtr>(std::make_index_sequence<64>{});
    return {plain, chained[bits(word, 11, 15) * 2 + ((bits(word, 6, 10) & kBoConditionTrue) != 0)]};
  }
  return {plain, &relative_branch_chained<false, TestsCtr, TestsCondition>};
}

Handlers choose_branch_conditional(std::uint32_t word) {
  const unsigned bo = bits(word, 6, 10);
  const bool tests_ctr = !(bo & kBoKeepCtr), tests_condition = !(bo & kBoIgnoreCondition);
  if (tests_ctr) return tests_condition ? bc_handlers<true, true>(word) : bc_handlers<true, false>(word);
  return tests_condition ? bc_handlers<false, true>(word) : bc_handlers<false, false>(word);
}

Handlers choose_branch(std::uint32_t word) {
  if (word & 3) return chain<&branch>;  // AA or LK
  return {&branch, &relative_branch_chained<true, false, false>};
}

Flow branch_conditional_to_lr(Cpu& cpu, const DecodedInsn& insn) {
  const u64 target = cpu.state.lr & ~u64{3};  // read before bclrl overwrites LR
  const bool taken = branch_condition_met(cpu, insn.rt, insn.ra);
  return finish_branch(cpu, insn, taken, target);
}

// bcctr with BO_2 = 0 decrements the CTR it branches through: an invalid
// form in the ISA, but POWER8 (its user manual, as QEMU follows) decrements
// and tests CTR, branching to its value from before. Linux's count-cache
// flush ("bcctr 2,0,0", H_GET_CPU_CHARACTERISTICS' BCCTR_FLUSH_ASSIST)
// relies on that form not trapping.
Flow branch_conditional_to_ctr(Cpu& cpu, const DecodedInsn& insn) {
  const u64 target = cpu.state.ctr & ~u64{3};
  const bool taken = branch_condition_met(cpu, insn.rt, insn.ra);
  return finish_branch(cpu, insn, taken, target);
}

Flow branch_conditional_to_tar(Cpu& cpu, const DecodedInsn& insn) {
  const bool taken = branch_condition_met(cpu, insn.rt, insn.ra);
  return finish_branch(cpu, insn, taken, cpu.state.tar & ~u64{3});
}

// --- CR logical (Book I 2.5.1): CR[BT] = CR[BA] op CR[BB]. ---

template <bool (*Operation)(bool, bool)>
Flow condition_register_logical(Cpu& cpu, const DecodedInsn& insn) {
  cpu.state.set_cr_bit(insn.rt, Operation(cpu.state.cr_bit(insn.ra), cpu.state.cr_bit(insn.rb)));
  return Flow::next;
}

constexpr bool logical_and(bool a, bool b) { return a && b; }
constexpr bool logical_or(bool a, bool b) { return a || b; }
constexpr bool logical_xor(bool a, bool b) { return a != b; }
constexpr bool logical_nand(bool a, bool b) { return !(a && b); }
constexpr bool logical_nor(bool a, bool b) { return !(a || b); }
constexpr bool logical_eqv(bool a, bool b) { return a == b; }
constexpr bool logical_and_complement(bool a, bool b) { return a && !b; }
constexpr bool logical_or_complement(bool a, bool b) { return a || !b; }

// mcrf: BF = bits 6:8, BFA = bits 11:13.
Flow mcrf(Cpu& cpu, const DecodedInsn& insn) {
  cpu.state.set_cr_field(insn.rt >> 2, cpu.state.cr_field(insn.ra >> 2));
  return Flow::next;
}

// --- CR moves (Book I 3.3.15). Bit 11 selects the one-field forms
// (mfocrf, mtocrf); FXM is bits 12:19, its MSB naming CR0. ---

bool one_field_form(const DecodedInsn& insn) { return bits(insn.word, 11, 11); }
unsigned field_mask(const DecodedInsn& insn) { return bits(insn.word, 12, 19); }

// The CR bits of the fields FXM selects.
std::uint32_t cr_bits_selected(unsigned fxm) {
  std::uint32_t mask = 0;
  for (unsigned field = 0; field < 8; ++field) {
    if (fxm & (0x80u >> field)) mask |= 0xfu << (28 - 4 * field);
  }
  return mask;
}

// mfocrf with exactly one FXM bit returns that field and zeros; with any
// other FXM RT is undefined, and gets the whole CR as mfcr does.
Flow move_from_cr(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned fxm = field_mask(insn);
  std::uint32_t value = cpu.state.cr;
  if (one_field_form(insn) && std::popcount(fxm) == 1) value &= cr_bits_selected(fxm);
  cpu.state.gpr[insn.rt] = value;
  return Flow::next;
}

// mtcrf and mtocrf both replace the selected fields from RS[32:63] (mtocrf
// with other than one FXM bit leaves the fields undefined).
Flow move_to_cr(Cpu& cpu, const DecodedInsn& insn) {
  const std::uint32_t mask = cr_bits_selected(field_mask(insn));
  const auto source = static_cast<std::uint32_t>(cpu.state.gpr[insn.rt]);
  cpu.state.cr = (cpu.state.cr & ~mask) | (source & mask);
  return Flow::next;
}

}  // namespace

void register_branch_instructions(DecodeTable& table) {
  table.primary(18, chosen_by<&choose_branch>);
  table.primary(16, chosen_by<&choose_branch_conditional>);
  table.op19(16, chain<&branch_conditional_to_lr>);
  table.op19(528, chain<&branch_conditional_to_ctr>);
  table.op19(560, chain<&branch_conditional_to_tar>);

  table.op19(257, on_registers<&condition_register_logical<logical_and>>);
  table.op19(449, on_registers<&condition_register_logical<logical_or>>);
  table.op19(193, on_registers<&condition_register_logical<logical_xor>>);
  table.op19(225, on_registers<&condition_register_logical<logical_nand>>);
  table.op19(33, on_registers<&condition_register_logical<logical_nor>>);
  table.op19(289, on_registers<&condition_register_logical<logical_eqv>>);
  table.op19(129, on_registers<&condition_register_logical<logical_and_complement>>);
  table.op19(417, on_registers<&condition_register_logical<logical_or_complement>>);
  table.op19(0, on_registers<&mcrf>);

  table.op31(19, on_registers<&move_from_cr>);
  table.op31(144, on_registers<&move_to_cr>);
}

}  // namespace mosaic::interp
