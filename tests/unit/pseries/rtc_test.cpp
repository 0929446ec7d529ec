// The RTAS real-time clock: its configured base, its rate (the host clock,
// or the 512 MHz guest timebase in deterministic mode) and set-time-of-day.
// Dates are checked against the calendar: 2006-06-17T00:00:00 UTC is
// 1150502400 s after 1970-01-01.
#include <gtest/gtest.h>

#include "rtc.hpp"

namespace {

using namespace mosaic::pseries;

constexpr std::int64_t kSecond = 1'000'000'000;
constexpr std::int64_t kJune17th2006 = 1'150'502'400;
constexpr std::uint64_t kTicksPerSecond = 512'000'000;

TEST(RtcBaseTest, ParsesTheThreeForms) {
  RtcBase base;
  ASSERT_TRUE(parse_rtc_base("utc", base));
  EXPECT_EQ(base.kind, RtcBase::Kind::utc);
  ASSERT_TRUE(parse_rtc_base("localtime", base));
  EXPECT_EQ(base.kind, RtcBase::Kind::localtime);
  ASSERT_TRUE(parse_rtc_base("2006-06-17T00:00:00", base));
  EXPECT_EQ(base.kind, RtcBase::Kind::fixed);
  EXPECT_EQ(base.fixed_seconds, kJune17th2006);
  ASSERT_TRUE(parse_rtc_base("1970-01-01T00:00:00", base));
  EXPECT_EQ(base.fixed_seconds, 0);
  ASSERT_TRUE(parse_rtc_base("2000-02-29T23:59:59", base));  // a leap day
  EXPECT_EQ(base.fixed_seconds, 951'868'799);
}

TEST(RtcBaseTest, RefusesWhatIsNoDate) {
  RtcBase base;
  for (const char* text : {"", "UTC", "2006-06-17", "2006-06-17 00:00:00", "2006-06-17T00:00:00Z", "2006-13-01T00:00:00",
                           "2006-02-30T00:00:00", "2006-06-17T24:00:00", "1900-02-29T00:00:00", "2006-6-17T00:00:00"}) {
    EXPECT_FALSE(parse_rtc_base(text, base)) << text;
  }
}

TEST(RealTimeClockTest, DeterministicFixedBaseAdvancesWithTheTimebase) {
  RealTimeClock clock({RtcBase::Kind::fixed, kJune17th2006}, true, [] { return std::int64_t{0}; }, 0);
  EXPECT_EQ(clock.now(0), kJune17th2006 * kSecond);
  EXPECT_EQ(clock.now(61 * kTicksPerSecond), (kJune17th2006 + 61) * kSecond);
  EXPECT_EQ(clock.now(1), kJune17th2006 * kSecond + 1);    // 1.953125 ns, truncated
  EXPECT_EQ(clock.now(64), kJune17th2006 * kSecond + 125);  // 64 ticks are exactly 125 ns
}

TEST(RealTimeClockTest, DeterministicHostBasesStartAtTheFixedDate) {
  for (const auto kind : {RtcBase::Kind::utc, RtcBase::Kind::localtime}) {
    RealTimeClock clock({kind, 0}, true, [] { return std::int64_t{123} * kSecond; }, 3600);
    EXPECT_EQ(clock.now(0), kDeterministicRtcBase * kSecond);
  }
}

TEST(RealTimeClockTest, HostModeFollowsTheHostClock) {
  std::int64_t host = 1'000'000 * kSecond;
  RealTimeClock utc({RtcBase::Kind::utc, 0}, false, [&] { return host; }, 7200);
  RealTimeClock local({RtcBase::Kind::localtime, 0}, false, [&] { return host; }, 7200);
  RealTimeClock fixed({RtcBase::Kind::fixed, kJune17th2006}, false, [&] { return host; }, 7200);
  host += 5 * kSecond;
  EXPECT_EQ(utc.now(0), 1'000'005 * kSecond);
  EXPECT_EQ(local.now(0), (1'000'005 + 7200) * kSecond);
  EXPECT_EQ(fixed.now(0), (kJune17th2006 + 5) * kSecond);
}

TEST(RealTimeClockTest, SetTimeOfDayMovesTheClockForTheRestOfTheRun) {
  RealTimeClock clock({RtcBase::Kind::fixed, kJune17th2006}, true, [] { return std::int64_t{0}; }, 0);
  clock.set(0, 10 * kTicksPerSecond);  // back to 1970 at guest second 10
  EXPECT_EQ(clock.now(10 * kTicksPerSecond), 0);
  EXPECT_EQ(clock.now(12 * kTicksPerSecond), 2 * kSecond);
}

}  // namespace
