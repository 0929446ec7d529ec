#include "software_breakpoints.hpp"

#include <cstring>
#include <vector>

#include <gtest/gtest.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>

namespace {

using mosaic::GuestMemory;
using mosaic::kvm::SoftwareBreakpoints;

constexpr std::uint32_t kTrap = 0x00dddd00;
constexpr std::uint32_t kOriginal = 0x38600001;  // li r3,1

// Guest RAM of 64 KiB where effective addresses 0xc000... map to real
// addresses by dropping the top nibble; anything else does not translate.
class SoftwareBreakpointsTest : public ::testing::Test {
 protected:
  SoftwareBreakpointsTest()
      : ram_(0x10000), memory_(ram_.data(), ram_.size()),
        breakpoints_(memory_,
                     [](const mosaic::ppc::Registers&, std::uint64_t address) -> std::optional<std::uint64_t> {
                       if ((address >> 60) != 0xc) return std::nullopt;
                       return address & 0x0fffffffffffffffull;
                     },
                     std::make_shared<spdlog::logger>("test", std::make_shared<spdlog::sinks::null_sink_mt>())) {
    breakpoints_.set_instruction(kTrap);
  }

  // The word at `real` as a guest of the given endianness fetches it.
  std::uint32_t fetch(std::uint64_t real, bool little) const {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
      const auto byte = std::to_integer<std::uint32_t>(ram_[real + i]);
      value |= byte << (8 * (little ? i : 3 - i));
    }
    return value;
  }
  void store(std::uint64_t real, std::uint32_t value, bool little) {
    for (int i = 0; i < 4; ++i) ram_[real + i] = std::byte(value >> (8 * (little ? i : 3 - i)));
  }
  static mosaic::ppc::Registers state(bool little) {
    mosaic::ppc::Registers registers;
    registers.msr = little ? mosaic::ppc::msr::kLittleEndian : 0;
    return registers;
  }

  std::vector<std::byte> ram_;
  GuestMemory memory_;
  SoftwareBreakpoints breakpoints_;
};

TEST_F(SoftwareBreakpointsTest, PlantsTheTrapInTheGuestsByteOrderAndRestoresTheOriginal) {
  for (const bool little : {true, false}) {
    store(0x100, kOriginal, little);
    EXPECT_TRUE(breakpoints_.apply({0xc000000000000100}, state(little)).empty());
    EXPECT_EQ(fetch(0x100, little), kTrap) << "little=" << little;
    EXPECT_TRUE(breakpoints_.apply({}, state(little)).empty());
    EXPECT_EQ(fetch(0x100, little), kOriginal) << "little=" << little;
  }
}

TEST_F(SoftwareBreakpointsTest, ApplyingTheSameSetTwiceKeepsTheOriginal) {
  store(0x200, kOriginal, true);
  breakpoints_.apply({0xc000000000000200}, state(true));
  breakpoints_.apply({0xc000000000000200}, state(true));
  breakpoints_.remove_all();
  EXPECT_EQ(fetch(0x200, true), kOriginal);
}

TEST_F(SoftwareBreakpointsTest, OnlyRemovedAddressesAreRestored) {
  store(0x300, kOriginal, true);
  store(0x304, kOriginal + 1, true);
  breakpoints_.apply({0xc000000000000300, 0xc000000000000304}, state(true));
  breakpoints_.apply({0xc000000000000304}, state(true));
  EXPECT_EQ(fetch(0x300, true), kOriginal);
  EXPECT_EQ(fetch(0x304, true), kTrap);
}

TEST_F(SoftwareBreakpointsTest, AddressesOutsideRamAreReturnedAndMemoryIsUntouched) {
  const std::vector<std::byte> before = ram_;
  const auto unplaced = breakpoints_.apply({0x1000, 0xc000000000fff000, 0xc00000000000fffe}, state(true));
  EXPECT_EQ(unplaced, (std::vector<std::uint64_t>{0x1000, 0xc000000000fff000, 0xc00000000000fffe}));
  EXPECT_EQ(ram_, before);
}

}  // namespace
