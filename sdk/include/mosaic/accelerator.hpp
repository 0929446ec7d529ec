// The accelerator interface: a VM-wide object that creates vCPUs over guest
// memory and stores the HPT, and vCPUs whose run() returns typed exits.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <span>
#include <string>
#include <vector>

#include "mosaic/ppc.hpp"

namespace mosaic {

enum class ExitReason {
  hypercall,  // sc 1 from supervisor state: the machine dispatches it
  mmio,       // a load or store to an address outside RAM
  debug,      // breakpoint, watchpoint or completed single-step
  stopped,    // request_stop() was honoured
  halted,     // the vCPU stopped itself for good (e.g. checkstop)
  idle,       // run_for() only: ceded, with nothing to take before idle_until
};

struct HypercallExit {
  // r3 (the hypercall number) through r12, as the guest left them.
  std::array<std::uint64_t, 10> args{};
};

struct MmioExit {
  std::uint64_t address = 0;
  std::uint32_t size = 0;  // 1, 2, 4 or 8
  bool is_write = false;
  // The value being stored, in bus order: the bytes the store would have
  // put in RAM, read as a little-endian number (PCI's order), whatever the
  // vCPU's byte order. complete_mmio_read() takes a load's value the same way.
  std::uint64_t data = 0;
};

enum class DebugCause { software_breakpoint, hardware_breakpoint, watchpoint, single_step };

struct DebugExit {
  DebugCause cause = DebugCause::single_step;
  std::uint64_t address = 0;  // instruction address, or data address for a watchpoint
};

struct VcpuExit {
  ExitReason reason = ExitReason::stopped;
  HypercallExit hypercall;
  MmioExit mmio;
  DebugExit debug;
  std::string halt_reason;  // for ExitReason::halted
  // For ExitReason::idle: the guest timebase at which the vCPU's
  // decrementer fires (~0: only an external interrupt or H_PROD wakes it).
  std::uint64_t idle_until = ~std::uint64_t{0};
};

enum class WatchKind { write, read, access };

struct Watchpoint {
  std::uint64_t address = 0;
  std::uint64_t length = 0;
  WatchKind kind = WatchKind::write;
  friend bool operator==(const Watchpoint&, const Watchpoint&) = default;
};

// Debug state applied to one vCPU; replaces whatever was set before.
struct GuestDebug {
  bool single_step = false;
  std::vector<std::uint64_t> software_breakpoints;  // effective addresses
  std::vector<std::uint64_t> hardware_breakpoints;
  std::vector<Watchpoint> watchpoints;
};

// The areas a vCPU registered with PAPR's H_REGISTER_VPA (real addresses,
// 0 for none) and the lengths the guest wrote into the SLB shadow buffer and
// the dispatch trace log.
struct VpaRegistration {
  std::uint64_t vpa = 0;
  std::uint64_t slb_shadow = 0;
  std::uint32_t slb_shadow_bytes = 0;
  std::uint64_t dispatch_trace_log = 0;
  std::uint32_t dispatch_trace_log_bytes = 0;
  friend bool operator==(const VpaRegistration&, const VpaRegistration&) = default;
};

// Everything a vCPU holds, for snapshots and accelerator switches: the
// registers (with `tb` the guest timebase and `dec` the decrementer when it
// was saved), every other SPR the accelerator keeps, by its architected SPR
// number (the privileged one where a user alias exists), so that another
// accelerator kind can load it, and whether the vCPU was ceded. A load
// reservation is not part of it: losing one is always allowed (Book II
// 4.4.2), so a restored stcx. fails once.
// `vpa`: accelerators that serve H_REGISTER_VPA themselves (KVM-HV does, in
// the kernel) report the registration from save_state; load_state gets the
// machine's record of it (an accelerator that leaves the hypercall to the
// machine ignores it).
struct VcpuState {
  ppc::Registers registers;
  std::map<std::uint32_t, std::uint64_t> sprs;
  bool ceded = false;
  std::optional<VpaRegistration> vpa;
};

class Vcpu {
 public:
  virtual ~Vcpu() = default;
  virtual std::uint32_t id() const = 0;

  // Runs guest code on the calling thread until an exit the accelerator does
  // not handle itself. Only ever called from this vCPU's thread.
  virtual VcpuExit run() = 0;
  // Completes the hypercall of the last exit: r3 = status, r4.. = outputs.
  virtual void complete_hypercall(std::int64_t status, std::span<const std::uint64_t> outputs) = 0;
  // Completes an MMIO load of the last exit with the value read.
  virtual void complete_mmio_read(std::uint64_t value) = 0;
  // Completes the MMIO load or store of the last exit as one that reached
  // nothing (no RAM, no device): the vCPU takes the machine check interrupt
  // POWER8 takes for a real address no unit answers, at the instruction.
  virtual void fail_mmio() = 0;

  // Any thread: make run() return ExitReason::stopped soon.
  virtual void request_stop() = 0;
  // Any thread: the level of the external interrupt line (from the XICS).
  virtual void set_external_interrupt(bool asserted) = 0;
  // H_CEDE: in its next run() the vCPU idles, with MSR[EE] set, until an
  // interrupt is pending (or request_stop()), and then returns `stopped`
  // before executing anything, so that the machine sees the vCPU
  // dispatched again (the VPA's dispatch counter). Accelerators that cede
  // in the kernel (KVM-HV) never get here.
  virtual void cede() = 0;

  // Deterministic accelerators (AcceleratorCaps::deterministic): guest
  // time is a count of instructions shared by all vCPUs, and the machine
  // runs them one at a time, round-robin, in quanta of `instructions`.
  // run_for returns `stopped` when the quantum is spent, and `idle` at once
  // while the vCPU is ceded with no interrupt to take. Other accelerators
  // have no instruction count: their run_for is run().
  virtual VcpuExit run_for(std::uint64_t instructions) {
    static_cast<void>(instructions);
    return run();
  }
  // Deterministic accelerators, when every vCPU is idle: guest time jumps
  // to `timebase`, the earliest idle_until (QEMU's icount warp does the
  // same). Time never goes back. Others have host time and ignore it.
  virtual void advance_idle_time(std::uint64_t timebase) { static_cast<void>(timebase); }

  // Only while run() is not executing.
  virtual ppc::Registers registers() const = 0;
  virtual void set_registers(const ppc::Registers& registers) = 0;
  virtual void set_debug(const GuestDebug& debug) = 0;

  // Only while run() is not executing, on accelerators whose capabilities
  // say saves_state. save_state first finishes the exit the machine last
  // handled, as the next run() would, without running the guest further:
  // the results of a hypercall or the data of an MMIO load reach the
  // registers, so that the state is between two instructions. load_state
  // takes what save_state of any accelerator kind gave, and leaves out SPRs
  // this one does not keep; the timebase is the Accelerator's to set,
  // before load_state.
  virtual VcpuState save_state() { throw std::logic_error("this accelerator cannot save vCPU state"); }
  virtual void load_state(const VcpuState& state) {
    static_cast<void>(state);
    throw std::logic_error("this accelerator cannot load vCPU state");
  }
};

struct DebugFeatures {
  bool software_breakpoints = false;
  unsigned hardware_breakpoints = 0;
  unsigned watchpoints = 0;
  bool single_step = false;
};

struct AcceleratorCaps {
  std::uint32_t pvr = 0;  // processor version the guest will see
  std::vector<ppc::SegmentPageSizes> segment_page_sizes;
  bool hpt_in_kernel = false;  // the HPT storage is not in this process
  // Guest time counts retired instructions, so that a run repeats exactly
  // when the machine schedules vCPUs with run_for (no host time or host
  // thread timing may reach the guest).
  bool deterministic = false;
  // Vcpu::save_state/load_state and Accelerator::timebase/set_timebase
  // work (snapshots).
  bool saves_state = false;
  DebugFeatures debug;
};

class Accelerator {
 public:
  virtual ~Accelerator() = default;
  virtual AcceleratorCaps capabilities() const = 0;
  virtual ppc::HashPageTable& hash_page_table() = 0;
  // vCPU ids are 0..n-1 in creation order.
  virtual std::unique_ptr<Vcpu> create_vcpu(std::uint32_t id) = 0;

  // The guest timebase now, and setting it for every vCPU (a restored
  // snapshot goes on from its saved time); only while no vCPU runs, on
  // accelerators that say saves_state.
  virtual std::uint64_t timebase() const { throw std::logic_error("this accelerator cannot read the timebase"); }
  virtual void set_timebase(std::uint64_t value) {
    static_cast<void>(value);
    throw std::logic_error("this accelerator cannot set the timebase");
  }
};

}  // namespace mosaic
