// One thread per vCPU and the state that says which may run: started by
// the guest (RTAS start-cpu / stop-self), paused for the debugger, or
// shutting down. All vCPU scheduling decisions live here. A run ends at
// shutdown; restart() readies another (a guest reboot).
//
// With a deterministic accelerator, one thread runs the vCPUs round-robin
// in fixed instruction quanta instead (as QEMU's icount does), so that
// host thread timing never decides which vCPU does what first.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/logger.h>

#include "mosaic/accelerator.hpp"
#include "mosaic/machine.hpp"

namespace mosaic::pseries {

class VcpuThreads {
 public:
  // Handles an exit on the vCPU's own thread (hypercall, MMIO, ...).
  using ExitHandler = std::function<void(std::size_t index, Vcpu& vcpu, const VcpuExit& exit)>;
  using DebugStopHandler = std::function<void(std::size_t index, const DebugExit& exit)>;
  // After each return from the vCPU other than `idle`, before its exit is
  // handled: the vCPU is (again) dispatched.
  using DispatchHandler = std::function<void(std::size_t index)>;

  // Instructions a vCPU runs per turn in deterministic mode: short enough
  // for a prompt IPI answer, long enough that switching costs little.
  static constexpr std::uint64_t kDeterministicQuantum = 10'000;

  // `deterministic`: round-robin on one thread (AcceleratorCaps).
  VcpuThreads(std::vector<std::unique_ptr<Vcpu>>& vcpus, ExitHandler on_exit, DispatchHandler on_dispatch,
              bool deterministic, std::shared_ptr<spdlog::logger> log);
  ~VcpuThreads();

  // Lets vCPU `index` run (boot CPU, RTAS start-cpu) or parks it for good
  // (RTAS stop-self, from its own thread).
  void start(std::size_t index);
  void stop_self(std::size_t index);
  bool started(std::size_t index) const;

  // Runs every started vCPU until shutdown(); blocks.
  RunOutcome run();
  // Any thread; the first outcome wins, and true says it was this one.
  // The first one that comes too late is kept for the next run, so that a
  // shutdown (a signal, the debugger's kill) is not lost across a restart.
  // `if_first` runs under the lock when this outcome wins, before run()
  // can return it.
  bool shutdown(RunOutcome outcome, const std::function<void()>& if_first = {});
  // After run() returned: runs `reset` (which may replace the vCPUs) while
  // the debugger cannot stop them, then readies run() for another run with
  // every vCPU stopped. The debugger's pause and breakpoints carry over.
  void restart(const std::function<void()>& reset);

  // Applies `change` to every vCPU on the vCPU's own thread before it next
  // enters the guest; the calling vCPU (if any) is changed at once.
  void change_all(std::optional<std::size_t> calling_vcpu, const std::function<void(Vcpu&)>& change);

  // Holds every vCPU out of the guest until as many release()s: the
  // control socket's pause, and brief holds to read registers. Separate
  // from the debugger's pause, which neither sets nor clears it.
  void hold();
  void release();
  // "running", "paused" (held or stopped by the debugger) or "stopped"
  // (not started, or stopped itself).
  std::string state(std::size_t index) const;

  // The debugger's controls (DebugTarget).
  void stop_all();
  void resume_all(std::optional<std::size_t> step_vcpu);
  void set_debug(const GuestDebug& debug);
  void on_debug_stop(DebugStopHandler handler);
  // From a vCPU thread whose vCPU hit a debug event: stops the others and
  // reports the event once all are stopped.
  void debug_stop(std::size_t index, const DebugExit& exit);

 private:
  void thread_main(std::size_t index);
  void round_robin_main();
  // With the lock held, before vCPU `index` enters the guest: applies
  // change_all()'s changes and the debug state.
  void prepare_to_run_locked(std::size_t index);
  // Without the lock: what follows a return from the guest.
  void after_run(std::size_t index, const VcpuExit& exit);
  bool may_run(std::size_t index) const;
  void request_stop_all_locked();
  void wait_until_out_of_guest_locked(std::unique_lock<std::mutex>& lock, std::optional<std::size_t> except);
  // vCPU `index` returned from the guest. Only those waiting for that hear
  // of it: a wake-up per hypercall was 10% of a Linux boot.
  void left_guest_locked(std::size_t index);

  struct VcpuSlot {
    bool started = false;
    bool in_guest = false;  // in run() or handling the exit it returned
    std::uint64_t applied_debug_generation = 0;
    std::vector<std::function<void(Vcpu&)>> pending_changes;
  };

  std::vector<std::unique_ptr<Vcpu>>& vcpus_;
  ExitHandler on_exit_;
  DispatchHandler on_dispatch_;
  bool deterministic_;
  std::shared_ptr<spdlog::logger> log_;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::condition_variable shut_down_;  // run() waits on it alone
  unsigned out_of_guest_waiters_ = 0;
  std::vector<VcpuSlot> slots_;
  bool shutting_down_ = false;
  RunOutcome outcome_;
  std::optional<RunOutcome> next_outcome_;
  bool paused_ = false;  // by the debugger
  unsigned holds_ = 0;    // by hold()
  bool reporting_debug_stop_ = false;
  std::optional<std::size_t> step_vcpu_;
  GuestDebug debug_;
  std::uint64_t debug_generation_ = 1;
  DebugStopHandler debug_stop_handler_;
  std::vector<std::thread> threads_;
};

}  // namespace mosaic::pseries
