// Hypercall numbers to handlers. Filled while the machine is built (its own
// hypercalls, then the devices'), read-only while vCPUs run.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <unordered_map>

#include <spdlog/logger.h>

#include "mosaic/device.hpp"

namespace mosaic::pseries {

class HypercallTable {
 public:
  explicit HypercallTable(std::shared_ptr<spdlog::logger> log) : log_(std::move(log)) {}
  // Reports how many hypercalls ran and the time spent in their handlers,
  // for telling where a boot's time goes.
  ~HypercallTable();

  // Throws SetupError when `number` already has a handler.
  void add(std::uint64_t number, HypercallHandler handler);

  // Runs the handler of call.number. Unknown numbers get H_FUNCTION (logged
  // once each, for the first 256 numbers); a handler that throws gets H_HARDWARE, and the VMM goes on.
  std::int64_t dispatch(HypercallCall& call);

 private:
  std::shared_ptr<spdlog::logger> log_;
  std::unordered_map<std::uint64_t, HypercallHandler> handlers_;
  std::mutex unknown_mutex_;
  std::set<std::uint64_t> reported_unknown_;
  std::atomic<std::uint64_t> calls_{0};
  std::atomic<std::uint64_t> handler_nanoseconds_{0};
};

}  // namespace mosaic::pseries
