// RTAS calls with random argument buffers: a token (mostly one the device
// tree publishes), argument and return counts, and argument words, stored
// in guest RAM where r4 points (sometimes across the end of RAM), then the
// RTAS hypercall through a real pseries machine. pseries_harness.hpp lists
// the invariants checked after each call.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "hypercall_script.hpp"

namespace {

constexpr std::uint64_t kRamBytes = 64ull << 20;
constexpr unsigned kMaxCalls = 32;
constexpr std::uint32_t kFirstToken = 0x2000;  // rtas.cpp hands tokens out from here
constexpr std::uint32_t kTokenSpan = 32;       // more than it hands out

std::vector<std::byte> big_endian_words(const std::vector<std::uint32_t>& words) {
  std::vector<std::byte> bytes;
  for (std::uint32_t word : words) {
    for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<std::byte>(word >> shift));
  }
  return bytes;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static mosaic::fuzz::PseriesHarness harness(kRamBytes);
  mosaic::fuzz::FuzzInput input(data, size);
  mosaic::fuzz::HypercallScript script(input, kRamBytes);
  mosaic::fuzz::MachineSetup setup;
  setup.cpus = 1 + input.take<std::uint8_t>() % 2;
  for (unsigned i = 0; i < kMaxCalls && !input.empty(); ++i) {
    const std::uint8_t shape = input.take<std::uint8_t>();
    std::uint32_t token = kFirstToken + input.take<std::uint8_t>() % kTokenSpan;
    if (shape & 0x80) token = input.take<std::uint32_t>();
    // Counts mostly within Linux's 16 words, sometimes anything.
    std::uint32_t args = input.take<std::uint8_t>() % 18;
    std::uint32_t rets = input.take<std::uint8_t>() % 18;
    if (shape & 0x40) args = input.take<std::uint32_t>();
    if (shape & 0x20) rets = input.take<std::uint32_t>();
    std::vector<std::uint32_t> words{token, args, rets};
    for (std::uint32_t w = 0; w < std::min<std::uint32_t>(args, 16); ++w) {
      words.push_back(input.take_bool() ? static_cast<std::uint32_t>(script.argument()) : input.take<std::uint8_t>());
    }
    // The buffer: usually well inside RAM, sometimes running off its end.
    std::uint64_t buffer = input.take<std::uint32_t>() % (kRamBytes - 4096);
    if (shape & 0x10) buffer = kRamBytes - 4 * (input.take<std::uint8_t>() % 32);
    if (shape & 0x08) buffer = script.argument();
    mosaic::fuzz::ScriptedCall call;
    call.registers.args[0] = 0xf000;  // KVMPPC_H_RTAS
    call.registers.args[1] = buffer;
    auto bytes = big_endian_words(words);
    if (buffer < kRamBytes) {
      bytes.resize(std::min<std::uint64_t>(bytes.size(), kRamBytes - buffer));
      call.store_address = buffer;
      call.store = std::move(bytes);
    }
    setup.script.push_back(std::move(call));
  }
  if (auto refused = harness.run(std::move(setup))) {
    std::fprintf(stderr, "the machine refused to boot: %s\n", refused->c_str());
    std::abort();
  }
  return 0;
}
