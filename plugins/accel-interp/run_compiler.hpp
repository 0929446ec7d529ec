// Hot straight runs of fixed-point code, compiled to host code. A run is a
// sequence of instructions that compute on GPRs, CR and XER[CA] alone (adds
// with and without carry, logical operations, rotates, shifts, multiplies,
// divides, compares, their recording forms; none with OE) or load or store
// a GPR, optionally ended by a relative branch (bc with any BO, or
// b; AA = LK = 0) to a target in the same page. None of these can take an
// interrupt, except a load or store that misses the soft TLB: the run then
// leaves at its own entry, everything before it done, as an interpreted
// chain would be there. So does a store to a page holding decoded code,
// for the interpreter's store to forget the words it overwrites. Recording forms, carries and CTR tests read MSR[SF] as
// they run, as the interpreter does. So a compiled run needs no settling: it
// is a chained handler (chained_dispatch.hpp) for the run's first entry,
// which does the whole run on the guest registers in memory and jumps to
// the chained handler of the entry the guest goes on with, with the budget
// arithmetic of Cpu::chain_taken. The interpreter's handlers stay the
// reference: every compiled instruction must leave the state its plain
// handler leaves (tests/unit/interp/run_compiler_test.cpp).
//
// Only x86-64 hosts compile (with Xbyak); elsewhere compile() finds no run
// and the interpreter alone runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "decoder.hpp"

namespace mosaic::interp {

// Where the compiled code finds the guest state, as byte offsets from the
// Cpu it is handed.
struct RunLayout {
  std::ptrdiff_t gpr = 0;
  std::ptrdiff_t cr = 0;
  std::ptrdiff_t ctr = 0;
  std::ptrdiff_t xer_so = 0;
  std::ptrdiff_t xer_ca = 0;
  std::ptrdiff_t msr = 0;
  std::ptrdiff_t soft_tlb = 0;  // the pointer to the current mode's SoftTlb
  // Not an offset: the vCPU's DecodeCache::code_page_flags().
  const std::uint8_t* code_pages = nullptr;
};

class RunCompiler {
 public:
  // At most this many instructions in a run (the branch included), so that
  // a store over one of its words finds the run's start (DecodePage::reach).
  static constexpr std::size_t kMaxRun = 48;

  RunCompiler();
  ~RunCompiler();
  RunCompiler(const RunCompiler&) = delete;
  RunCompiler& operator=(const RunCompiler&) = delete;

  // How many of `words` (the run's words in order, the first at page index
  // `first_index`) a run starting at the first would take; below 2, no run
  // is worth compiling there.
  std::size_t run_length(std::span<const std::uint32_t> words, std::size_t first_index) const;

  // Host code for the run of run_length(words, first_index) words, whose
  // loads read memory in the byte order of the page's decoding, or nullptr
  // when the code space is full (see full()). A run that must leave at its
  // first instruction (a load missing the soft TLB) goes to `interpret`
  // with the first entry: that entry's chained handler is the run itself.
  ChainedHandler compile(std::span<const std::uint32_t> words, std::size_t first_index, const RunLayout& layout,
                         bool little_endian, ChainedHandler interpret);

  // Whether compile() ran out of room. Every compiled run must be forgotten
  // before reset() reclaims the space.
  bool full() const;
  void reset();
  // Whether this host compiles runs at all.
  bool compiles() const;
  std::size_t compiled_runs() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mosaic::interp
