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
[[gnu::flatten]] Flow chained(Cpu& cpu, const DecodedInsn& insn) {
  const Flow flow = Execute(cpu, insn);
  const DecodedInsn* next = cpu.chain_next(flow, insn);
  if (next == nullptr) return flow;
  return next->chained(cpu, *next);
}

template <Handler Execute>
inline constexpr Handlers chain{Execute, &chained<Execute>};

// An instruction whose handlers `Choose` picks from its word at decode time.
template <HandlerChooser Choose>
inline constexpr Handlers chosen_by{nullptr, nullptr, Choose};

}  // namespace mosaic::interp
