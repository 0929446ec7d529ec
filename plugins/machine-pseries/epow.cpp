#include "epow.hpp"

namespace mosaic::pseries {

namespace {

void put_be16(std::vector<std::byte>& out, std::size_t at, std::uint16_t value) {
  out[at] = std::byte(value >> 8);
  out[at + 1] = std::byte(value);
}

void put_be32(std::vector<std::byte>& out, std::size_t at, std::uint32_t value) {
  for (unsigned i = 0; i < 4; ++i) out[at + i] = std::byte(value >> (24 - 8 * i));
}

// Layout of the RTAS error log version 6 (LoPAPR 10.3.2.2): an 8-byte
// fixed part, a 16-byte extended header, then sections.
constexpr std::size_t kFixedPart = 8;
constexpr std::size_t kExtendedHeader = 16;
constexpr std::size_t kSectionHeader = 8;
constexpr std::size_t kEpowData = 8;  // sensor value, modifiers, reason; padded to a word
constexpr std::uint8_t kLogVersion6 = 6;
constexpr std::uint8_t kSeverityEvent = 1;  // bits 0-2 of byte 1
constexpr std::uint8_t kExtendedLogPresent = 0x04;
constexpr std::uint8_t kTypeEpow = 0x40;
constexpr std::uint8_t kLogValidNewBigEndian = 0x80 | 0x04 | 0x02;
constexpr std::uint8_t kPowerPcFormatEventLog = 0x80 | 14;  // PowerPC format; log format 14 = event log
constexpr std::uint16_t kEpowSectionId = ('E' << 8) | 'P';
constexpr std::uint8_t kActionSystemShutdown = 3;  // EPOW sensor value: shut down the system
constexpr std::uint8_t kModifierNormalShutdown = 1;

}  // namespace

std::vector<DeviceTreeNode> Epow::device_tree_nodes() const {
  using P = DeviceTreeProperty;
  return {{"/event-sources",
           {P::empty("interrupt-controller"), P::cells("#interrupt-cells", {2}),
            P::cells("interrupt-ranges", {source_, 1})}},
          {"/event-sources/epow-events", {P::cells("interrupts", {source_, 0})}}};
}

void Epow::request_shutdown() {
  std::lock_guard lock(mutex_);
  pending_ = true;
  set_line_(true);
}

void Epow::reset() { restore_pending(false); }

bool Epow::pending() {
  std::lock_guard lock(mutex_);
  return pending_;
}

void Epow::restore_pending(bool pending) {
  std::lock_guard lock(mutex_);
  pending_ = pending;
  set_line_(pending);
}

std::vector<std::byte> Epow::shutdown_log() {
  const std::size_t extended_length = kExtendedHeader + kSectionHeader + kEpowData;
  std::vector<std::byte> log(kFixedPart + extended_length);
  log[0] = std::byte{kLogVersion6};
  log[1] = std::byte(kSeverityEvent << 5 | kExtendedLogPresent);
  log[3] = std::byte{kTypeEpow};
  put_be32(log, 4, static_cast<std::uint32_t>(extended_length));
  const std::size_t extended = kFixedPart;
  log[extended + 0] = std::byte{kLogValidNewBigEndian};
  log[extended + 2] = std::byte{kPowerPcFormatEventLog};
  log[extended + 12] = std::byte{'I'};
  log[extended + 13] = std::byte{'B'};
  log[extended + 14] = std::byte{'M'};
  const std::size_t section = extended + kExtendedHeader;
  put_be16(log, section, kEpowSectionId);
  put_be16(log, section + 2, static_cast<std::uint16_t>(kSectionHeader + kEpowData));
  log[section + 4] = std::byte{1};  // section version
  log[section + kSectionHeader + 0] = std::byte{kActionSystemShutdown};
  log[section + kSectionHeader + 1] = std::byte{kModifierNormalShutdown};
  return log;
}

std::int32_t Epow::check_exception(std::span<const std::uint32_t> args,
                                   const std::function<bool(std::uint64_t, std::span<const std::byte>)>& write) {
  constexpr std::int32_t kHardwareError = -1;
  if (args.size() < 6) return kHardwareError;
  const std::uint32_t event_mask = args[2];
  const std::uint64_t buffer = args[4];
  const std::uint32_t length = args[5];
  std::lock_guard lock(mutex_);
  if (!pending_ || (event_mask & kEpowWarningMask) == 0) return kNoErrorsFound;
  const std::vector<std::byte> log = shutdown_log();
  // A buffer too small or outside RAM gets nothing; the event stays
  // pending for a caller that can take it.
  if (length < log.size() || !write(buffer, log)) return kHardwareError;
  pending_ = false;
  set_line_(false);
  return kNewLog;
}

}  // namespace mosaic::pseries
