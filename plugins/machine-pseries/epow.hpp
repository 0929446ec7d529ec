// Environmental and power warnings (EPOW, LoPAPR 10.3.2): how the platform
// asks a PAPR guest to shut down cleanly. The machine raises a level
// interrupt named by /event-sources/epow-events; the guest's handler calls
// RTAS check-exception, which hands it an error log whose EPOW section says
// "system shutdown, normal", and Linux powers off in an orderly way.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <span>
#include <vector>

#include "mosaic/device_tree.hpp"

namespace mosaic::pseries {

class Epow {
 public:
  // `set_line` drives the interrupt source `source` (a level on the XICS).
  Epow(std::uint32_t source, std::function<void(bool asserted)> set_line)
      : source_(source), set_line_(std::move(set_line)) {}

  // The /event-sources nodes Linux's pseries RAS code looks up.
  std::vector<DeviceTreeNode> device_tree_nodes() const;

  // Any thread: a shutdown request is pending until check-exception takes it.
  void request_shutdown();
  // Power-on state: nothing pending, the line low.
  void reset();
  // Snapshots: whether a shutdown request is pending (and so the line).
  bool pending();
  void restore_pending(bool pending);

  // RTAS check-exception (LoPAPR 7.3.3.2): vector offset, additional
  // information (the interrupt source), event mask, critical, buffer
  // address, buffer length. Writes the log through `write` (a checked
  // guest-memory write) and returns the RTAS status.
  std::int32_t check_exception(std::span<const std::uint32_t> args,
                               const std::function<bool(std::uint64_t, std::span<const std::byte>)>& write);

  // The error log check-exception returns for a shutdown request.
  static std::vector<std::byte> shutdown_log();

  static constexpr std::uint32_t kEpowWarningMask = 0x40000000;  // event mask bit for EPOW events
  static constexpr std::int32_t kNewLog = 0;
  static constexpr std::int32_t kNoErrorsFound = 1;

 private:
  std::uint32_t source_;
  std::function<void(bool)> set_line_;
  std::mutex mutex_;
  bool pending_ = false;
};

}  // namespace mosaic::pseries
