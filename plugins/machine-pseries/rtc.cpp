#include "rtc.hpp"

#include <chrono>
#include <cstdio>

namespace mosaic::pseries {

namespace {

constexpr std::int64_t kNanosecondsPerSecond = 1'000'000'000;
// The guest timebase runs at 512 MHz: one tick is 125/64 ns.
constexpr std::uint64_t kNanosecondsPerTickNumerator = 125;
constexpr std::uint64_t kNanosecondsPerTickDenominator = 64;

std::int64_t system_now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::int64_t host_utc_offset_now() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  return local.tm_gmtoff;
}

}  // namespace

bool parse_rtc_base(const std::string& text, RtcBase& base) {
  if (text == "utc") {
    base = {RtcBase::Kind::utc, 0};
    return true;
  }
  if (text == "localtime") {
    base = {RtcBase::Kind::localtime, 0};
    return true;
  }
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, consumed = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute, &second,
                  &consumed) != 6 ||
      static_cast<std::size_t>(consumed) != text.size() || text.size() != 19) {
    return false;
  }
  std::tm fields{};
  fields.tm_year = year - 1900;
  fields.tm_mon = month - 1;
  fields.tm_mday = day;
  fields.tm_hour = hour;
  fields.tm_min = minute;
  fields.tm_sec = second;
  const std::time_t seconds = timegm(&fields);
  // timegm normalises out-of-range fields (2006-02-30 becomes March 2):
  // such a date is refused rather than silently moved.
  if (fields.tm_year != year - 1900 || fields.tm_mon != month - 1 || fields.tm_mday != day ||
      fields.tm_hour != hour || fields.tm_min != minute || fields.tm_sec != second) {
    return false;
  }
  base = {RtcBase::Kind::fixed, static_cast<std::int64_t>(seconds)};
  return true;
}

RealTimeClock::RealTimeClock(RtcBase base, bool deterministic, HostClock host_now, std::int64_t host_utc_offset)
    : deterministic_(deterministic), host_now_(std::move(host_now)) {
  if (!deterministic_) host_start_ = host_now_();
  switch (base.kind) {
    case RtcBase::Kind::fixed: start_ = base.fixed_seconds * kNanosecondsPerSecond; break;
    case RtcBase::Kind::utc:
    case RtcBase::Kind::localtime:
      if (deterministic_) {
        start_ = kDeterministicRtcBase * kNanosecondsPerSecond;
      } else {
        const std::int64_t offset = base.kind == RtcBase::Kind::localtime ? host_utc_offset : 0;
        start_ = host_start_ + offset * kNanosecondsPerSecond;
      }
      break;
  }
}

RealTimeClock::RealTimeClock(RtcBase base, bool deterministic)
    : RealTimeClock(base, deterministic, system_now, host_utc_offset_now()) {}

std::int64_t RealTimeClock::elapsed(std::uint64_t guest_timebase) const {
  if (!deterministic_) return host_now_() - host_start_;
  const std::uint64_t whole = guest_timebase / kNanosecondsPerTickDenominator * kNanosecondsPerTickNumerator;
  const std::uint64_t part =
      guest_timebase % kNanosecondsPerTickDenominator * kNanosecondsPerTickNumerator / kNanosecondsPerTickDenominator;
  return static_cast<std::int64_t>(whole + part);
}

std::int64_t RealTimeClock::now(std::uint64_t guest_timebase) const { return start_ + elapsed(guest_timebase); }

void RealTimeClock::set(std::int64_t nanoseconds, std::uint64_t guest_timebase) {
  start_ = nanoseconds - elapsed(guest_timebase);
}

std::int64_t RealTimeClock::saved_value(std::uint64_t guest_timebase) const {
  const std::int64_t reading = now(guest_timebase);
  return deterministic_ ? reading : reading - host_now_();
}

void RealTimeClock::restore(std::int64_t saved_value, std::uint64_t guest_timebase) {
  set(deterministic_ ? saved_value : host_now_() + saved_value, guest_timebase);
}

}  // namespace mosaic::pseries
