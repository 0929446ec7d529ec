// The machine: builds the guest over an accelerator, dispatches hypercalls,
// owns interrupts and the console, and runs the vCPUs.
#pragma once

#include <cstdint>
#include <string>

#include "mosaic/accelerator.hpp"
#include "mosaic/debugger.hpp"
#include "mosaic/device.hpp"

namespace mosaic {

// Options every machine has; the core parses them (it sizes memory before
// the accelerator exists). Paths are already resolved against the config.
struct MachineSpec {
  std::uint64_t memory_bytes = 0;
  unsigned cpus = 1;
  std::string kernel;
  std::string initrd;  // empty: none
  std::string cmdline;
};

struct RunOutcome {
  enum class Kind { power_off, guest_panic, failure };
  Kind kind = Kind::power_off;
  std::string message;
};

class Machine {
 public:
  virtual ~Machine() = default;
  // Loads the guest and creates the vCPUs. Throws SetupError.
  virtual void build(Accelerator& accelerator) = 0;
  virtual DeviceContext& device_context() = 0;
  virtual DebugTarget& debug_target() = 0;
  // Runs the guest until it powers off, panics or fails; blocks.
  virtual RunOutcome run() = 0;
  // Any thread: end the run with `outcome` (console escape, signal).
  virtual void request_shutdown(RunOutcome outcome) = 0;
};

}  // namespace mosaic
