#include "decode_cache.hpp"

#include <algorithm>
#include <cstring>
#include <span>

#include "cpu.hpp"

namespace mosaic::interp {

DecodeCache::DecodeCache(std::uint64_t ram_bytes)
    : pages_((ram_bytes + (std::uint64_t{1} << kDecodePageShift) - 1) >> kDecodePageShift),
      holds_code_(pages_.size()) {}

DecodedInsn DecodeCache::undecoded_entry() {
  DecodedInsn entry;
  entry.handler = &decode_on_first_use;
  entry.chained = decode_on_first_use_chained;
  return entry;
}

DecodePage& DecodeCache::prepare(std::uint64_t real_address, bool little_endian) {
  auto& slot = pages_[real_address >> kDecodePageShift];
  if (!slot) slot = std::make_unique<DecodePage>();
  holds_code_[real_address >> kDecodePageShift] = 1;
  // A page decoded in the other byte order holds different instructions:
  // start it over (MSR[LE] changes rarely, typically once at boot).
  std::fill_n(slot->insns.begin(), kInsnsPerPage, undecoded_entry());
  slot->run_reach.fill(0);
  slot->insns[kInsnsPerPage].chained = &fall_off_page;
  slot->little_endian = little_endian;
  slot->real_base = real_address & ~((std::uint64_t{1} << kDecodePageShift) - 1);
  return *slot;
}

void DecodeCache::clear() {
  for (auto& slot : pages_) slot.reset();
  std::fill(holds_code_.begin(), holds_code_.end(), 0);
  compiler_.reset();
}

namespace {

// Up to `words.size()` words of `page` from page index `index` on (fewer at
// the page's end); returns how many were read.
std::size_t read_words(const Cpu& cpu, const DecodePage& page, std::size_t index, std::span<std::uint32_t> words) {
  const std::size_t count = std::min(words.size(), kInsnsPerPage - index);
  // The run loop only fetches from pages inside RAM.
  const std::byte* source = cpu.memory().host_pointer(page.real_base + index * 4, count * 4);
  for (std::size_t i = 0; i < count; ++i) {
    std::uint32_t word;
    std::memcpy(&word, source + i * 4, 4);
    words[i] = page.little_endian ? from_little_endian(word) : from_big_endian(word);
  }
  return count;
}

RunLayout run_layout(Cpu& cpu) {
  const auto offset = [&](const void* field) {
    return reinterpret_cast<const char*>(field) - reinterpret_cast<const char*>(&cpu);
  };
  return {offset(cpu.state.gpr.data()), offset(&cpu.state.cr),     offset(&cpu.state.ctr),
          offset(&cpu.state.xer_so),      offset(&cpu.state.xer_ca), offset(&cpu.state.msr),
          offset(cpu.soft_tlb_pointer()), cpu.decode_cache().code_page_flags()};
}

// Runs the entry as chain<> would (settled, through its plain handler) and
// goes on: what the first entry of a run does while the run is not
// compiled, and where a compiled run leaves to when its first instruction
// (a load that missed the soft TLB) must be interpreted.
Flow interpret_chained(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end) {
  cpu.settle_chain(insn, budget_end);
  const Flow flow = insn.handler(cpu, insn);
  const DecodedInsn* next = cpu.chain_next(flow, insn, budget_end);
  if (next == nullptr) return flow == Flow::jump ? chain_to_other_page(cpu, insn, budget_end) : flow;
  return next->chained(cpu, *next, budget_end);
}

// The chained handler of an entry that may start a run, until the run is
// hot: counts, and interprets the entry. Once hot, the run is compiled and
// replaces it.
Flow warm_up_run(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end) {
  DecodePage& page = cpu.current_decode_page();
  const auto index = static_cast<std::size_t>(&insn - page.insns.data());
  DecodeCache& cache = cpu.decode_cache();
  if (++page.heat[index] >= cache.compile_after()) {
    std::array<std::uint32_t, RunCompiler::kMaxRun> buffer;
    const std::span<std::uint32_t> words(buffer.data(), read_words(cpu, page, index, buffer));
    const std::size_t length = cache.run_compiler().run_length(words, index);
    if (const ChainedHandler compiled = cache.run_compiler().compile(words, index, run_layout(cpu), page.little_endian,
                                                                        &interpret_chained)) {
      for (std::size_t i = 1; i < length; ++i) {
        page.run_reach[index + i] = std::max(page.run_reach[index + i], static_cast<std::uint8_t>(i));
      }
      page.insns[index].chained = compiled;
      return compiled(cpu, insn, budget_end);
    }
    page.heat[index] = 0;  // no room: the round makes some (compiled_code_full)
  }
  return interpret_chained(cpu, insn, budget_end);
}

// Decodes the word at nip into its entry of the fetch page.
// run_debug executes copies of the entries, so the word's place comes from
// nip rather than from the entry's address.
DecodedInsn& decode_at_nip(Cpu& cpu) {
  DecodePage& page = cpu.current_decode_page();
  const auto index = static_cast<std::size_t>((cpu.state.nip >> 2) & (kInsnsPerPage - 1));
  const std::uint64_t real_address = page.real_base + index * 4;
  // The run loop only fetches from pages inside RAM, so the next word of
  // the same page is there too.
  const std::byte* source = cpu.memory().host_pointer(real_address, 4);
  const auto word_at = [&](std::size_t offset) {
    std::uint32_t word;
    std::memcpy(&word, source + offset, 4);
    return page.little_endian ? from_little_endian(word) : from_big_endian(word);
  };
  const std::uint32_t word = word_at(0);
  DecodedInsn& entry = page.insns[index];
  entry = decode(word);
  // A compare or recording form and the branch after it in the same page
  // become one dispatch; the branch's entry is decoded now, for the fused
  // handler reads it. DecodeCache forgets both when either word is stored
  // over.
  if (index + 1 < kInsnsPerPage) {
    const std::uint32_t next_word = word_at(4);
    if (const ChainedHandler fused = fused_chained(word, next_word)) {
      page.insns[index + 1] = decode(next_word);
      entry.chained = fused;
    }
  }
  // The start of a run worth compiling counts toward it (warm_up_run).
  DecodeCache& cache = cpu.decode_cache();
  if (cache.compile_after() != 0) {
    std::array<std::uint32_t, RunCompiler::kMaxRun> buffer;
    const std::span<std::uint32_t> words(buffer.data(), read_words(cpu, page, index, buffer));
    if (cache.run_compiler().run_length(words, index) >= 2) {
      entry.chained = &warm_up_run;
      page.heat[index] = 0;
    }
  }
  return entry;
}

// The chain goes on through the new entry's own chained handler, which
// knows whether the instruction may be followed in the same chain.
Flow decode_chained_on_first_use(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end) {
  cpu.settle_chain(insn, budget_end);
  DecodedInsn& entry = decode_at_nip(cpu);
  return entry.chained(cpu, entry, budget_end);
}

}  // namespace

Flow decode_on_first_use(Cpu& cpu, const DecodedInsn&) {
  DecodedInsn& entry = decode_at_nip(cpu);
  return entry.handler(cpu, entry);
}

Flow chain_to_other_page(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end) {
  const DecodedInsn* next = cpu.chain_to_page(insn, budget_end);
  if (next == nullptr) return Flow::jump;
  return next->chained(cpu, *next, budget_end);
}

// The chain arrives at the entry one word past the page: settled at the
// page's last word, it goes on at the next page's first word as a jump
// there would (only a page crossing can wrap a 32-bit mode address).
Flow fall_off_page(Cpu& cpu, const DecodedInsn& sentinel, std::uintptr_t budget_end) {
  const DecodedInsn& last = *(&sentinel - 1);
  cpu.settle_chain(last, budget_end);
  cpu.state.nip = (cpu.state.nip + 4) & cpu.address_mask();
  return chain_to_other_page(cpu, last, budget_end);
}

const ChainedHandler decode_on_first_use_chained = &decode_chained_on_first_use;

}  // namespace mosaic::interp
