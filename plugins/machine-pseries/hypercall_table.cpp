#include "hypercall_table.hpp"

#include <chrono>

#include <fmt/format.h>

#include "mosaic/errors.hpp"
#include "papr.hpp"

namespace mosaic::pseries {

void HypercallTable::add(std::uint64_t number, HypercallHandler handler) {
  if (!handlers_.emplace(number, std::move(handler)).second) {
    throw SetupError(fmt::format("hypercall {:#x} is already handled", number));
  }
}

HypercallTable::~HypercallTable() {
  if (calls_ == 0) return;
  log_->info("{} hypercalls, {:.3f} s in their handlers", calls_.load(),
             static_cast<double>(handler_nanoseconds_.load()) / 1e9);
}

std::int64_t HypercallTable::dispatch(HypercallCall& call) {
  calls_.fetch_add(1, std::memory_order_relaxed);
  const auto found = handlers_.find(call.number);
  if (found == handlers_.end()) {
    std::lock_guard lock(unknown_mutex_);
    // A hostile guest can try every number: the set of reported ones is
    // bounded, so that it cannot grow the VMM's memory without end.
    constexpr std::size_t kReportLimit = 256;
    if (reported_unknown_.size() < kReportLimit && reported_unknown_.insert(call.number).second) {
      // Guests probe for optional hypercalls and expect H_FUNCTION: that
      // is no fault, so it is not a warning.
      log_->debug("vCPU {}: unsupported hypercall {:#x}, answering H_FUNCTION", call.vcpu, call.number);
    }
    return papr::kFunction;
  }
  call.output_count = 0;
  const auto start = std::chrono::steady_clock::now();
  struct AddElapsed {
    std::atomic<std::uint64_t>& total;
    std::chrono::steady_clock::time_point start;
    ~AddElapsed() {
      const auto elapsed = std::chrono::steady_clock::now() - start;
      total.fetch_add(static_cast<std::uint64_t>(std::chrono::nanoseconds(elapsed).count()),
                      std::memory_order_relaxed);
    }
  } add_elapsed{handler_nanoseconds_, start};
  try {
    const std::int64_t status = found->second(call);
    log_->trace("vCPU {}: hypercall {:#x}({:#x}, {:#x}, {:#x}, {:#x}) = {}", call.vcpu, call.number, call.args[0],
                call.args[1], call.args[2], call.args[3], status);
    if (call.output_count > call.outputs.size()) call.output_count = call.outputs.size();
    return status;
  } catch (const std::exception& error) {
    log_->error("vCPU {}: hypercall {:#x} failed: {}", call.vcpu, call.number, error.what());
    call.output_count = 0;
    return papr::kHardware;
  }
}

}  // namespace mosaic::pseries
