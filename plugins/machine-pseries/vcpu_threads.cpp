#include "vcpu_threads.hpp"

#include <algorithm>
#include <chrono>

namespace mosaic::pseries {

VcpuThreads::VcpuThreads(std::vector<std::unique_ptr<Vcpu>>& vcpus, ExitHandler on_exit, DispatchHandler on_dispatch,
                         bool deterministic, std::shared_ptr<spdlog::logger> log)
    : vcpus_(vcpus), on_exit_(std::move(on_exit)), on_dispatch_(std::move(on_dispatch)), deterministic_(deterministic),
      log_(std::move(log)), slots_(vcpus.size()) {}

VcpuThreads::~VcpuThreads() {
  shutdown({RunOutcome::Kind::failure, "machine destroyed"});
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void VcpuThreads::start(std::size_t index) {
  {
    std::lock_guard lock(mutex_);
    slots_.at(index).started = true;
  }
  changed_.notify_all();
}

void VcpuThreads::stop_self(std::size_t index) {
  std::lock_guard lock(mutex_);
  slots_.at(index).started = false;
}

bool VcpuThreads::started(std::size_t index) const {
  std::lock_guard lock(mutex_);
  return slots_.at(index).started;
}

bool VcpuThreads::may_run(std::size_t index) const {
  if (!slots_[index].started || paused_ || holds_ > 0) return false;
  return !step_vcpu_ || *step_vcpu_ == index;
}

void VcpuThreads::request_stop_all_locked() {
  for (auto& vcpu : vcpus_) vcpu->request_stop();
}

void VcpuThreads::wait_until_out_of_guest_locked(std::unique_lock<std::mutex>& lock,
                                                 std::optional<std::size_t> except) {
  ++out_of_guest_waiters_;
  changed_.wait(lock, [&] {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (slots_[i].in_guest && i != except) return false;
    }
    return true;
  });
  --out_of_guest_waiters_;
}

void VcpuThreads::left_guest_locked(std::size_t index) {
  slots_[index].in_guest = false;
  if (out_of_guest_waiters_ > 0) changed_.notify_all();
}

RunOutcome VcpuThreads::run() {
  if (deterministic_) {
    threads_.emplace_back([this] { round_robin_main(); });
  } else {
    for (std::size_t i = 0; i < vcpus_.size(); ++i) threads_.emplace_back([this, i] { thread_main(i); });
  }
  {
    std::unique_lock lock(mutex_);
    shut_down_.wait(lock, [this] { return shutting_down_; });
  }
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  std::lock_guard lock(mutex_);
  return outcome_;
}

bool VcpuThreads::shutdown(RunOutcome outcome, const std::function<void()>& if_first) {
  {
    std::lock_guard lock(mutex_);
    if (shutting_down_) {
      if (!next_outcome_) next_outcome_ = std::move(outcome);
      return false;
    }
    shutting_down_ = true;
    outcome_ = std::move(outcome);
    if (if_first) if_first();
    request_stop_all_locked();
  }
  changed_.notify_all();
  shut_down_.notify_all();
  return true;
}

void VcpuThreads::restart(const std::function<void()>& reset) {
  std::lock_guard lock(mutex_);
  reset();
  // Fresh slots: nothing started, no stale H_SET_MODE changes, and the
  // debug state applied again (the vCPUs may be new).
  slots_.assign(vcpus_.size(), VcpuSlot{});
  shutting_down_ = next_outcome_.has_value();
  if (next_outcome_) outcome_ = std::move(*next_outcome_);
  next_outcome_.reset();
}

void VcpuThreads::prepare_to_run_locked(std::size_t index) {
  Vcpu& vcpu = *vcpus_[index];
  VcpuSlot& slot = slots_[index];
  for (auto& change : slot.pending_changes) change(vcpu);
  slot.pending_changes.clear();
  if (slot.applied_debug_generation != debug_generation_) {
    GuestDebug debug = debug_;
    debug.single_step = step_vcpu_ == index;
    vcpu.set_debug(debug);
    slot.applied_debug_generation = debug_generation_;
  }
  slot.in_guest = true;
}

void VcpuThreads::after_run(std::size_t index, const VcpuExit& exit) {
  if (exit.reason == ExitReason::idle) return;
  if (on_dispatch_) on_dispatch_(index);
  if (exit.reason == ExitReason::stopped) return;
  if (exit.reason == ExitReason::debug) {
    debug_stop(index, exit.debug);
  } else {
    on_exit_(index, *vcpus_[index], exit);
  }
}

void VcpuThreads::thread_main(std::size_t index) {
  Vcpu& vcpu = *vcpus_[index];
  std::unique_lock lock(mutex_);
  for (;;) {
    changed_.wait(lock, [&] { return shutting_down_ || may_run(index); });
    if (shutting_down_) return;
    prepare_to_run_locked(index);
    lock.unlock();
    const VcpuExit exit = vcpu.run();
    // Out of the guest only once its exit is handled: a pause then never
    // sees a hypercall or an MMIO access half done (snapshots, gdb).
    after_run(index, exit);
    lock.lock();
    left_guest_locked(index);
  }
}

void VcpuThreads::round_robin_main() {
  std::unique_lock lock(mutex_);
  const auto any_may_run = [this] {
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (may_run(i)) return true;
    }
    return false;
  };
  for (;;) {
    changed_.wait(lock, [&] { return shutting_down_ || any_may_run(); });
    if (shutting_down_) return;
    // One round: each runnable vCPU in index order gets one turn.
    bool all_idle = true;
    std::uint64_t earliest_wake = ~std::uint64_t{0};
    std::optional<std::size_t> last_idle;
    for (std::size_t index = 0; index < vcpus_.size(); ++index) {
      if (shutting_down_) return;
      if (!may_run(index)) continue;
      prepare_to_run_locked(index);
      lock.unlock();
      const VcpuExit exit = vcpus_[index]->run_for(kDeterministicQuantum);
      if (exit.reason != ExitReason::idle) after_run(index, exit);
      lock.lock();
      left_guest_locked(index);
      if (exit.reason == ExitReason::idle) {
        earliest_wake = std::min(earliest_wake, exit.idle_until);
        last_idle = index;
        continue;
      }
      all_idle = false;
    }
    if (!all_idle || !last_idle) continue;
    if (earliest_wake != ~std::uint64_t{0}) {
      // Nobody runs until a decrementer fires: guest time jumps there.
      vcpus_[*last_idle]->advance_idle_time(earliest_wake);
      continue;
    }
    // Only an event from outside the guest (a device, the debugger, a
    // shutdown) can end this; it is not guest-timed, so poll for it.
    changed_.wait_for(lock, std::chrono::milliseconds(1));
  }
}

void VcpuThreads::change_all(std::optional<std::size_t> calling_vcpu, const std::function<void(Vcpu&)>& change) {
  {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      if (calling_vcpu == i) continue;
      slots_[i].pending_changes.push_back(change);
      vcpus_[i]->request_stop();
    }
  }
  if (calling_vcpu) change(*vcpus_[*calling_vcpu]);
}

void VcpuThreads::hold() {
  std::unique_lock lock(mutex_);
  ++holds_;
  request_stop_all_locked();
  wait_until_out_of_guest_locked(lock, std::nullopt);
}

void VcpuThreads::release() {
  {
    std::lock_guard lock(mutex_);
    if (holds_ > 0) --holds_;
  }
  changed_.notify_all();
}

std::string VcpuThreads::state(std::size_t index) const {
  std::lock_guard lock(mutex_);
  if (!slots_.at(index).started) return "stopped";
  return paused_ || holds_ > 0 ? "paused" : "running";
}

void VcpuThreads::stop_all() {
  std::unique_lock lock(mutex_);
  paused_ = true;
  request_stop_all_locked();
  wait_until_out_of_guest_locked(lock, std::nullopt);
}

void VcpuThreads::resume_all(std::optional<std::size_t> step_vcpu) {
  {
    std::lock_guard lock(mutex_);
    if (step_vcpu_ != step_vcpu) ++debug_generation_;
    step_vcpu_ = step_vcpu;
    paused_ = false;
    reporting_debug_stop_ = false;
  }
  changed_.notify_all();
}

void VcpuThreads::set_debug(const GuestDebug& debug) {
  std::lock_guard lock(mutex_);
  debug_ = debug;
  ++debug_generation_;
}

void VcpuThreads::on_debug_stop(DebugStopHandler handler) {
  std::lock_guard lock(mutex_);
  debug_stop_handler_ = std::move(handler);
}

void VcpuThreads::debug_stop(std::size_t index, const DebugExit& exit) {
  DebugStopHandler handler;
  {
    std::unique_lock lock(mutex_);
    paused_ = true;
    request_stop_all_locked();
    // Only the first of simultaneous events is reported; the others are
    // met again when their vCPUs resume (a breakpoint is still there).
    if (reporting_debug_stop_) return;
    reporting_debug_stop_ = true;
    wait_until_out_of_guest_locked(lock, index);
    handler = debug_stop_handler_;
  }
  if (handler) {
    handler(index, exit);
  } else {
    log_->warn("vCPU {}: debug stop at {:#x} with no debugger attached; resuming", index, exit.address);
    resume_all(std::nullopt);
  }
}

}  // namespace mosaic::pseries
