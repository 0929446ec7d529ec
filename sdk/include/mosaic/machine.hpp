// The machine: builds the guest over an accelerator, dispatches hypercalls,
// owns interrupts and the console, and runs the vCPUs.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "mosaic/accelerator.hpp"
#include "mosaic/debugger.hpp"
#include "mosaic/device.hpp"
#include "mosaic/state.hpp"

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

// One vCPU as a control client sees it. The machine names the registers
// (the core knows no PowerPC): pseries reports "nip" and "msr".
struct VcpuStatus {
  std::uint32_t index = 0;
  std::string state;  // "running", "paused" (stopped by a control client or the debugger), "stopped" (never started or stopped itself)
  std::vector<std::pair<std::string, std::uint64_t>> registers;
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

  // The control socket's verbs; any thread except a vCPU's, while run()
  // runs. A pause is the control client's own: the debugger's stops are
  // separate, so resume() never releases a stop that the debugger holds.
  // pause() returns once no vCPU executes guest code.
  virtual void pause() = 0;
  virtual void resume() = 0;
  // Resets the machine to power-on state and boots the guest again, as a
  // guest reboot does, whatever the machine's on-reboot choice.
  virtual void request_reset() = 0;
  // Asks the guest to shut down cleanly (on pseries, a PAPR EPOW event);
  // the run ends when the guest powers off.
  virtual void request_powerdown() = 0;
  virtual std::vector<VcpuStatus> vcpu_status() = 0;
  // Called on a vCPU or control thread whenever the guest is reset (its
  // own reboot or request_reset()), before it boots again.
  virtual void on_reset(std::function<void()> handler) = 0;

  // Snapshots (DESIGN.md section 7). save_state writes everything but RAM,
  // which the core saves: the vCPUs, the page table, the interrupt
  // controller, ...; only while paused (pause()), from a control thread.
  // Throws SetupError when the accelerator cannot save its state.
  virtual void save_state(StateWriter& out) = 0;
  // After build() and before run(), over the RAM the core has restored:
  // run() then goes on from the saved state instead of booting. Throws
  // StateError for state it cannot take (damaged, another layout, another
  // machine shape) and SetupError when the accelerator cannot load it.
  virtual void restore_state(StateReader& in) = 0;

  // Moves the running guest onto another accelerator (DESIGN.md section 7),
  // from a control thread while run() runs: stops every vCPU, takes their
  // state and the page table from the accelerator in use, lets go of every
  // vCPU, calls `replace` (which destroys that accelerator and returns the
  // next one, made over the same guest memory), loads the state into new
  // vCPUs and lets them run. Returns once they do. Throws SetupError, and
  // the guest runs on as it was, when the accelerator in use cannot give
  // its state. When the next one cannot take it (page sizes it lacks, a
  // register it refuses), the machine calls `replace` a second time, which
  // gives back a new accelerator of the kind that ran, loads the state
  // there, and throws SetupError with the guest running on; only when that
  // fails too does the run end with failure.
  virtual void switch_accelerator(const std::function<Accelerator&()>& replace) = 0;
};

}  // namespace mosaic
