// The pseries (PAPR) machine: memory map, kernel and initrd loading, the
// device tree, hypercalls, RTAS, XICS, the vty console, and vCPU threads.
// It is also the devices' DeviceContext and the debugger's DebugTarget.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "epow.hpp"
#include "hcall_hpt.hpp"
#include "hypercall_table.hpp"
#include "mosaic/plugin.hpp"
#include "phb.hpp"
#include "rtas.hpp"
#include "rtc.hpp"
#include "vcpu_threads.hpp"
#include "vty.hpp"
#include "xics.hpp"

namespace mosaic::pseries {

// What RTAS system-reboot does: boot the guest again, or end the run.
enum class OnReboot { restart, exit };

struct PseriesOptions {
  std::string dump_dtb;  // empty: do not write the device tree out
  unsigned hpt_order = 0;  // 0: sized from RAM as PAPR suggests
  unsigned hpt_max_page_shift = 64;  // hpt-max-page-size; 64: every size the accelerator has
  bool hpt_mixed_page_sizes = true;  // hpt-mixed-page-sizes (page_sizes.hpp)
  OnReboot on_reboot = OnReboot::restart;
  RtcBase rtc;  // machine.rtc.base
};

// Reads the machine section's pseries keys; throws ConfigError naming the
// key's place, also for a command line the guest kernel cannot take.
PseriesOptions parse_pseries_options(const OptionNode& options);

// Where build() put things in guest real memory.
struct MemoryLayout {
  std::uint64_t kernel_base = 0;
  std::uint64_t kernel_entry = 0;
  std::uint64_t kernel_end = 0;
  std::uint64_t initrd_start = 0;
  std::uint64_t initrd_end = 0;
  std::uint64_t rtas_base = 0;
  std::uint64_t fdt_limit = 0;  // the device tree goes just below this
};

// How a CPU starts, the boot CPU and those RTAS start-cpu wakes alike:
// real mode, big-endian, 64-bit, machine checks on (SF, ME), at `entry`.
// DEC starts at its largest positive value. POWER8's decrementer interrupt
// is a level while DEC is negative, so a DEC of 0 would be pending after one
// tick and fire as soon as the OS first enables MSR[EE] (entering problem
// state, for one), before it has programmed the decrementer.
inline void enter_started_cpu(ppc::Registers& registers, std::uint64_t entry) {
  registers.nip = entry;
  registers.msr = ppc::msr::kSixtyFour | ppc::msr::kMachineCheckEnable;
  registers.dec = 0x7fffffff;
}

class PseriesMachine final : public Machine, public DeviceContext, public DebugTarget {
 public:
  PseriesMachine(Host& host, MachineSpec spec, PseriesOptions options);
  ~PseriesMachine() override;

  // Machine
  void build(Accelerator& accelerator) override;
  DeviceContext& device_context() override { return *this; }
  DebugTarget& debug_target() override { return *this; }
  RunOutcome run() override;
  void request_shutdown(RunOutcome outcome) override;
  void pause() override;
  void resume() override;
  void request_reset() override;
  void request_powerdown() override;
  std::vector<VcpuStatus> vcpu_status() override;
  void on_reset(std::function<void()> handler) override;
  void save_state(StateWriter& out) override;         // machine_snapshot.cpp
  void restore_state(StateReader& in) override;       // machine_snapshot.cpp
  void switch_accelerator(const std::function<Accelerator&()>& replace) override;  // machine_snapshot.cpp
  void end_run(std::string reason) override { request_shutdown({RunOutcome::Kind::failure, std::move(reason)}); }

  // DeviceContext
  GuestMemory& memory() override { return host_.guest_memory(); }
  void register_mmio(MmioRegion region) override;
  void register_hypercall(std::uint64_t number, HypercallHandler handler) override;
  void add_device_tree_node(DeviceTreeNode node) override;
  std::uint32_t allocate_interrupt() override;
  void set_interrupt(std::uint32_t source, bool asserted) override;
  void add_pci_function(std::shared_ptr<pci::Function> function) override;
  std::shared_ptr<spdlog::logger> logger(std::string_view name) override { return host_.logger(name); }

  // DebugTarget
  std::size_t vcpu_count() const override { return vcpus_.size(); }
  DebugFeatures debug_features() const override { return caps_.debug; }
  void stop_all() override { threads_->stop_all(); }
  void resume_all(std::optional<std::size_t> step_vcpu) override { threads_->resume_all(step_vcpu); }
  void on_debug_stop(std::function<void(std::size_t, const DebugExit&)> handler) override;
  void set_debug(const GuestDebug& debug) override { threads_->set_debug(debug); }
  ppc::Registers registers(std::size_t vcpu) override { return vcpus_.at(vcpu)->registers(); }
  void set_registers(std::size_t vcpu, const ppc::Registers& registers) override {
    vcpus_.at(vcpu)->set_registers(registers);
  }
  std::optional<std::uint64_t> debug_translate(std::size_t vcpu, std::uint64_t effective_address) override;
  bool read_physical(std::uint64_t address, std::span<std::byte> out) override { return memory().read(address, out); }
  bool write_physical(std::uint64_t address, std::span<const std::byte> in) override {
    return memory().write(address, in);
  }

 private:
  void load_images();
  void register_machine_hypercalls();
  void register_vcpu_hypercalls();    // hcall_vcpu.cpp
  // The VPA's dispatch counter (hcall_vcpu.cpp): H_CEDE makes it odd, and
  // the vCPU's next dispatch even again.
  void advance_dispatch_counter(std::size_t index, bool dispatched);
  void vcpu_dispatched(std::size_t index);
  void register_memory_hypercalls();  // hcall_memory.cpp
  void register_rtas_functions();
  std::vector<std::byte> build_device_tree();
  void handle_exit(std::size_t index, Vcpu& vcpu, const VcpuExit& exit);
  void handle_mmio(Vcpu& vcpu, const MmioExit& mmio);
  void allocate_hash_page_table();
  // Starts vCPU 0 at the kernel entry with a fresh device tree.
  void boot();
  // Returns the machine to power-on state after a guest reboot, with the
  // vCPU threads stopped (machine_reset.cpp).
  void reset();

  Host& host_;
  MachineSpec spec_;
  PseriesOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  Accelerator* accelerator_ = nullptr;
  AcceleratorCaps caps_;
  // What the guest was told it may map (page_sizes.hpp); fixed at build.
  std::vector<ppc::SegmentPageSizes> page_sizes_;
  MemoryLayout layout_;
  unsigned hpt_order_ = 0;
  // Set by RTAS system-reboot when its shutdown ended the run; read after
  // the vCPU threads are joined.
  bool reboot_requested_ = false;
  // Set by request_reset(): restart whatever on-reboot says.
  std::atomic<bool> reset_requested_{false};
  // Set by restore_state(): the next run() resumes instead of booting.
  bool restored_ = false;
  // An accelerator switch in progress: the control thread waits in
  // switch_accelerator() while run()'s thread does it between two runs
  // of the vCPU threads (machine_snapshot.cpp).
  struct PendingSwitch {
    const std::function<Accelerator&()>* replace = nullptr;
    bool done = false;
    std::string error;
  };
  // Between two runs of the vCPU threads: the switch itself. False when
  // it failed half-way (the vCPUs are gone): the run ends.
  bool perform_switch(PendingSwitch& pending);
  std::mutex switch_mutex_;
  std::condition_variable switch_done_;
  std::optional<PendingSwitch> pending_switch_;
  std::atomic<bool> switch_requested_{false};
  std::function<void()> on_reset_;

  std::vector<std::unique_ptr<Vcpu>> vcpus_;
  std::unique_ptr<VcpuThreads> threads_;
  HypercallTable hypercalls_;
  std::unique_ptr<HptHypercalls> hpt_hypercalls_;
  std::unique_ptr<Xics> xics_;
  std::unique_ptr<Rtas> rtas_;
  std::unique_ptr<Vty> vty_;
  std::unique_ptr<Phb> phb_;
  std::unique_ptr<Epow> epow_;
  std::uint32_t vty_interrupt_ = 0;
  std::uint32_t next_interrupt_ = kFirstDeviceSource;
  std::vector<MmioRegion> mmio_regions_;
  std::vector<DeviceTreeNode> device_nodes_;
  std::atomic<std::uint64_t> unclaimed_mmio_reports_{0};

  // Per-vCPU areas registered with H_REGISTER_VPA, and data breakpoints
  // set with H_SET_DABR / H_SET_XDABR (PAPR 14.11.3, 14.5.4.4).
  struct VcpuAreas {
    std::uint64_t vpa = 0;
    std::uint64_t slb_shadow = 0;
    std::uint64_t dispatch_trace_log = 0;
    std::uint64_t dabr = 0;
    std::uint64_t dabrx = 0;
    bool ceded = false;  // from H_CEDE until the vCPU is dispatched again
  };
  // The registration as VcpuState carries it, lengths read from guest RAM.
  VpaRegistration vpa_registration(const VcpuAreas& areas);
  std::vector<VcpuAreas> vcpu_areas_;
  std::mutex vcpu_areas_mutex_;
  std::unique_ptr<RealTimeClock> rtc_;
};

}  // namespace mosaic::pseries
