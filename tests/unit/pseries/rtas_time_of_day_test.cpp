// RTAS set-time-of-day and get-time-of-day on a real pseries machine,
// driven by the fuzz targets' scripted vCPU (tests/fuzz/pseries_harness).
#include <gtest/gtest.h>

#include "pseries_harness.hpp"

namespace {

using mosaic::fuzz::MachineSetup;
using mosaic::fuzz::PseriesHarness;
using mosaic::fuzz::ScriptedCall;

constexpr std::uint64_t kRamBytes = 64ull << 20;

class RtasTimeOfDayTest : public ::testing::Test {
 protected:
  // An RTAS call whose argument buffer goes at `buffer` (LoPAPR 7.2.7:
  // token, nargs, nret, then the arguments and the returns, big-endian).
  static ScriptedCall rtas(std::uint64_t buffer, std::uint32_t token, std::vector<std::uint32_t> args,
                           std::uint32_t returns) {
    ScriptedCall call;
    call.registers.args[0] = 0xf000;  // KVMPPC_H_RTAS
    call.registers.args[1] = buffer;
    call.store_address = buffer;
    std::vector<std::uint32_t> words{token, static_cast<std::uint32_t>(args.size()), returns};
    words.insert(words.end(), args.begin(), args.end());
    words.resize(words.size() + returns);
    for (std::uint32_t word : words) {
      for (int shift = 24; shift >= 0; shift -= 8) call.store.push_back(static_cast<std::byte>(word >> shift));
    }
    return call;
  }
  std::uint32_t word_at(std::uint64_t address) {
    std::array<std::byte, 4> bytes;
    EXPECT_TRUE(harness.memory().read(address, bytes));
    return std::to_integer<std::uint32_t>(bytes[0]) << 24 | std::to_integer<std::uint32_t>(bytes[1]) << 16 |
           std::to_integer<std::uint32_t>(bytes[2]) << 8 | std::to_integer<std::uint32_t>(bytes[3]);
  }
  // Boots once to learn the tokens the device tree publishes.
  std::uint32_t token(const std::string& name) {
    if (harness.rtas_tokens().empty()) {
      EXPECT_FALSE(harness.run({}));
    }
    return harness.rtas_tokens().at(name);
  }

  PseriesHarness harness{kRamBytes};
};

// Found by fuzzing: year 0x7fffffff overflowed the offset's nanoseconds in
// the next get-time-of-day, and year 0x80000001 the int it became.
TEST_F(RtasTimeOfDayTest, YearsFarFromNowAreRefused) {
  const std::uint32_t set = token("set-time-of-day");
  MachineSetup setup;
  setup.script.push_back(rtas(0x40000, set, {0x7fffffff, 12, 3, 8, 0, 0, 0}, 1));
  setup.script.push_back(rtas(0x41000, set, {0x80000001, 12, 3, 8, 0, 0, 0}, 1));
  setup.script.push_back(rtas(0x42000, set, {1899, 12, 31, 23, 59, 59, 0}, 1));
  ASSERT_FALSE(harness.run(std::move(setup)));
  constexpr std::uint32_t kParameterError = static_cast<std::uint32_t>(-3);
  EXPECT_EQ(word_at(0x40000 + 12 + 7 * 4), kParameterError);
  EXPECT_EQ(word_at(0x41000 + 12 + 7 * 4), kParameterError);
  EXPECT_EQ(word_at(0x42000 + 12 + 7 * 4), kParameterError);
}

TEST_F(RtasTimeOfDayTest, TheTimeSetIsTheTimeRead) {
  MachineSetup setup;
  setup.script.push_back(rtas(0x40000, token("set-time-of-day"), {2199, 6, 15, 12, 30, 0, 0}, 1));
  setup.script.push_back(rtas(0x41000, token("get-time-of-day"), {}, 8));
  ASSERT_FALSE(harness.run(std::move(setup)));
  EXPECT_EQ(word_at(0x40000 + 12 + 7 * 4), 0u);
  const std::uint64_t rets = 0x41000 + 12;
  EXPECT_EQ(word_at(rets), 0u);  // success
  EXPECT_EQ(word_at(rets + 4), 2199u);
  EXPECT_EQ(word_at(rets + 8), 6u);
  EXPECT_EQ(word_at(rets + 12), 15u);
  EXPECT_EQ(word_at(rets + 16), 12u);
  EXPECT_EQ(word_at(rets + 20), 30u);
}

}  // namespace
