// Decoded instructions cached per 4 KiB real page, so that each word is
// decoded once. An entry starts as the decode-on-first-use handler, which
// decodes the word from memory, replaces itself and executes the result.
// Stores invalidate exactly the entries they overwrite (by putting the
// decode-on-first-use handler back), so self-modifying code and code loaded
// by the guest itself always execute what memory holds. Only the handler is
// replaced: the run loop executes entries in place, and an instruction that
// stores over its own word still reads its operand fields afterwards.
//
// An entry that starts a run (run_compiler.hpp) counts its executions
// first; once hot, its chained handler becomes the run's compiled code. A
// store over any word of a run forgets the run's first entry too.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "decoder.hpp"
#include "run_compiler.hpp"

namespace mosaic::interp {

inline constexpr unsigned kDecodePageShift = 12;
inline constexpr std::size_t kInsnsPerPage = std::size_t{1} << (kDecodePageShift - 2);

// The handler of undecoded entries: decodes the word at nip, stores the
// result in the entry and executes it; and the same for chained dispatch.
Flow decode_on_first_use(Cpu& cpu, const DecodedInsn& insn);
extern const ChainedHandler decode_on_first_use_chained;

// A chain settled at `insn` after a jump or a straight run (to state.nip)
// that left its page, or that its budget did not allow: on in the target's
// page where
// Cpu::chain_to_page allows, else Flow::jump, back to the run loop. Out of
// line, so that the handlers that end here need no stack frame.
[[gnu::noinline]] Flow chain_to_other_page(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end);

// The entry after a page's last word: chained dispatch that falls off the
// page lands here, and goes on into the next page (chain_to_other_page).
// Only chains reach the sentinel: the run loops index within the page.
Flow fall_off_page(Cpu& cpu, const DecodedInsn& sentinel, std::uintptr_t budget_end);

struct DecodePage {
  // One entry per word, then the fall_off_page sentinel.
  std::array<DecodedInsn, kInsnsPerPage + 1> insns;
  bool little_endian = false;  // the byte order the entries were decoded in
  std::uint64_t real_base = 0;
  // For each word, how many words before it the farthest compiled run that
  // holds it starts (0: none), for forget_words.
  std::array<std::uint8_t, kInsnsPerPage> run_reach{};
  // Executions of each entry that may start a run, toward compiling it.
  std::array<std::uint8_t, kInsnsPerPage> heat{};
};

class DecodeCache {
 public:
  explicit DecodeCache(std::uint64_t ram_bytes);

  // The page holding `real_address` (which must be inside RAM), prepared for
  // fetches in the given byte order.
  DecodePage& page(std::uint64_t real_address, bool little_endian) {
    auto& slot = pages_[real_address >> kDecodePageShift];
    if (slot && slot->little_endian == little_endian) [[likely]] return *slot;
    return prepare(real_address, little_endian);
  }

  // A store wrote [real_address, real_address + length): forget the
  // decoded words it touched. Cheap when the page holds no decoded code.
  void invalidate(std::uint64_t real_address, std::uint64_t length) {
    if (length == 0) return;
    const std::uint64_t end = real_address + length;
    for (std::uint64_t page_start = real_address; page_start < end;) {
      const std::uint64_t page_index = page_start >> kDecodePageShift;
      const std::uint64_t page_end = std::min(end, (page_index + 1) << kDecodePageShift);
      if (page_index >= pages_.size()) return;
      if (DecodePage* decoded = pages_[page_index].get()) forget_words(*decoded, page_start, page_end);
      page_start = page_end;
    }
  }

  // The same for a store that hit the soft TLB: at most 8 bytes, inside one
  // page of RAM. Most stores go to pages that hold no decoded code.
  void invalidate_store(std::uint64_t real_address, unsigned size) {
    DecodePage* decoded = pages_[real_address >> kDecodePageShift].get();
    if (decoded != nullptr) [[unlikely]] forget_words(*decoded, real_address, real_address + size);
  }

  void clear();

  static DecodedInsn undecoded_entry();

  // Runs are compiled once their first entry has run `executions` times
  // (at most 255); 0 compiles none.
  void compile_hot_runs(unsigned executions) { compile_after_ = executions; }
  unsigned compile_after() const { return compile_after_; }
  RunCompiler& run_compiler() { return compiler_; }
  // One byte per real page of RAM, nonzero where the page has decoded
  // entries: a compiled store there leaves its run for the interpreter's,
  // which forgets the words it overwrites.
  const std::uint8_t* code_page_flags() const { return holds_code_.data(); }
  // The code space is full: clear() (at a round of the run loop, when no
  // compiled code runs) makes room.
  bool compiled_code_full() const { return compiler_.full(); }

 private:
  DecodePage& prepare(std::uint64_t real_address, bool little_endian);
  // Puts the entries of the words in [start, end), inside `page`, back to
  // decode on first use, and the entry of the word before them, which may
  // be fused with the first (see fused_chained).
  // So are the first entries of the compiled runs that hold them.
  static void forget_words(DecodePage& page, std::uint64_t start, std::uint64_t end) {
    const std::uint64_t first = (start >> 2) & (kInsnsPerPage - 1);
    const std::uint64_t last = ((end - 1) >> 2) & (kInsnsPerPage - 1);
    std::uint64_t from = first == 0 ? 0 : first - 1;
    for (std::uint64_t index = first; index <= last; ++index) from = std::min(from, index - page.run_reach[index]);
    for (std::uint64_t index = from; index <= last; ++index) {
      DecodedInsn& entry = page.insns[index];
      entry.handler = &decode_on_first_use;
      entry.chained = decode_on_first_use_chained;
    }
  }

  std::vector<std::unique_ptr<DecodePage>> pages_;
  std::vector<std::uint8_t> holds_code_;
  RunCompiler compiler_;
  unsigned compile_after_ = 0;
};


}  // namespace mosaic::interp
