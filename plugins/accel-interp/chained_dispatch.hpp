// Chained dispatch: each instruction's handler, once done, jumps straight to
// the next instruction's, instead of returning to the run loop to be called
// from there. One indirect call site in the loop predicts badly, since every
// instruction goes through it; a jump at the end of each handler learns
// what usually follows that handler. GCC and clang at -O2 compile the
// final call as a jump (a sibling call); where they do not (sanitizer or
// unoptimised builds), Cpu::chain_next's budget bounds the depth.
//
// The opcode tables register `chain<&handler>`; execution stays exactly
// what the plain handler does (run_debug and tracing call the plain one).
#pragma once

#include "cpu.hpp"
#include "decoder.hpp"

namespace mosaic::interp {

// flatten: the handler and the helpers it calls in its own file are inlined
// here, so that a chained instruction is one function.
template <Handler Execute>
[[gnu::flatten]] Flow chained(Cpu& cpu, const DecodedInsn& insn, std::uint64_t nip, std::uint64_t chain_left) {
  const Flow flow = Execute(cpu, insn);
  const DecodedInsn* next = cpu.chain_next(flow, insn, nip, chain_left);
  if (next == nullptr) return flow;
  return next->chained(cpu, *next, nip, chain_left);
}

template <Handler Execute>
inline constexpr Handlers chain{Execute, &chained<Execute>};

// An instruction after which the run loop must fetch through the MMU again
// (it forgets the fetch page: SLB and TLB invalidation, icbi) ends its
// chain: chain_next relies on that and does not check.
template <Handler Execute>
Flow chain_ending(Cpu& cpu, const DecodedInsn& insn, std::uint64_t, std::uint64_t) {
  return Execute(cpu, insn);
}

template <Handler Execute>
inline constexpr Handlers chain_ends{Execute, &chain_ending<Execute>};

// An instruction whose handlers `Choose` picks from its word at decode time.
template <HandlerChooser Choose>
inline constexpr Handlers chosen_by{nullptr, nullptr, Choose};

// An instruction with an (RA|0) operand, specialised at decode time by
// whether RA names r0, which reads as zero there: no test at run time.
template <Handler WhenRaIsZero, Handler Otherwise>
Handlers choose_by_ra_zero(std::uint32_t word) {
  return bits(word, 11, 15) == 0 ? chain<WhenRaIsZero> : chain<Otherwise>;
}

template <Handler WhenRaIsZero, Handler Otherwise>
inline constexpr Handlers by_ra_zero = chosen_by<&choose_by_ra_zero<WhenRaIsZero, Otherwise>>;

// An X-form instruction specialised at decode time by Rc (bit 31).
template <Handler WithoutRecord, Handler WithRecord>
Handlers choose_by_record(std::uint32_t word) {
  return word & 1 ? chain<WithRecord> : chain<WithoutRecord>;
}

template <Handler WithoutRecord, Handler WithRecord>
inline constexpr Handlers by_record = chosen_by<&choose_by_record<WithoutRecord, WithRecord>>;

// An XO-form instruction specialised at decode time by whether OE (bit 21)
// or Rc is set.
template <Handler Plain, Handler Recording>
Handlers choose_by_oe_or_record(std::uint32_t word) {
  return (word & 1) || bits(word, 21, 21) ? chain<Recording> : chain<Plain>;
}

template <Handler Plain, Handler Recording>
inline constexpr Handlers by_oe_or_record = chosen_by<&choose_by_oe_or_record<Plain, Recording>>;

}  // namespace mosaic::interp
