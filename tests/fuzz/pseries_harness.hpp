// A real pseries machine over a scripted vCPU, for the fuzz targets that
// play a hostile guest: vCPU 0 issues the hypercalls of a script and the
// machine's own dispatch, RTAS, HPT and device-tree code answers them.
//
// The oracles: guest RAM is fenced by inaccessible pages (a host access
// outside it faults); after every hypercall each HPTE it wrote must be one
// a partition may hold (PAPR 14.5.4.1: a page wholly in RAM, mapped
// coherent and cacheable, or wholly outside it, cache-inhibited), its status
// must be an architected one, and no handler may have thrown (the machine
// would log an error and answer H_HARDWARE).
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "guarded_ram.hpp"
#include "mosaic/accelerator.hpp"
#include "mosaic/host.hpp"
#include "pseries_machine.hpp"

namespace mosaic::fuzz {

// One hypercall of the script, and bytes the guest stored just before it
// (an RTAS argument buffer, a VPA, ...).
struct ScriptedCall {
  HypercallExit registers;  // r3 (the number) to r12
  std::uint64_t store_address = 0;
  std::vector<std::byte> store;
};

// What a test case sets up before the machine is built.
struct MachineSetup {
  unsigned cpus = 2;
  std::string cmdline;
  std::vector<DeviceTreeNode> device_nodes;  // as a device plugin would add them
  std::vector<std::byte> console_input;
  std::vector<ScriptedCall> script;
};

class PseriesHarness {
 public:
  // `memory_bytes` of fenced RAM, reused across runs.
  explicit PseriesHarness(std::uint64_t memory_bytes);
  ~PseriesHarness();

  // Builds a machine, runs the script on vCPU 0 to its end (or until the
  // guest powers off, reboots to exit, or stops its last vCPU), and checks
  // the oracles; aborts on a violation. SetupError from building or booting
  // (say, a device-tree node libfdt refuses) is returned, not thrown.
  std::optional<std::string> run(MachineSetup setup);
  // Called with each device tree the machine boots with.
  void on_boot(std::function<void(std::span<const std::byte> fdt)> check) { boot_check_ = std::move(check); }

  GuestMemory& memory() { return ram_.memory(); }
  // The RTAS tokens of the last boot, by function name.
  const std::map<std::string, std::uint32_t>& rtas_tokens() const { return rtas_tokens_; }

  class Host;
  class Accelerator;

 private:
  friend class ScriptedVcpu;
  // vCPU 0's side: the next call, or nullopt at the end of the script.
  std::optional<ScriptedCall> next_call();
  void booted(const ppc::Registers& registers);
  void completed(std::int64_t status, std::span<const std::uint64_t> outputs);

  std::uint64_t memory_bytes_;
  GuardedRam ram_;
  std::string kernel_path_;
  std::unique_ptr<Host> host_;
  std::unique_ptr<Accelerator> accelerator_;
  std::function<void(std::span<const std::byte>)> boot_check_;
  std::map<std::string, std::uint32_t> rtas_tokens_;
  std::deque<ScriptedCall> script_;
  ScriptedCall current_;
  pseries::PseriesMachine* machine_ = nullptr;
};

}  // namespace mosaic::fuzz
