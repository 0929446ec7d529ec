#include "hypercall_table.hpp"

#include <fmt/format.h>

#include "mosaic/errors.hpp"
#include "papr.hpp"

namespace mosaic::pseries {

void HypercallTable::add(std::uint64_t number, HypercallHandler handler) {
  if (!handlers_.emplace(number, std::move(handler)).second) {
    throw SetupError(fmt::format("hypercall {:#x} is already handled", number));
  }
}

std::int64_t HypercallTable::dispatch(HypercallCall& call) {
  const auto found = handlers_.find(call.number);
  if (found == handlers_.end()) {
    std::lock_guard lock(unknown_mutex_);
    if (reported_unknown_.insert(call.number).second) {
      log_->warn("vCPU {}: unsupported hypercall {:#x}, answering H_FUNCTION", call.vcpu, call.number);
    }
    return papr::kFunction;
  }
  call.output_count = 0;
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
