// EPOW: the error log Linux's pseries RAS handler parses (LoPAPR 10.3.2,
// the v6 extended event log with an EPOW section) and check-exception's
// handshake with the interrupt line.
#include "epow.hpp"

#include <gtest/gtest.h>

#include <map>

namespace mosaic::pseries {
namespace {

unsigned byte_at(const std::vector<std::byte>& log, std::size_t at) { return std::to_integer<unsigned>(log.at(at)); }

TEST(Epow, ShutdownLogIsAVersion6EpowEventWithAnEpSection) {
  const std::vector<std::byte> log = Epow::shutdown_log();
  EXPECT_EQ(byte_at(log, 0), 6u);                    // architectural version 6
  EXPECT_EQ(byte_at(log, 1) >> 5, 1u);               // severity: event
  EXPECT_NE(byte_at(log, 1) & 0x04, 0u);             // extended log present
  EXPECT_EQ(byte_at(log, 3), 0x40u);                 // type: EPOW
  const unsigned extended_length = byte_at(log, 4) << 24 | byte_at(log, 5) << 16 | byte_at(log, 6) << 8 | byte_at(log, 7);
  EXPECT_EQ(extended_length + 8, log.size());
  EXPECT_NE(byte_at(log, 8) & 0x80, 0u);             // log valid
  EXPECT_NE(byte_at(log, 8) & 0x04, 0u);             // new log
  EXPECT_EQ(byte_at(log, 10), 0x80u | 14u);          // PowerPC format, event log format 14
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(log.data()) + 20, 3), "IBM");
  // The first section starts after the 16-byte extended header.
  EXPECT_EQ(byte_at(log, 24), unsigned{'E'});
  EXPECT_EQ(byte_at(log, 25), unsigned{'P'});
  const unsigned section_length = byte_at(log, 26) << 8 | byte_at(log, 27);
  EXPECT_EQ(24 + section_length, log.size());
  EXPECT_EQ(byte_at(log, 32) & 0xf, 3u);  // action code: system shutdown
  EXPECT_EQ(byte_at(log, 33) & 0xf, 1u);  // modifier: normal shutdown
}

class EpowCall : public ::testing::Test {
 protected:
  std::int32_t call(std::uint32_t mask, std::uint32_t buffer, std::uint32_t length) {
    const std::uint32_t args[] = {0x500, 17, mask, 0, buffer, length};
    return epow.check_exception(args, [this](std::uint64_t address, std::span<const std::byte> bytes) {
      if (address >= 0x10000) return false;  // "outside RAM"
      written[address] = bytes.size();
      return true;
    });
  }

  bool line = false;
  std::map<std::uint64_t, std::size_t> written;
  Epow epow{17, [this](bool asserted) { line = asserted; }};
};

TEST_F(EpowCall, NothingPendingIsNoErrorsFound) {
  EXPECT_EQ(call(Epow::kEpowWarningMask, 0x1000, 2048), Epow::kNoErrorsFound);
  EXPECT_TRUE(written.empty());
}

TEST_F(EpowCall, ShutdownRequestRaisesTheLineUntilTaken) {
  epow.request_shutdown();
  EXPECT_TRUE(line);
  EXPECT_EQ(call(0x80000000, 0x1000, 2048), Epow::kNoErrorsFound) << "a mask without EPOW takes nothing";
  EXPECT_EQ(call(Epow::kEpowWarningMask, 0x1000, 8), -1) << "a buffer too small";
  EXPECT_EQ(call(Epow::kEpowWarningMask, 0x20000, 2048), -1) << "a buffer outside RAM";
  EXPECT_TRUE(line);
  EXPECT_EQ(call(Epow::kEpowWarningMask, 0x1000, 2048), Epow::kNewLog);
  EXPECT_EQ(written.at(0x1000), Epow::shutdown_log().size());
  EXPECT_FALSE(line);
  EXPECT_EQ(call(Epow::kEpowWarningMask, 0x1000, 2048), Epow::kNoErrorsFound);
}

TEST_F(EpowCall, TooFewArgumentsIsAHardwareError) {
  epow.request_shutdown();
  const std::uint32_t args[] = {0x500, 17};
  EXPECT_EQ(epow.check_exception(args, [](std::uint64_t, std::span<const std::byte>) { return true; }), -1);
  EXPECT_TRUE(line);
}

TEST_F(EpowCall, ResetDropsARequest) {
  epow.request_shutdown();
  epow.reset();
  EXPECT_FALSE(line);
  EXPECT_EQ(call(Epow::kEpowWarningMask, 0x1000, 2048), Epow::kNoErrorsFound);
}

}  // namespace
}  // namespace mosaic::pseries
