// The pseries machine's part of a snapshot (DESIGN.md section 7): the
// guest timebase, each vCPU's whole state and whether it runs, the areas it
// registered, the hashed page table read through the accelerator's
// accessors, the XICS, the EPOW event, the real-time clock, and the PCI
// functions with the DMA window. RAM is the core's. The functions are
// quiesced first (no DMA) and stay so until the guest runs again.
#include <chrono>

#include <fmt/format.h>

#include "page_sizes.hpp"
#include "pseries_machine.hpp"

namespace mosaic::pseries {

namespace {

// The layout of this file's state; a reader refuses any other.
constexpr std::uint32_t kStateVersion = 1;
// HPT entries are read in runs of this many.
constexpr std::uint64_t kHpteRun = 4096;

template <std::size_t N>
void put_all(StateWriter& out, const std::array<std::uint64_t, N>& values) {
  for (const std::uint64_t value : values) out.u64(value);
}
template <std::size_t N>
void get_all(StateReader& in, std::array<std::uint64_t, N>& values) {
  for (std::uint64_t& value : values) value = in.u64();
}

void write_vcpu_state(StateWriter& out, const VcpuState& state) {
  const ppc::Registers& r = state.registers;
  out.tag("vcpu");
  put_all(out, r.gpr);
  for (const std::uint64_t value : {r.nip, r.msr, r.lr, r.ctr, r.xer}) out.u64(value);
  out.u32(r.cr);
  put_all(out, r.fpr);
  out.u64(r.fpscr);
  for (const auto& vr : r.vr) put_all(out, vr);
  out.u32(r.vscr);
  out.u32(r.vrsave);
  put_all(out, r.vsr_low);
  for (const std::uint64_t value : {r.srr0, r.srr1}) out.u64(value);
  put_all(out, r.sprg);
  out.u64(r.dar);
  out.u32(r.dsisr);
  out.u32(r.dec);
  for (const std::uint64_t value : {r.tb, r.pvr, r.pir, r.lpcr, r.amr, r.ctrl, r.dscr, r.ppr, r.cfar, r.fscr, r.tar}) {
    out.u64(value);
  }
  for (const ppc::SlbEntry& entry : r.slb) {
    out.u64(entry.esid);
    out.u64(entry.vsid);
  }
  out.u64(state.sprs.size());
  for (const auto& [number, value] : state.sprs) {
    out.u32(number);
    out.u64(value);
  }
  out.boolean(state.ceded);
}

VcpuState read_vcpu_state(StateReader& in) {
  VcpuState state;
  ppc::Registers& r = state.registers;
  in.expect_tag("vcpu");
  get_all(in, r.gpr);
  for (std::uint64_t* value : {&r.nip, &r.msr, &r.lr, &r.ctr, &r.xer}) *value = in.u64();
  r.cr = in.u32();
  get_all(in, r.fpr);
  r.fpscr = in.u64();
  for (auto& vr : r.vr) get_all(in, vr);
  r.vscr = in.u32();
  r.vrsave = in.u32();
  get_all(in, r.vsr_low);
  for (std::uint64_t* value : {&r.srr0, &r.srr1}) *value = in.u64();
  get_all(in, r.sprg);
  r.dar = in.u64();
  r.dsisr = in.u32();
  r.dec = in.u32();
  for (std::uint64_t* value : {&r.tb, &r.pvr, &r.pir, &r.lpcr, &r.amr, &r.ctrl, &r.dscr, &r.ppr, &r.cfar, &r.fscr,
                               &r.tar}) {
    *value = in.u64();
  }
  for (ppc::SlbEntry& entry : r.slb) {
    entry.esid = in.u64();
    entry.vsid = in.u64();
  }
  for (std::uint64_t left = in.count(12); left > 0; --left) {
    const std::uint32_t number = in.u32();
    state.sprs[number] = in.u64();
  }
  state.ceded = in.boolean();
  return state;
}

}  // namespace

void PseriesMachine::save_state(StateWriter& out) {
  if (!caps_.saves_state) throw SetupError("this accelerator cannot save the vCPUs' state");
  // First: a request that completes while the functions drain raises its
  // interrupt in the XICS, which must be in the state taken below. Lost, a
  // completion interrupt stalls a queue for good under VIRTIO_F_EVENT_IDX.
  phb_->quiesce();
  out.tag("pseries");
  out.u32(kStateVersion);
  out.u64(spec_.memory_bytes);
  out.u32(spec_.cpus);
  out.u64(accelerator_->timebase());
  for (std::size_t index = 0; index < vcpus_.size(); ++index) {
    out.boolean(threads_->started(index));
    const VcpuState state = vcpus_[index]->save_state();
    write_vcpu_state(out, state);
    std::lock_guard lock(vcpu_areas_mutex_);
    VcpuAreas& areas = vcpu_areas_[index];
    // The accelerator served H_REGISTER_VPA itself: its record is the one.
    if (state.vpa) {
      areas.vpa = state.vpa->vpa;
      areas.slb_shadow = state.vpa->slb_shadow;
      areas.dispatch_trace_log = state.vpa->dispatch_trace_log;
    }
    for (const std::uint64_t value : {areas.vpa, areas.slb_shadow, areas.dispatch_trace_log, areas.dabr, areas.dabrx}) {
      out.u64(value);
    }
    out.boolean(areas.ceded);
  }

  ppc::HashPageTable& table = accelerator_->hash_page_table();
  out.tag("hpt");
  out.u32(table.order());
  const std::uint64_t entries = (std::uint64_t{1} << table.order()) / sizeof(ppc::Hpte);
  std::vector<ppc::Hpte> run(kHpteRun);
  std::vector<std::pair<std::uint64_t, ppc::Hpte>> valid;
  for (std::uint64_t first = 0; first < entries; first += kHpteRun) {
    const std::uint64_t count = std::min(kHpteRun, entries - first);
    if (table.read_hptes(first, std::span(run.data(), count)) != ppc::HptStatus::ok) {
      throw SetupError("the accelerator could not read the hashed page table");
    }
    for (std::uint64_t i = 0; i < count; ++i) {
      if (run[i].v != 0 || run[i].r != 0) valid.emplace_back(first + i, run[i]);
    }
  }
  out.u64(valid.size());
  for (const auto& [ptex, entry] : valid) {
    out.u64(ptex);
    out.u64(entry.v);
    out.u64(entry.r);
  }

  xics_->save(out);
  out.tag("platform");
  out.boolean(epow_->pending());
  out.u64(static_cast<std::uint64_t>(rtc_->saved_value(accelerator_->timebase())));
  phb_->save(out);
}

void PseriesMachine::restore_state(StateReader& in) {
  if (!caps_.saves_state) throw SetupError("this accelerator cannot load the vCPUs' state");
  in.expect_tag("pseries");
  if (const std::uint32_t version = in.u32(); version != kStateVersion) {
    throw StateError(fmt::format("the pseries state has layout version {}; this mosaic reads version {}", version,
                                 kStateVersion));
  }
  const std::uint64_t memory_bytes = in.u64();
  const std::uint32_t cpus = in.u32();
  if (memory_bytes != spec_.memory_bytes || cpus != spec_.cpus) {
    throw StateError(fmt::format("the snapshot is of a machine with {} MiB and {} vCPU(s); this one has {} MiB and {}",
                                 memory_bytes >> 20, cpus, spec_.memory_bytes >> 20, spec_.cpus));
  }
  // The timebase first: each vCPU's decrementer is relative to it.
  const std::uint64_t timebase = in.u64();
  accelerator_->set_timebase(timebase);
  std::vector<bool> started(vcpus_.size());
  for (std::size_t index = 0; index < vcpus_.size(); ++index) {
    started[index] = in.boolean();
    VcpuState state = read_vcpu_state(in);
    VcpuAreas& areas = vcpu_areas_[index];
    for (std::uint64_t* value : {&areas.vpa, &areas.slb_shadow, &areas.dispatch_trace_log, &areas.dabr, &areas.dabrx}) {
      *value = in.u64();
    }
    areas.ceded = in.boolean();
    state.vpa = vpa_registration(areas);
    vcpus_[index]->load_state(state);
  }

  in.expect_tag("hpt");
  ppc::HashPageTable& table = accelerator_->hash_page_table();
  const std::uint32_t order = in.u32();
  if (order < ppc::HashPageTable::kMinOrder || order > ppc::HashPageTable::kMaxOrder ||
      table.allocate(order) != ppc::HptStatus::ok) {
    throw StateError(fmt::format("saved state: a hashed page table of 2^{} bytes cannot be made", order));
  }
  hpt_order_ = order;
  for (std::uint64_t left = in.count(24); left > 0; --left) {
    const std::uint64_t ptex = in.u64();
    const ppc::Hpte entry{in.u64(), in.u64()};
    if (table.write_hpte(ptex, entry) != ppc::HptStatus::ok) throw StateError("saved state: an HPT entry past the table");
  }

  xics_->restore(in);
  in.expect_tag("platform");
  epow_->restore_pending(in.boolean());
  rtc_->restore(static_cast<std::int64_t>(in.u64()), timebase);
  phb_->restore(in);
  in.expect_end();

  for (std::size_t index = 0; index < vcpus_.size(); ++index) {
    if (started[index]) threads_->start(index);
  }
  restored_ = true;
  log_->info("restored {} vCPU(s) at timebase {:#x}", vcpus_.size(), timebase);
}

void PseriesMachine::switch_accelerator(const std::function<Accelerator&()>& replace) {
  std::unique_lock lock(switch_mutex_);
  if (!caps_.saves_state) throw SetupError("the accelerator in use cannot give its vCPUs' state");
  pending_switch_.emplace(PendingSwitch{&replace, false, {}});
  // The vCPU threads end their run; run()'s thread does the switch and
  // runs them again. A shutdown that came first wins, and there is no switch.
  const bool won = threads_->shutdown({RunOutcome::Kind::power_off, "accelerator switch"},
                                      [this] { switch_requested_ = true; });
  if (!won) {
    pending_switch_.reset();
    throw SetupError("the run is ending");
  }
  switch_done_.wait(lock, [this] { return pending_switch_->done; });
  const std::string error = pending_switch_->error;
  pending_switch_.reset();
  if (!error.empty()) throw SetupError(error);
}

bool PseriesMachine::perform_switch(PendingSwitch& pending) {
  const auto start = std::chrono::steady_clock::now();
  StateWriter state;
  try {
    save_state(state);
  } catch (const std::exception& error) {
    pending.error = fmt::format("the accelerator switch failed: {}", error.what());
    return false;
  }
  const bool deterministic = caps_.deterministic;
  // Onto the accelerator `replace` gives, with the saved state.
  const auto move = [&] {
    threads_->restart([&] {
      // Nothing may hold the old accelerator's objects when it goes.
      vcpus_.clear();
      Accelerator& next = (*pending.replace)();
      accelerator_ = &next;
      caps_ = next.capabilities();
      if (!caps_.saves_state) throw SetupError("the new accelerator cannot load the vCPUs' state");
      // The vCPU threads are scheduled one way or the other for good.
      if (caps_.deterministic != deterministic) throw SetupError("deterministic mode cannot be switched on or off");
      // The guest's HPT already holds entries of every size it was told of.
      if (const std::string missing = missing_page_size(page_sizes_, caps_.segment_page_sizes); !missing.empty()) {
        throw SetupError(fmt::format("the new accelerator cannot map the guest's {} (machine.hpt-max-page-size and "
                                     "hpt-mixed-page-sizes limit what a guest is told at boot)",
                                     missing));
      }
      for (unsigned i = 0; i < spec_.cpus; ++i) vcpus_.push_back(next.create_vcpu(i));
      hpt_hypercalls_->rebind(next.hash_page_table(), page_sizes_);
    });
    StateReader reader(state.data());
    restore_state(reader);
    restored_ = false;  // run() goes on with the threads; nothing boots
  };
  try {
    move();
  } catch (const std::exception& error) {
    pending.error = fmt::format("the accelerator switch failed: {}", error.what());
    log_->warn("{}; going back", pending.error);
    try {
      move();  // `replace` now gives the kind that ran
    } catch (const std::exception& again) {
      pending.error += fmt::format("; going back failed too: {}", again.what());
      return false;
    }
    phb_->resume_io();
    return true;
  }
  phb_->resume_io();
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  log_->info("moved {} vCPU(s) to another accelerator in {:.3f} s", vcpus_.size(), took.count());
  return true;
}

}  // namespace mosaic::pseries
