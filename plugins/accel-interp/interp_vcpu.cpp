#include "interp_vcpu.hpp"

#include <algorithm>
#include <chrono>

namespace mosaic::interp {

InterpVcpu::InterpVcpu(std::uint32_t id, MemorySystem& memory_system, std::uint32_t pvr, VcpuWork& work)
    : id_(id), cpu_(memory_system), work_(work) {
  cpu_.state.pvr = pvr;
  cpu_.state.pir = id;
}

VcpuExit InterpVcpu::run() {
  enter_shared_time();
  if (ceded_) {
    ceded_ = false;
    idle_until_interrupt();
    leave_shared_time();
    // Dispatched again: the machine sees it before any guest instruction.
    stop_requested_.store(false);
    return VcpuExit{};
  }
  run_cpu();
  leave_shared_time();
  if (cpu_.exit().reason == ExitReason::stopped) stop_requested_.store(false);
  return cpu_.exit();
}

VcpuExit InterpVcpu::run_for(std::uint64_t instructions) {
  enter_shared_time();
  if (ceded_) {
    cpu_.set_msr(cpu_.state.msr | ppc::msr::kExternalEnable);
    if (!stop_requested_.load() && !cpu_.interrupt_deliverable(external_interrupt_.load())) {
      VcpuExit idle;
      idle.reason = ExitReason::idle;
      idle.idle_until = cpu_.decrementer_deadline();
      return idle;
    }
    ceded_ = false;
    stop_requested_.store(false);
    return VcpuExit{};  // dispatched again, as run() does after idling
  }
  cpu_.set_instruction_limit(cpu_.instructions_retired() + instructions);
  run_cpu();
  cpu_.set_instruction_limit(~std::uint64_t{0});
  leave_shared_time();
  if (cpu_.exit().reason == ExitReason::stopped) stop_requested_.store(false);
  return cpu_.exit();
}

void InterpVcpu::run_cpu() {
  const auto start = std::chrono::steady_clock::now();
  cpu_.run(stop_requested_, external_interrupt_, debug_active_ ? &debug_ : nullptr);
  running_ += std::chrono::steady_clock::now() - start;
}

void InterpVcpu::advance_idle_time(std::uint64_t timebase) {
  if (clock_ != nullptr && timebase > clock_->timebase) clock_->timebase = timebase;
}

void InterpVcpu::enter_shared_time() {
  if (clock_ != nullptr) cpu_.advance_timebase_to(clock_->timebase);
}

void InterpVcpu::leave_shared_time() {
  if (clock_ != nullptr) clock_->timebase = cpu_.timebase();
}

void InterpVcpu::idle_until_interrupt() {
  cpu_.set_msr(cpu_.state.msr | ppc::msr::kExternalEnable);
  std::unique_lock lock(wake_mutex_);
  while (!stop_requested_.load() && !cpu_.interrupt_deliverable(external_interrupt_.load())) {
    const std::uint64_t deadline = cpu_.decrementer_deadline();
    const std::uint64_t now = cpu_.timebase();
    if (cpu_.deterministic() && deadline != ~std::uint64_t{0}) {
      cpu_.advance_timebase_to(deadline);
      continue;
    }
    if (deadline == ~std::uint64_t{0}) {
      wake_.wait(lock);
      continue;
    }
    const std::uint64_t ticks = deadline > now ? deadline - now : 0;
    wake_.wait_for(lock, std::chrono::nanoseconds(ticks * 1'000'000'000 / kTimebaseHz + 1));
  }
}

void InterpVcpu::complete_hypercall(std::int64_t status, std::span<const std::uint64_t> outputs) {
  cpu_.state.gpr[3] = static_cast<std::uint64_t>(status);
  const std::size_t count = std::min<std::size_t>(outputs.size(), 9);
  for (std::size_t i = 0; i < count; ++i) cpu_.state.gpr[4 + i] = outputs[i];
}

void InterpVcpu::request_stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stop_requested_.store(true);
  }
  wake_.notify_all();
}

void InterpVcpu::set_external_interrupt(bool asserted) {
  {
    std::lock_guard lock(wake_mutex_);
    external_interrupt_.store(asserted);
  }
  wake_.notify_all();
}

void InterpVcpu::set_debug(const GuestDebug& debug) {
  debug_ = debug;
  debug_active_ = debug.single_step || !debug.software_breakpoints.empty() || !debug.hardware_breakpoints.empty() ||
                  !debug.watchpoints.empty();
}

ppc::Registers InterpVcpu::registers() const {
  const CpuState& s = cpu_.state;
  ppc::Registers r;
  r.gpr = s.gpr;
  r.nip = s.nip;
  r.msr = s.msr;
  r.lr = s.lr;
  r.ctr = s.ctr;
  r.xer = s.xer();
  r.cr = s.cr;
  r.fpr = s.fpr;
  r.fpscr = s.fpscr;
  r.vr = s.vr;
  r.vscr = s.vscr;
  r.vrsave = s.vrsave;
  r.vsr_low = s.vsr_low;
  r.srr0 = s.srr0;
  r.srr1 = s.srr1;
  r.sprg = s.sprg;
  r.dar = s.dar;
  r.dsisr = s.dsisr;
  r.dec = cpu_.decrementer();
  r.tb = cpu_.timebase();
  r.pvr = s.pvr;
  r.pir = s.pir;
  r.lpcr = s.lpcr;
  r.amr = s.amr;
  r.ctrl = s.ctrl;
  r.dscr = s.dscr;
  r.ppr = s.ppr;
  r.cfar = s.cfar;
  r.fscr = s.fscr;
  r.tar = s.tar;
  r.slb = s.slb;
  return r;
}

void InterpVcpu::set_registers(const ppc::Registers& r) {
  CpuState& s = cpu_.state;
  s.gpr = r.gpr;
  s.nip = r.nip;
  cpu_.set_msr(r.msr);
  s.lr = r.lr;
  s.ctr = r.ctr;
  s.set_xer(r.xer);
  s.cr = r.cr;
  s.fpr = r.fpr;
  s.fpscr = r.fpscr;
  s.vr = r.vr;
  s.vscr = r.vscr;
  s.vrsave = r.vrsave;
  s.vsr_low = r.vsr_low;
  s.srr0 = r.srr0;
  s.srr1 = r.srr1;
  s.sprg = r.sprg;
  s.dar = r.dar;
  s.dsisr = r.dsisr;
  if (r.dec != cpu_.decrementer()) cpu_.set_decrementer(r.dec);
  s.pvr = r.pvr;
  s.pir = r.pir;
  s.lpcr = r.lpcr;
  s.amr = r.amr;
  s.ctrl = r.ctrl;
  s.dscr = r.dscr;
  s.ppr = r.ppr;
  s.cfar = r.cfar;
  s.fscr = r.fscr;
  s.tar = r.tar;
  s.slb = r.slb;
  cpu_.flush_translations();
}

VcpuState InterpVcpu::save_state() {
  cpu_.finish_replay();
  VcpuState saved{registers(), {}, ceded_, std::nullopt};
  const auto& plain = cpu_.state.plain_spr;
  for (std::uint32_t number = 0; number < plain.size(); ++number) {
    if (plain[number] != 0) saved.sprs[number] = plain[number];
  }
  return saved;
}

void InterpVcpu::load_state(const VcpuState& saved) {
  set_registers(saved.registers);
  cpu_.state.plain_spr.fill(0);
  for (const auto& [number, value] : saved.sprs) {
    if (number < cpu_.state.plain_spr.size()) cpu_.state.plain_spr[number] = value;
  }
  cpu_.state.reservation_valid = false;
  ceded_ = saved.ceded;
}

}  // namespace mosaic::interp
