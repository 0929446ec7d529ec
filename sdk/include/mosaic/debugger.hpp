// Debuggers attach to the running VM through a DebugTarget that the machine
// implements.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>

#include "mosaic/accelerator.hpp"

namespace mosaic {

class DebugTarget {
 public:
  virtual ~DebugTarget() = default;
  virtual std::size_t vcpu_count() const = 0;
  virtual DebugFeatures debug_features() const = 0;

  // Stops every vCPU and returns once none is executing guest code.
  virtual void stop_all() = 0;
  // Lets every vCPU run; with `step_vcpu`, that one executes a single
  // instruction and reports a single_step stop.
  virtual void resume_all(std::optional<std::size_t> step_vcpu) = 0;
  // Called (on a vCPU thread) when a vCPU hits a breakpoint, watchpoint or
  // completes a step; all vCPUs are stopped by then.
  virtual void on_debug_stop(std::function<void(std::size_t vcpu, const DebugExit& exit)> handler) = 0;
  virtual void set_debug(const GuestDebug& debug) = 0;

  // Only while stopped.
  virtual ppc::Registers registers(std::size_t vcpu) = 0;
  virtual void set_registers(std::size_t vcpu, const ppc::Registers& registers) = 0;

  // Translates an effective address as `vcpu` would now (MSR, SLB, HPT);
  // nullopt when there is no translation.
  virtual std::optional<std::uint64_t> debug_translate(std::size_t vcpu, std::uint64_t effective_address) = 0;
  virtual bool read_physical(std::uint64_t address, std::span<std::byte> out) = 0;
  virtual bool write_physical(std::uint64_t address, std::span<const std::byte> in) = 0;

  // The debugger's kill: ends the run (the VMM exits with status 1 and
  // `reason`), as terminating the debuggee does for a process.
  virtual void end_run(std::string reason) = 0;
};

class Debugger {
 public:
  virtual ~Debugger() = default;
  // Called once before the vCPUs start; the debugger keeps `target` until
  // it is destroyed.
  virtual void attach(DebugTarget& target) = 0;
};

}  // namespace mosaic
