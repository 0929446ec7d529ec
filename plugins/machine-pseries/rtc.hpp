// The partition's real-time clock, as RTAS get-time-of-day and
// set-time-of-day (LoPAPR's RTAS time-of-day functions) show it: a base chosen in the config
// (machine.rtc.base), moved by set-time-of-day for the rest of the run.
// It advances with the host's clock, or in deterministic mode with guest
// time (the timebase), from a fixed base: no host time reaches the guest.
#pragma once

#include <cstdint>
#include <ctime>
#include <functional>
#include <string>

namespace mosaic::pseries {

struct RtcBase {
  enum class Kind { utc, localtime, fixed };
  Kind kind = Kind::utc;
  std::int64_t fixed_seconds = 0;  // for Kind::fixed: seconds since 1970, as UTC
};

// Where deterministic mode starts when the config names no date.
inline constexpr std::int64_t kDeterministicRtcBase = 946'684'800;  // 2000-01-01T00:00:00

// Parses "utc", "localtime" or a date "YYYY-MM-DDTHH:MM:SS" (UTC); false
// when `text` is none of these or names no real date.
bool parse_rtc_base(const std::string& text, RtcBase& base);

class RealTimeClock {
 public:
  // Host time in nanoseconds since 1970 (UTC), and the host's offset from
  // UTC in seconds for `localtime`; injectable for tests.
  using HostClock = std::function<std::int64_t()>;
  RealTimeClock(RtcBase base, bool deterministic, HostClock host_now, std::int64_t host_utc_offset);
  // With the system clock and the host's time zone.
  RealTimeClock(RtcBase base, bool deterministic);

  // The clock's reading in nanoseconds since 1970, for the guest's
  // timebase `guest_timebase` (512 MHz; used in deterministic mode only).
  std::int64_t now(std::uint64_t guest_timebase) const;
  // set-time-of-day: from now on the clock reads `nanoseconds` at this moment.
  void set(std::int64_t nanoseconds, std::uint64_t guest_timebase);

  // Snapshots: in deterministic mode the reading (the clock follows guest
  // time, which the snapshot carries on); otherwise the reading's offset
  // from host time, so that a restored clock keeps following the host's
  // as it did, however long the snapshot lay on disk.
  std::int64_t saved_value(std::uint64_t guest_timebase) const;
  void restore(std::int64_t saved_value, std::uint64_t guest_timebase);

 private:
  std::int64_t elapsed(std::uint64_t guest_timebase) const;

  bool deterministic_;
  HostClock host_now_;
  std::int64_t host_start_ = 0;  // host time when the clock was made
  std::int64_t start_ = 0;       // the clock's reading then
};

}  // namespace mosaic::pseries
