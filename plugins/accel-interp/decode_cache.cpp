#include "decode_cache.hpp"

#include <algorithm>
#include <cstring>

#include "chained_dispatch.hpp"
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
  slot->insns[kInsnsPerPage].handler = &fall_off_page;
  slot->insns[kInsnsPerPage].chained = &fall_off_page;
  slot->little_endian = little_endian;
  slot->real_base = real_address & ~((std::uint64_t{1} << kDecodePageShift) - 1);
  return *slot;
}

void DecodeCache::clear() {
  for (auto& slot : pages_) slot.reset();
}

Flow decode_on_first_use(Cpu& cpu, const DecodedInsn&) {
  // run_debug executes copies of the entries, so the word's place comes
  // from nip rather than from the entry's address.
  DecodePage& page = cpu.current_decode_page();
  const auto index = static_cast<std::size_t>((cpu.state.nip >> 2) & (kInsnsPerPage - 1));
  const std::uint64_t real_address = page.real_base + index * 4;
  // The run loop only fetches from pages inside RAM.
  const std::byte* source = cpu.memory().host_pointer(real_address, 4);
  std::uint32_t word;
  std::memcpy(&word, source, 4);
  word = page.little_endian ? from_little_endian(word) : from_big_endian(word);
  DecodedInsn& entry = page.insns[index];
  entry = decode(word);
  return entry.handler(cpu, entry);
}

Flow fall_off_page(Cpu& cpu, const DecodedInsn&) {
  cpu.undo_chain_step();
  return Flow::next;
}

const Handler decode_on_first_use_chained = &chained<&decode_on_first_use>;

}  // namespace mosaic::interp
