#include "kvm_vcpu.hpp"

#include <asm/kvm.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <system_error>

#include <fmt/format.h>

#include "kvm_registers.hpp"
#include "kvm_vcpu_state.hpp"
#include "software_breakpoints.hpp"

namespace mosaic::kvm {
namespace {

// The kick: a signal whose handler does nothing. A signal arriving during
// KVM_RUN makes it return EINTR; one arriving just before is caught by
// kvm_run.immediate_exit, set before the signal is sent.
constexpr int kKickSignal = SIGUSR1;

void install_kick_handler() {
  static std::once_flag installed;
  std::call_once(installed, [] {
    struct sigaction action{};
    action.sa_handler = [](int) {};
    sigemptyset(&action.sa_mask);
    sigaction(kKickSignal, &action, nullptr);
  });
}

// The calling thread must take the kick even if whoever created it blocked
// signals; done once per thread.
void accept_kick_on_this_thread() {
  thread_local bool accepted = false;
  if (accepted) return;
  sigset_t kick;
  sigemptyset(&kick);
  sigaddset(&kick, kKickSignal);
  pthread_sigmask(SIG_UNBLOCK, &kick, nullptr);
  accepted = true;
}

// Under the emulated POWER9 host the kernel has been seen returning from a
// vCPU's first KVM_RUN with guest values in the non-volatile FPRs and VRs.
// Declaring them clobbered makes this function save and restore them for
// its callers, whatever the kernel leaves behind.
int guarded_kvm_run(int vcpu_fd) {
  const int result = ioctl(vcpu_fd, KVM_RUN, 0);
  asm volatile(""
               :
               :
               : "fr14", "fr15", "fr16", "fr17", "fr18", "fr19", "fr20", "fr21", "fr22", "fr23", "fr24", "fr25",
                 "fr26", "fr27", "fr28", "fr29", "fr30", "fr31", "v20", "v21", "v22", "v23", "v24", "v25", "v26",
                 "v27", "v28", "v29", "v30", "v31", "memory");
  return result;
}

std::uint64_t load_bus_order(const std::uint8_t* bytes, unsigned size) {
  std::uint64_t value = 0;
  for (unsigned i = 0; i < size; ++i) value |= std::uint64_t{bytes[i]} << (8 * i);
  return value;
}

void store_bus_order(std::uint64_t value, std::uint8_t* bytes, unsigned size) {
  for (unsigned i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (8 * i));
}

// The MSR bits an interrupt keeps: a machine check is reflected to the
// guest as KVM-HV reflects one, with ME still 1.
constexpr std::uint64_t kMsrKeptOnInterrupt = ppc::msr::kHypervisor | ppc::msr::kMachineCheckEnable;

}  // namespace

KvmVcpu::KvmVcpu(std::uint32_t id, int vcpu_fd, std::size_t run_bytes, SoftwareBreakpoints& breakpoints)
    : id_(id), fd_(vcpu_fd), run_bytes_(run_bytes), breakpoints_(breakpoints) {
  void* area = mmap(nullptr, run_bytes_, PROT_READ | PROT_WRITE, MAP_SHARED, fd_, 0);
  if (area == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap of the KVM vCPU run area");
  run_ = static_cast<kvm_run*>(area);
  install_kick_handler();
}

KvmVcpu::~KvmVcpu() { munmap(run_, run_bytes_); }

VcpuExit KvmVcpu::halted(std::string reason) const {
  VcpuExit exit;
  exit.reason = ExitReason::halted;
  exit.halt_reason = fmt::format("vCPU {}: {}", id_, reason);
  return exit;
}

VcpuExit KvmVcpu::run() {
  accept_kick_on_this_thread();
  {
    std::lock_guard lock(thread_mutex_);
    running_thread_ = pthread_self();
  }
  // Forgotten on every way out, so that a kick never targets a thread that
  // may have ended.
  struct ForgetThread {
    KvmVcpu& vcpu;
    ~ForgetThread() {
      std::lock_guard lock(vcpu.thread_mutex_);
      vcpu.running_thread_.reset();
    }
  } forget{*this};
  std::atomic_ref<std::uint8_t> immediate_exit(run_->immediate_exit);
  for (;;) {
    // Cleared before the flag is read, so a request_stop() that comes later
    // still stops the KVM_RUN below.
    immediate_exit.store(0);
    if (stop_requested_.exchange(false)) return VcpuExit{};
    if (machine_check_pending_) {
      std::string checkstop;
      if (!deliver_machine_check(checkstop)) return halted(checkstop);
    }
    exit_in_flight_ = false;
    if (guarded_kvm_run(fd_) < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return halted(fmt::format("KVM_RUN failed: {}", std::strerror(errno)));
    }
    VcpuExit exit;
    switch (run_->exit_reason) {
      case KVM_EXIT_PAPR_HCALL:
        exit_in_flight_ = true;
        exit.reason = ExitReason::hypercall;
        exit.hypercall.args[0] = run_->papr_hcall.nr;
        std::copy(std::begin(run_->papr_hcall.args), std::end(run_->papr_hcall.args), exit.hypercall.args.begin() + 1);
        return exit;
      case KVM_EXIT_MMIO: {
        const unsigned size = run_->mmio.len;
        exit_in_flight_ = true;
        exit.reason = ExitReason::mmio;
        exit.mmio.address = run_->mmio.phys_addr;
        exit.mmio.size = size;
        exit.mmio.is_write = run_->mmio.is_write;
        // run->mmio.data holds the bytes as a store would have put them in
        // RAM; in bus order they read as a little-endian value.
        if (exit.mmio.is_write) exit.mmio.data = load_bus_order(run_->mmio.data, size);
        return exit;
      }
      case KVM_EXIT_DEBUG:
        exit.reason = ExitReason::debug;
        exit.debug = DebugExit{DebugCause::software_breakpoint, run_->debug.arch.address};
        return exit;
      case KVM_EXIT_INTR: continue;
      case KVM_EXIT_INTERNAL_ERROR:
        return halted(fmt::format("KVM internal error, suberror {}", run_->internal.suberror));
      case KVM_EXIT_FAIL_ENTRY:
        return halted(fmt::format("KVM could not enter the guest, reason {:#x}",
                                  run_->fail_entry.hardware_entry_failure_reason));
      default: return halted(fmt::format("unexpected KVM exit {}", run_->exit_reason));
    }
  }
}

void KvmVcpu::complete_hypercall(std::int64_t status, std::span<const std::uint64_t> outputs) {
  // The next KVM_RUN copies ret to r3 and args[] to r4..r12.
  run_->papr_hcall.ret = static_cast<std::uint64_t>(status);
  const std::size_t count = std::min(outputs.size(), std::size(run_->papr_hcall.args));
  std::copy_n(outputs.begin(), count, run_->papr_hcall.args);
}

void KvmVcpu::complete_mmio_read(std::uint64_t value) {
  if (run_->exit_reason != KVM_EXIT_MMIO || run_->mmio.is_write) return;
  store_bus_order(value, run_->mmio.data, run_->mmio.len);
}

// KVM has already stepped past the instruction (its load/store emulation
// advances the PC before it exits for MMIO), and the next KVM_RUN still
// finishes a load: its register gets the all-ones an empty bus returns,
// and the interrupt is then delivered by hand, as QEMU does for a guest
// without FWNMI. KVM reports no effective address for an MMIO exit, so DAR
// holds the real address.
void KvmVcpu::fail_mmio() {
  if (run_->exit_reason != KVM_EXIT_MMIO) return;
  if (!run_->mmio.is_write) store_bus_order(~std::uint64_t{0}, run_->mmio.data, run_->mmio.len);
  machine_check_pending_ = true;
}

bool KvmVcpu::deliver_machine_check(std::string& checkstop) {
  machine_check_pending_ = false;
  ppc::Registers registers = read_vcpu_registers(fd_);
  const std::uint64_t instruction = registers.nip - 4;
  if (!(registers.msr & ppc::msr::kMachineCheckEnable)) {
    checkstop = fmt::format("checkstop: a machine check at {:#x} while MSR[ME] was 0", instruction);
    return false;
  }
  registers.srr0 = instruction;
  registers.srr1 = (registers.msr & ~ppc::kSrr1InterruptBits) | ppc::machine_check::kSrr1LoadStore;
  registers.dar = run_->mmio.phys_addr;
  registers.dsisr = ppc::machine_check::kDsisrLinkTimeout;
  registers.msr = (registers.msr & kMsrKeptOnInterrupt) | ppc::msr::kSixtyFour;
  if (registers.lpcr & ppc::lpcr::kInterruptLittleEndian) registers.msr |= ppc::msr::kLittleEndian;
  registers.nip = ppc::machine_check::kVector;
  write_vcpu_registers(fd_, registers);
  return true;
}

void KvmVcpu::request_stop() {
  stop_requested_.store(true);
  std::atomic_ref<std::uint8_t>(run_->immediate_exit).store(1);
  std::lock_guard lock(thread_mutex_);
  if (running_thread_) pthread_kill(*running_thread_, kKickSignal);
}

void KvmVcpu::set_external_interrupt(bool asserted) {
  // KVM_INTERRUPT is one of the ioctls ppc runs beside KVM_RUN, and it
  // kicks the vCPU out of an in-kernel H_CEDE.
  kvm_interrupt level{asserted ? KVM_INTERRUPT_SET_LEVEL : KVM_INTERRUPT_UNSET};
  ioctl(fd_, KVM_INTERRUPT, &level);
}

// KVM-HV handles H_CEDE in the kernel (it is on by default), so the
// machine never sees one; were it to, re-entering KVM_RUN with the guest's
// MSR[EE] set lets the hardware idle until the interrupt the guest waits for.
void KvmVcpu::cede() {}

ppc::Registers KvmVcpu::registers() const {
  ppc::Registers registers = read_vcpu_registers(fd_);
  registers.pir = id_;
  return registers;
}

void KvmVcpu::set_registers(const ppc::Registers& registers) { write_vcpu_registers(fd_, registers); }

// KVM_RUN with immediate_exit set copies a hypercall's results (or an
// MMIO load's data) into the registers and returns EINTR before entering
// the guest. A vCPU stopped right after the machine handled its exit would
// otherwise be saved with r3 still holding the hypercall's number.
void KvmVcpu::finish_exit() {
  if (exit_in_flight_) {
    std::atomic_ref<std::uint8_t>(run_->immediate_exit).store(1);
    if (guarded_kvm_run(fd_) == 0) throw std::logic_error("KVM_RUN entered the guest despite immediate_exit");
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "KVM_RUN to finish an exit");
    exit_in_flight_ = false;
  }
  if (machine_check_pending_) {
    std::string checkstop;
    // With MSR[ME] off the next run() checkstops: the flag stays for it.
    if (!deliver_machine_check(checkstop)) machine_check_pending_ = true;
  }
}

VcpuState KvmVcpu::save_state() {
  finish_exit();
  VcpuState state = read_vcpu_state(fd_);
  state.registers.pir = id_;
  return state;
}

void KvmVcpu::load_state(const VcpuState& state) {
  write_vcpu_state(fd_, state);
  machine_check_pending_ = false;
  exit_in_flight_ = false;
}

void KvmVcpu::set_debug(const GuestDebug& debug) {
  breakpoints_.apply(debug.software_breakpoints, registers());
  kvm_guest_debug control{};
  if (!debug.software_breakpoints.empty()) control.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP;
  if (ioctl(fd_, KVM_SET_GUEST_DEBUG, &control) < 0) {
    throw std::system_error(errno, std::generic_category(), "KVM_SET_GUEST_DEBUG");
  }
}

}  // namespace mosaic::kvm
