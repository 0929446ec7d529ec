// The SDK's Vcpu over one interpreted Cpu: exits, stop requests, the
// external interrupt line, H_CEDE idling and debug state.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>

#include "cpu.hpp"
#include "mosaic/accelerator.hpp"

namespace mosaic::interp {

// Deterministic mode's guest clock, shared by all vCPUs: the timebase
// that the instructions retired so far (by whichever vCPU) and the idle
// warps add up to. Only one vCPU runs at a time in that mode.
struct DeterministicClock {
  std::uint64_t timebase = 0;
};

// What each vCPU did, by vCPU number, summed over the Vcpu objects that
// had the number (a restore or an accelerator switch makes new ones): the
// instructions it retired and the time its host thread spent running them,
// idling in H_CEDE not included, so that each thread's speed shows.
class VcpuWork {
 public:
  struct Record {
    std::uint64_t instructions = 0;
    std::chrono::steady_clock::duration running{};
  };
  void add(std::uint32_t vcpu, const Record& work) {
    std::lock_guard lock(mutex_);
    Record& record = records_[vcpu];
    record.instructions += work.instructions;
    record.running += work.running;
  }
  std::map<std::uint32_t, Record> records() const {
    std::lock_guard lock(mutex_);
    return records_;
  }

 private:
  mutable std::mutex mutex_;
  std::map<std::uint32_t, Record> records_;
};

class InterpVcpu final : public Vcpu {
 public:
  // `work` receives this vCPU's instructions and running time when it goes.
  InterpVcpu(std::uint32_t id, MemorySystem& memory_system, std::uint32_t pvr, VcpuWork& work);
  ~InterpVcpu() override { work_.add(id_, {cpu_.instructions_retired(), running_}); }
  // With a clock, guest time counts instructions (DESIGN.md section 5).
  void set_deterministic_clock(DeterministicClock* clock) {
    clock_ = clock;
    cpu_.set_deterministic(clock != nullptr);
  }
  // Hot runs of fixed-point code compiled after this many executions (0:
  // never; see run_compiler.hpp).
  void compile_hot_runs(unsigned executions) { cpu_.decode_cache().compile_hot_runs(executions); }

  std::uint32_t id() const override { return id_; }
  VcpuExit run() override;
  VcpuExit run_for(std::uint64_t instructions) override;
  void advance_idle_time(std::uint64_t timebase) override;
  void complete_hypercall(std::int64_t status, std::span<const std::uint64_t> outputs) override;
  void complete_mmio_read(std::uint64_t value) override { cpu_.complete_mmio_read(value); }
  void fail_mmio() override { cpu_.fail_mmio(); }
  void request_stop() override;
  void set_external_interrupt(bool asserted) override;
  void cede() override { ceded_ = true; }
  ppc::Registers registers() const override;
  void set_registers(const ppc::Registers& registers) override;
  void set_debug(const GuestDebug& debug) override;
  VcpuState save_state() override;
  void load_state(const VcpuState& state) override;

 private:
  // H_CEDE: sleep with MSR[EE] on until an interrupt can be taken or a
  // stop is requested.
  void idle_until_interrupt();

  // Cpu::run, its time counted in running_.
  void run_cpu();

  // Deterministic mode: this vCPU's timebase catches up with the shared
  // clock before it runs, and the clock takes this vCPU's after.
  void enter_shared_time();
  void leave_shared_time();

  std::uint32_t id_;
  Cpu cpu_;
  DeterministicClock* clock_ = nullptr;
  VcpuWork& work_;
  std::chrono::steady_clock::duration running_{};
  std::atomic<bool> stop_requested_{false};
  std::atomic<bool> external_interrupt_{false};
  bool ceded_ = false;
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  GuestDebug debug_;
  bool debug_active_ = false;
};

}  // namespace mosaic::interp
