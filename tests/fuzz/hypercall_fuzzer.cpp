// A hostile guest's hypercalls against a real pseries machine: random
// numbers with random r4-r12 (and random bytes stored where they point)
// through the machine's dispatch to the HPT, vty, VPA, XICS, H_SET_MODE,
// page and RTAS handlers. pseries_harness.hpp lists the invariants checked
// after each call.
#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "hypercall_script.hpp"

namespace {

// Not a multiple of 16 MiB, so that a large page can straddle RAM's end.
constexpr std::uint64_t kRamBytes = (96ull << 20) + (4ull << 20);
constexpr unsigned kMaxCalls = 48;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static mosaic::fuzz::PseriesHarness harness(kRamBytes);
  mosaic::fuzz::FuzzInput input(data, size);
  mosaic::fuzz::HypercallScript script(input, kRamBytes);
  mosaic::fuzz::MachineSetup setup;
  setup.cpus = 1 + input.take<std::uint8_t>() % 2;
  const auto console = input.take_bytes(input.take<std::uint8_t>() % 16);
  for (auto byte : console) setup.console_input.push_back(static_cast<std::byte>(byte));
  for (unsigned i = 0; i < kMaxCalls && !input.empty(); ++i) {
    auto call = script.call(script.number());
    // Sometimes the guest fills what r4 or r6 points at first (a VPA's
    // size field, an RTAS buffer, a page to copy).
    if (input.take<std::uint8_t>() < 64) {
      const std::uint64_t address = call.registers.args[1 + (input.take_bool() ? 2 : 0)];
      if (address < kRamBytes) script.store(call, address, std::min<std::uint64_t>(kRamBytes - address, 64));
    }
    setup.script.push_back(std::move(call));
  }
  if (auto refused = harness.run(std::move(setup))) {
    std::fprintf(stderr, "the machine refused to boot: %s\n", refused->c_str());
    std::abort();
  }
  return 0;
}
