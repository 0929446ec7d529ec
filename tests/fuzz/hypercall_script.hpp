// Turns fuzzer input into a hostile guest's hypercalls: numbers mostly
// from the ones the machine handles, arguments mostly addresses in and
// around RAM, HPTE-shaped words and small indices, so that the fuzzer
// spends its time past the first argument checks.
#pragma once

#include <array>
#include <cstdint>

#include "fuzz_input.hpp"
#include "pseries_harness.hpp"

namespace mosaic::fuzz {

// The PAPR hypercalls pseries handles (papr.hpp, hcall_*.cpp), and RTAS.
inline constexpr std::array<std::uint64_t, 27> kKnownHypercalls = {
    0x04,  0x08,  0x0c,  0x10,  0x14,  0x18,  0x124,                // HPT
    0x28,  0xdc,  0xe0,  0xe4,  0x108, 0x134, 0x1ac,                // vCPU: DABR, VPA, cede, confer, prod, ...
    0x2c,  0x3c,  0x40,  0x300,                                     // page init, cache-inhibited access, random
    0x54,  0x58,  0x64,  0x68,  0x6c,  0x70,  0x74,  0x31c, 0xf000  // vty, XICS, H_SET_MODE, RTAS
};

class HypercallScript {
 public:
  HypercallScript(FuzzInput& input, std::uint64_t ram_bytes) : input_(input), ram_bytes_(ram_bytes) {}

  // An argument: its kind from one byte, its value from the next few.
  std::uint64_t argument() {
    switch (input_.take<std::uint8_t>() % 10) {
      case 0: return 0;
      case 1: return input_.take<std::uint8_t>();
      case 2: return input_.take<std::uint16_t>();  // a PTE index, an XICS source, a vCPU, ...
      case 3: return input_.take<std::uint32_t>() % ram_bytes_;  // somewhere in RAM
      case 4: return ram_bytes_ - 1 - input_.take<std::uint16_t>() % 4096;  // across the end of RAM
      case 5: return ram_bytes_ + input_.take<std::uint32_t>();  // just past RAM
      case 6: {  // a valid HPTE's first doubleword, sometimes of a large page (L)
        const std::uint64_t large = input_.take_bool() ? 4 : 0;
        return (input_.take<std::uint64_t>() & ~std::uint64_t{0x7f}) | large | 1;
      }
      case 7: {  // its second: a 4K, 64K or 16M page of RAM, R, C and M set
        static constexpr std::uint64_t kPageMasks[] = {0xfff, 0xffff, 0xffffff};
        const std::uint64_t mask = kPageMasks[input_.take<std::uint8_t>() % 3];
        return (input_.take<std::uint32_t>() % ram_bytes_ & ~mask) | 0x190;
      }
      case 8: return std::uint64_t{1} << (input_.take<std::uint8_t>() % 64);  // a single flag bit
      default: return input_.take<std::uint64_t>();
    }
  }

  std::uint64_t number() {
    const std::uint8_t choice = input_.take<std::uint8_t>();
    if (choice < 0xf0) return kKnownHypercalls[choice % kKnownHypercalls.size()];
    return input_.take<std::uint16_t>();  // anything, the unknown ones included
  }

  ScriptedCall call(std::uint64_t number) {
    ScriptedCall call;
    call.registers.args[0] = number;
    for (std::size_t i = 1; i < call.registers.args.size(); ++i) call.registers.args[i] = argument();
    return call;
  }

  // Guest stores before a call: `length` input bytes at a RAM address.
  void store(ScriptedCall& call, std::uint64_t address, std::size_t length) {
    const auto bytes = input_.take_bytes(length);
    call.store_address = address;
    call.store.assign(reinterpret_cast<const std::byte*>(bytes.data()),
                      reinterpret_cast<const std::byte*>(bytes.data() + bytes.size()));
  }

 private:
  FuzzInput& input_;
  std::uint64_t ram_bytes_;
};

}  // namespace mosaic::fuzz
