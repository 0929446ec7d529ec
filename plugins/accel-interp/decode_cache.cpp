#include "decode_cache.hpp"

#include <algorithm>
#include <cstring>

#include "cpu.hpp"

namespace mosaic::interp {

DecodeCache::DecodeCache(std::uint64_t ram_bytes)
    : pages_((ram_bytes + (std::uint64_t{1} << kDecodePageShift) - 1) >> kDecodePageShift) {}

DecodedInsn DecodeCache::undecoded_entry() {
  DecodedInsn entry;
  entry.handler = &decode_on_first_use;
  entry.chained = decode_on_first_use_chained;
  return entry;
}

DecodePage& DecodeCache::prepare(std::uint64_t real_address, bool little_endian) {
  auto& slot = pages_[real_address >> kDecodePageShift];
  if (!slot) slot = std::make_unique<DecodePage>();
  // A page decoded in the other byte order holds different instructions:
  // start it over (MSR[LE] changes rarely, typically once at boot).
  std::fill_n(slot->insns.begin(), kInsnsPerPage, undecoded_entry());
  slot->insns[kInsnsPerPage].chained = &fall_off_page;
  slot->little_endian = little_endian;
  slot->real_base = real_address & ~((std::uint64_t{1} << kDecodePageShift) - 1);
  return *slot;
}

void DecodeCache::clear() {
  for (auto& slot : pages_) slot.reset();
}

namespace {

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
