// One KVM-HV vCPU: KVM_RUN and the exits the machine handles (PAPR
// hypercalls, MMIO, debug), and the kick that makes run() return.
// Only built for ppc64.
#pragma once

#include <pthread.h>
#include <linux/kvm.h>

#include <atomic>
#include <cstddef>
#include <mutex>
#include <optional>

#include "mosaic/accelerator.hpp"

namespace mosaic::kvm {

class SoftwareBreakpoints;

class KvmVcpu final : public Vcpu {
 public:
  // `vcpu_fd` comes from KVM_CREATE_VCPU and outlives this object (KVM
  // cannot destroy a vCPU, so a machine reset reuses it); its kvm_run area
  // is `run_bytes` long.
  KvmVcpu(std::uint32_t id, int vcpu_fd, std::size_t run_bytes, SoftwareBreakpoints& breakpoints);
  ~KvmVcpu() override;

  std::uint32_t id() const override { return id_; }
  VcpuExit run() override;
  void complete_hypercall(std::int64_t status, std::span<const std::uint64_t> outputs) override;
  void complete_mmio_read(std::uint64_t value) override;
  void fail_mmio() override;
  void request_stop() override;
  void set_external_interrupt(bool asserted) override;
  void cede() override;
  ppc::Registers registers() const override;
  void set_registers(const ppc::Registers& registers) override;
  void set_debug(const GuestDebug& debug) override;
  VcpuState save_state() override;
  void load_state(const VcpuState& state) override;

 private:
  VcpuExit halted(std::string reason) const;
  // Delivers the machine check fail_mmio() left pending; false (with
  // `checkstop` set) when the guest had machine checks disabled.
  bool deliver_machine_check(std::string& checkstop);
  // Applies what the machine answered to the last exit (KVM copies it into
  // the registers on the next KVM_RUN), entering no guest code.
  void finish_exit();

  const std::uint32_t id_;
  const int fd_;
  const std::size_t run_bytes_;
  kvm_run* run_;
  SoftwareBreakpoints& breakpoints_;
  std::atomic<bool> stop_requested_{false};
  // fail_mmio() was called: the next run() takes the machine check first.
  bool machine_check_pending_ = false;
  // run() returned a hypercall or MMIO exit and no KVM_RUN has followed:
  // its results are still in kvm_run, not in the registers.
  bool exit_in_flight_ = false;
  // The thread inside run(), for the kick.
  std::mutex thread_mutex_;
  std::optional<pthread_t> running_thread_;
};

}  // namespace mosaic::kvm
