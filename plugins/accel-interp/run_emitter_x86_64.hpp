// The x86-64 code of compiled runs (run_compiler.hpp), emitted with Xbyak:
// Emitter writes the host code of the instructions a run may hold, and
// fixed_point / fixed_point_load / run_branch say which those are. The code
// is entered as a chained handler (System V: rdi the Cpu, rsi the run's
// first entry, rdx the chain's budget end) and leaves by jumping to the
// chained handler of the entry the guest goes on with, so it needs no
// stack. Guest GPRs stay in memory: every instruction loads its operands
// and stores its result. Scratch registers: rax, rcx, r8-r11.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <optional>
#include <utility>

#define XBYAK_NO_OP_NAMES
#include <xbyak/xbyak.h>

#include "decoder.hpp"
#include "mosaic/ppc.hpp"
#include "run_compiler.hpp"

namespace mosaic::interp::x86_64 {

using u64 = std::uint64_t;
using i64 = std::int64_t;

inline constexpr int kEntryBytes = sizeof(DecodedInsn);
inline constexpr int kChainedOffset = offsetof(DecodedInsn, chained);

inline i64 sign_extend(u64 value, unsigned bits_wide) {
  const unsigned unused = 64 - bits_wide;
  return static_cast<i64>(value << unused) >> unused;
}

// The relative branch ending a run, to the entry at page index `target`:
// taken when CR bit `bit` equals `when` (if `conditional`) and, if it
// decrements CTR, when the new CTR is zero or not as `when_ctr_zero` says.
struct RunBranch {
  bool conditional = false;
  unsigned bit = 0;
  bool when = false;
  bool decrements_ctr = false;
  bool when_ctr_zero = false;
  std::size_t target = 0;
};

// A fixed-point load or store: its size in bytes, whether it sign-extends
// (loads), adds RB rather than a displacement, writes the EA to RA.
struct LoadForm {
  unsigned size = 0;
  bool sign_extend = false;
  bool indexed = false;
  bool update = false;
};

// The branch `word` at page index `index`, if it can end a run: AA = LK = 0
// and a target in the same page.
std::optional<RunBranch> run_branch(std::uint32_t word, std::size_t index);

class Emitter : public Xbyak::CodeGenerator {
 public:
  Emitter(std::size_t room, void* at, const RunLayout& layout, bool little_endian, std::size_t first_index,
          ChainedHandler interpret)
      : CodeGenerator(room, at), layout_(layout), little_endian_(little_endian), first_index_(first_index),
        interpret_(interpret) {
    setDefaultJmpNEAR(true);
  }

  void load(const LoadForm& form, unsigned target, unsigned ra, i64 displacement, unsigned rb, std::size_t index);
  void store(const LoadForm& form, unsigned source, unsigned ra, i64 displacement, unsigned rb, std::size_t index);
  // The way out to the entry at `index`, where the interpreter goes on
  // (a load that missed the soft TLB runs there in full).
  const Xbyak::Label& exit_to(std::size_t index) { return exits_.emplace_back(Xbyak::Label{}, index).first; }
  void emit_exits();

  void compare(unsigned field, bool is_signed, bool doublewords, unsigned ra, std::optional<i64> immediate,
               unsigned rb);
  void record(unsigned target);
  void add_carrying(unsigned target, bool record);
  void shift_right_algebraic(unsigned target, unsigned source, unsigned amount, bool word, bool record);
  void prepare_cr_field();
  void write_cr_field(unsigned field, bool is_signed);
  void branch_from(const RunBranch& branch, std::size_t branch_index, std::size_t first_index);
  void go_on_at(std::size_t index, std::size_t first_index);

  Xbyak::Address gpr(unsigned r) const { return qword[rdi + static_cast<int>(layout_.gpr + 8 * r)]; }
  Xbyak::Address gpr_word(unsigned r) const { return dword[rdi + static_cast<int>(layout_.gpr + 8 * r)]; }
  Xbyak::Address gpr_byte(unsigned r) const { return byte[rdi + static_cast<int>(layout_.gpr + 8 * r)]; }
  Xbyak::Address gpr_halfword(unsigned r) const { return word[rdi + static_cast<int>(layout_.gpr + 8 * r)]; }
  Xbyak::Address cr() const { return dword[rdi + static_cast<int>(layout_.cr)]; }
  Xbyak::Address ctr() const { return qword[rdi + static_cast<int>(layout_.ctr)]; }
  Xbyak::Address xer_so() const { return byte[rdi + static_cast<int>(layout_.xer_so)]; }
  Xbyak::Address xer_ca() const { return byte[rdi + static_cast<int>(layout_.xer_ca)]; }
  // The byte of the MSR that holds SF, its top bit (the host is little-endian).
  Xbyak::Address msr_sf_byte() const {
    static_assert(ppc::msr::kSixtyFour == std::uint64_t{1} << 63);
    return byte[rdi + static_cast<int>(layout_.msr + 7)];
  }

 private:
  // rax = EA of the access, masked in 32-bit mode.
  void effective_address(unsigned ra, bool indexed, i64 displacement, unsigned rb);
  const RunLayout& layout_;
  bool little_endian_;
  std::size_t first_index_;
  ChainedHandler interpret_;
  std::list<std::pair<Xbyak::Label, std::size_t>> exits_;
};

// Emits the fixed-point instruction `word` (not a load) when `emit` is set,
// and says whether a run may hold it. One function for both, so that what a
// run takes and what is emitted cannot disagree.
bool fixed_point(std::uint32_t word, Emitter* emit, bool has_popcnt, bool has_lzcnt);

// The same for the fixed-point loads, at page index `index`.
bool fixed_point_load(std::uint32_t word, Emitter* emit, std::size_t index);
// And for the fixed-point stores.
bool fixed_point_store(std::uint32_t word, Emitter* emit, std::size_t index);

}  // namespace mosaic::interp::x86_64
