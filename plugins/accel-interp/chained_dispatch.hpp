// Chained dispatch: each instruction's handler, once done, jumps straight to
// the next instruction's, instead of returning to the run loop to be called
// from there. One indirect call site in the loop predicts badly, since every
// instruction goes through it; a jump at the end of each handler learns
// what usually follows that handler. GCC and clang at -O2 compile the
// final call as a jump (a sibling call); where they do not (sanitizer or
// unoptimised builds), the chain's budget plus one page of straight code
// bounds the depth (Cpu::settle_chain).
//
// The opcode tables register `chain<&handler>`, `on_registers<&handler>` or
// `access<&handler, &try_hit>`; execution stays exactly what the plain
// handler does (run_debug and tracing call the plain one).
#pragma once

#include <cassert>

#include "cpu.hpp"
#include "decoder.hpp"

namespace mosaic::interp {

// flatten: the handler and the helpers it calls in its own file are inlined
// here, so that a chained instruction is one function.
// The default: the chain is settled (Cpu::settle_chain) before the
// handler runs, which may then take an interrupt, jump, or read nip and the
// retired count as the run loop would let it.
template <Handler Execute>
[[gnu::flatten]] Flow chained(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end) {
  cpu.settle_chain(insn, budget_end);
  const Flow flow = Execute(cpu, insn);
  const DecodedInsn* next = cpu.chain_next(flow, insn, budget_end);
  if (next == nullptr) return flow == Flow::jump ? chain_to_other_page(cpu, insn, budget_end) : flow;
  return next->chained(cpu, *next, budget_end);
}

template <Handler Execute>
inline constexpr Handlers chain{Execute, &chained<Execute>};

// chained<Execute> out of line, for the unlikely way out of a fast handler
// (a soft-TLB miss, a facility turned off): a tail call, so that the fast
// way needs no stack frame.
template <Handler Execute>
[[gnu::noinline]] Flow chained_after_miss(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end) {
  return chained<Execute>(cpu, insn, budget_end);
}

// Falls through to the next entry without settling.
[[gnu::always_inline]] inline Flow fall_through(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end) {
  const DecodedInsn* next = &insn + 1;
  return next->chained(cpu, *next, budget_end);
}

// An instruction that only computes on registers (GPRs, CR, XER, LR, CTR,
// and reads MSR): it cannot take an interrupt, does not jump, and reads
// neither nip nor the retired count. It leaves the chain unsettled and
// falls through to the next entry: no accounting, no test (see
// Cpu::settle_chain).
template <Handler Execute>
[[gnu::flatten]] Flow chained_on_registers(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end) {
  cpu.poison_unsettled_state();
  [[maybe_unused]] const Flow flow = Execute(cpu, insn);
  assert(flow == Flow::next && cpu.state.nip == Cpu::kUnsettledNip);
  return fall_through(cpu, insn, budget_end);
}

template <Handler Execute>
inline constexpr Handlers on_registers{Execute, &chained_on_registers<Execute>};

// An on_registers instruction of a facility MSR can turn off (VMX, VSX):
// while `Available` says it is on, the instruction runs unsettled as
// on_registers runs it; off, it runs settled, as chain<Execute> does, and
// takes the facility-unavailable interrupt there.
using FacilityTest = bool (*)(const Cpu& cpu);

template <Handler Execute, FacilityTest Available>
[[gnu::flatten]] Flow chained_facility_on_registers(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end) {
  if (!Available(cpu)) [[unlikely]] return chained_after_miss<Execute>(cpu, insn, budget_end);
  return chained_on_registers<Execute>(cpu, insn, budget_end);
}

template <Handler Execute, FacilityTest Available>
inline constexpr Handlers facility_on_registers{Execute, &chained_facility_on_registers<Execute, Available>};

// A relative branch taken `step` bytes from `insn`, at the end of a chained
// handler: on in the chain where Cpu::chain_taken allows, or in the
// target's page where chain_to_other_page does; else settled and back to
// the run loop with the target in nip.
[[gnu::always_inline]] inline Flow take_relative_branch(Cpu& cpu, const DecodedInsn& insn, std::int64_t step,
                                                        std::uintptr_t budget_end) {
  if (const DecodedInsn* next; cpu.chain_taken(insn, step, budget_end, next)) {
    return next->chained(cpu, *next, budget_end);
  }
  cpu.state.nip = (cpu.state.nip + static_cast<std::uint64_t>(step)) & cpu.address_mask();
  return chain_to_other_page(cpu, insn, budget_end);
}

// An on_registers instruction fused with the bc after it (see
// fused_chained): one dispatch for the pair. The branch's entry holds its
// operands: BO in rt (BO_1, 0x08: the value the bit must have), BI in ra,
// and the displacement in imm. It goes on as the chained bc does, from the
// branch's address.
template <Handler Execute>
[[gnu::flatten]] Flow chained_then_branch(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end) {
  cpu.poison_unsettled_state();
  [[maybe_unused]] const Flow flow = Execute(cpu, insn);
  assert(flow == Flow::next && cpu.state.nip == Cpu::kUnsettledNip);
  const DecodedInsn& branch = *(&insn + 1);
  if (cpu.state.cr_bit(branch.ra) != ((branch.rt & 0x08) != 0)) return fall_through(cpu, branch, budget_end);
  return take_relative_branch(cpu, branch, branch.imm, budget_end);
}

template <Handler Execute>
inline constexpr Handlers on_registers_then_branch{Execute, &chained_on_registers<Execute>, nullptr,
                                                   &chained_then_branch<Execute>};

// A load or store whose soft-TLB hit works on registers and memory alone.
// TryHit does the instruction if the access hits in the soft TLB, and
// otherwise returns false having changed nothing; then Execute runs,
// settled, as chain<Execute> runs it (chained_after_miss).
using HitHandler = bool (*)(Cpu& cpu, const DecodedInsn& insn);

template <Handler Execute, HitHandler TryHit>
[[gnu::flatten]] Flow chained_access(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end) {
  cpu.poison_unsettled_state();
  if (!TryHit(cpu, insn)) [[unlikely]] return chained_after_miss<Execute>(cpu, insn, budget_end);
  return fall_through(cpu, insn, budget_end);
}

template <Handler Execute, HitHandler TryHit>
inline constexpr Handlers access{Execute, &chained_access<Execute, TryHit>};

// An instruction after which the run loop must fetch through the MMU again
// (it forgets the fetch page: SLB and TLB invalidation, icbi) ends its
// chain: chain_next relies on that and does not check.
template <Handler Execute>
Flow chain_ending(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end) {
  cpu.settle_chain(insn, budget_end);
  return Execute(cpu, insn);
}

template <Handler Execute>
inline constexpr Handlers chain_ends{Execute, &chain_ending<Execute>};

// An instruction whose handlers `Choose` picks from its word at decode time.
template <HandlerChooser Choose>
inline constexpr Handlers chosen_by{nullptr, nullptr, Choose};

// An instruction with an (RA|0) operand, specialised at decode time by
// whether RA names r0, which reads as zero there: no test at run time.
template <const Handlers& WhenRaIsZero, const Handlers& Otherwise>
Handlers choose_by_ra_zero(std::uint32_t word) {
  return bits(word, 11, 15) == 0 ? WhenRaIsZero : Otherwise;
}

template <const Handlers& WhenRaIsZero, const Handlers& Otherwise>
inline constexpr Handlers by_ra_zero = chosen_by<&choose_by_ra_zero<WhenRaIsZero, Otherwise>>;

// An X-form instruction that works on registers alone (see on_registers),
// specialised at decode time by Rc (bit 31). With Rc, a bc testing the CR0
// bit it set often follows: the two may be fused.
template <Handler WithoutRecord, Handler WithRecord>
Handlers choose_by_record(std::uint32_t word) {
  return word & 1 ? on_registers_then_branch<WithRecord> : on_registers<WithoutRecord>;
}

template <Handler WithoutRecord, Handler WithRecord>
inline constexpr Handlers by_record = chosen_by<&choose_by_record<WithoutRecord, WithRecord>>;

// An XO-form instruction that works on registers alone, specialised at
// decode time by whether OE (bit 21) or Rc is set.
template <Handler Plain, Handler Recording>
Handlers choose_by_oe_or_record(std::uint32_t word) {
  return (word & 1) || bits(word, 21, 21) ? on_registers_then_branch<Recording> : on_registers<Plain>;
}

template <Handler Plain, Handler Recording>
inline constexpr Handlers by_oe_or_record = chosen_by<&choose_by_oe_or_record<Plain, Recording>>;

}  // namespace mosaic::interp
