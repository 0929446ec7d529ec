#include "cpu.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>

#include "mosaic/ppc_hash.hpp"

namespace mosaic::interp {

namespace {

// icbi works on 128-byte blocks on POWER8.
constexpr std::uint64_t kIcacheBlockBytes = 128;

// Guest real addresses ignore the top four effective-address bits, so that
// the kernel's 0xc000... linear map works before relocation is on.
constexpr std::uint64_t kRealAddressMask = 0x0fffffffffffffffull;

// Single-step and branch trace (MSR[SE], MSR[BE]).
constexpr std::uint64_t kMsrTraceBits = msr_bit::kSingleStep | msr_bit::kBranchTrace;
// SIAR, which a trace interrupt sets to the traced instruction's address.
constexpr unsigned kSiar = 796;
// SRR1 bit 33, which ISA 2.07's trace interrupt sets.
constexpr std::uint64_t kSrr1Trace = 1ull << (63 - 33);

bool is_branch(std::uint32_t word) {
  const unsigned primary = word >> 26;
  const unsigned extended = (word >> 1) & 0x3ff;
  return primary == 16 || primary == 18 || (primary == 19 && (extended == 16 || extended == 528 || extended == 560));
}

// MSR bits that survive an interrupt; the rest are cleared (Book III 6.5).
constexpr std::uint64_t kMsrKeptOnInterrupt = ppc::msr::kHypervisor | ppc::msr::kMachineCheckEnable;
// MSR bits whose change alters how addresses translate or words decode.
constexpr std::uint64_t kMsrTranslationBits = ppc::msr::kSixtyFour | ppc::msr::kHypervisor | ppc::msr::kProblemState |
                                              ppc::msr::kInstructionRelocate | ppc::msr::kDataRelocate |
                                              ppc::msr::kLittleEndian;

// LPCR[AIL] (MSB-0 bits 39:40): where relocated interrupts are delivered.
constexpr unsigned kLpcrAilShift = 23;
constexpr std::uint64_t kAilOffset3 = 0xc000000000004000ull;
constexpr std::uint64_t kAilOffset2 = 0x18000ull;

// HPTE second-doubleword bits for access checks (Book III 5.7.7.1).
constexpr std::uint64_t kHptePp0 = 1ull << 63;
constexpr std::uint64_t kHptePp = 3ull;
constexpr std::uint64_t kHpteNoExecute = 1ull << 2;
constexpr std::uint64_t kHpteGuarded = 1ull << 3;

// Storage protection (Book III 5.7.10.1): whether `access` is allowed with
// key `key` and page protection `pp` (pp0 || pp).
bool protection_allows(bool key, std::uint64_t pp, Access access) {
  const bool write = access == Access::write;
  if (!key) return pp == 0b000 || pp == 0b001 || pp == 0b010 || !write;
  switch (pp) {
    case 0b000: return false;
    case 0b010: return true;
    case 0b001:
    case 0b011:
    case 0b110: return !write;
    default: return false;
  }
}

}  // namespace

std::uint64_t host_timebase() {
  const auto since_boot = std::chrono::steady_clock::now().time_since_epoch();
  const auto nanoseconds = std::chrono::duration_cast<std::chrono::nanoseconds>(since_boot).count();
  return static_cast<std::uint64_t>(static_cast<unsigned __int128>(nanoseconds) * kTimebaseHz / 1'000'000'000);
}

Cpu::Cpu(MemorySystem& memory_system)
    : memory_system_(memory_system), tlb_(&tlbs_.select(state.msr & kMsrTranslationBits)),
      decode_cache_(memory_system.memory.size()), seen_generation_(memory_system.translation_generation.load()),
      seen_code_generation_(memory_system.code_invalidations.generation()) {}

void Cpu::set_msr(std::uint64_t value) {
  // Counted up to here in the old state (MMCR0[FCS] and [FCP] decide).
  if ((value ^ state.msr) & ppc::msr::kProblemState) fold_performance_counters();
  // Tracing runs outside the fast loop: leave it at once.
  if ((value ^ state.msr) & kMsrTranslationBits || value & kMsrTraceBits) {
    if ((value ^ state.msr) & kMsrTranslationBits) tlb_ = &tlbs_.select(value & kMsrTranslationBits);
    forget_fetch_page();
  }
  // Setting EE while an External or Decrementer exception exists interrupts
  // before the next instruction (Book III, mtmsrd's Programming Note; rfid
  // is context synchronizing): the chain and the run loop's page end here,
  // and the run loop reads the decrementer at once.
  if (value & ~state.msr & ppc::msr::kExternalEnable) {
    forget_fetch_page();
    next_decrementer_check_ = instructions_retired();
  }
  state.msr = value;
}

Flow Cpu::facility_unavailable(unsigned cause) {
  state.fscr = (state.fscr & ~(std::uint64_t{0xff} << 56)) | (std::uint64_t{cause} << 56);
  return interrupt(Vector::facility_unavailable, state.nip);
}

void Cpu::flush_translations() {
  tlbs_.flush_all();
  forget_fetch_page();
}

void Cpu::flush_segment(const ppc::SlbEntry& old) {
  if (!(old.esid & ppc::slb::kValid)) return;
  const unsigned shift = ppc::slb::segment_shift(old);
  const std::uint64_t base = (old.esid >> shift) << shift;
  tlbs_.flush_range(base, std::uint64_t{1} << shift);
  forget_fetch_page();
}

void Cpu::check_translation_generation() {
  const std::uint64_t generation = memory_system_.translation_generation.load(std::memory_order_acquire);
  if (generation != seen_generation_) {
    seen_generation_ = generation;
    flush_translations();
  }
  CodeInvalidations& code = memory_system_.code_invalidations;
  if (code.generation() != seen_code_generation_) [[unlikely]] {
    code.catch_up(
        seen_code_generation_,
        [this](std::uint64_t real, std::uint64_t length) { decode_cache_.invalidate(real, length); },
        [this] { decode_cache_.clear(); });
    forget_fetch_page();
  }
  // No compiled code runs between rounds: the place to reclaim its space.
  if (decode_cache_.compiled_code_full()) [[unlikely]] {
    decode_cache_.clear();
    forget_fetch_page();
  }
}

Flow Cpu::invalidate_instruction_block(std::uint64_t ea) {
  const auto real = translate(ea & address_mask(), Access::read);
  if (!real) return Flow::jump;
  const std::uint64_t block = *real & ~(kIcacheBlockBytes - 1);
  decode_cache_.invalidate(block, kIcacheBlockBytes);
  memory_system_.code_invalidations.publish(block, kIcacheBlockBytes);
  return Flow::next;
}

Flow Cpu::interrupt(Vector vector, std::uint64_t return_address, std::uint64_t srr1_cause) {
  const std::uint64_t old_msr = state.msr;
  state.srr0 = return_address;
  state.srr1 = (old_msr & ~ppc::kSrr1InterruptBits) | srr1_cause;
  std::uint64_t new_msr = (old_msr & kMsrKeptOnInterrupt) | ppc::msr::kSixtyFour;
  if (state.lpcr & ppc::lpcr::kInterruptLittleEndian) new_msr |= ppc::msr::kLittleEndian;
  std::uint64_t vector_address = static_cast<std::uint32_t>(vector);

  // Alternate interrupt location (Book III 6.5): interrupts taken with
  // translation on stay relocated and go to the high vectors, except the
  // reset and machine check interrupts.
  const std::uint64_t ail = (state.lpcr >> kLpcrAilShift) & 3;
  const bool relocated = (old_msr & ppc::msr::kInstructionRelocate) && (old_msr & ppc::msr::kDataRelocate);
  if (relocated && ail >= 2 && vector != Vector::system_reset && vector != Vector::machine_check) {
    new_msr |= ppc::msr::kInstructionRelocate | ppc::msr::kDataRelocate;
    vector_address += ail == 3 ? kAilOffset3 : kAilOffset2;
  }
  set_msr(new_msr);
  state.nip = vector_address;
  state.reservation_valid = false;
  return Flow::jump;
}

Flow Cpu::hypercall_exit() {
  // PAPR: hypercalls from problem state fail without reaching the machine.
  if (problem_state()) {
    constexpr std::int64_t kPrivilegeError = -3;  // H_PRIVILEGE
    state.gpr[3] = static_cast<std::uint64_t>(kPrivilegeError);
    return Flow::next;
  }
  exit_.reason = ExitReason::hypercall;
  for (std::size_t i = 0; i < exit_.hypercall.args.size(); ++i) exit_.hypercall.args[i] = state.gpr[3 + i];
  state.nip = (state.nip + 4) & address_mask();
  return Flow::exit;
}

// Book III 6.5.2: SRR0 is the instruction, which has not completed. POWER8
// takes machine checks in hypervisor state, and the hypervisor reflects
// them to the partition; KVM-HV does so with MSR[ME] still 1, and so does
// this: a partition could never set ME again, since rfid and mtmsrd leave
// it alone when MSR[HV] = 0. A machine check while ME is 0 (only the
// debugger can put it there) stops the processor, and with it the
// partition.
Flow Cpu::machine_check(std::uint64_t srr1_cause) {
  if (!(state.msr & ppc::msr::kMachineCheckEnable)) {
    enter_checkstop();
    return Flow::exit;
  }
  return interrupt(Vector::machine_check, state.nip, srr1_cause);
}

void Cpu::enter_checkstop() {
  checkstopped_ = true;
  exit_.reason = ExitReason::halted;
  exit_.halt_reason = fmt::format("checkstop: a machine check at {:#x} while MSR[ME] was 0", state.nip);
}

std::optional<std::uint64_t> Cpu::load_slow(std::uint64_t ea, unsigned size) {
  std::uint64_t value = 0;
  if (!slow_access(ea, size, Access::read, value)) return std::nullopt;
  return value;
}

bool Cpu::store_slow(std::uint64_t ea, unsigned size, std::uint64_t value) {
  return slow_access(ea, size, Access::write, value);
}

bool Cpu::run_must_end(const std::atomic<bool>& stop) {
  if (checkstopped_) [[unlikely]] {
    enter_checkstop();
    return true;
  }
  if (stop.load(std::memory_order_relaxed) || instructions_retired() >= instruction_limit_) {
    exit_.reason = ExitReason::stopped;
    return true;
  }
  return false;
}

void Cpu::fail_mmio() {
  if (mmio_log_.empty()) return;
  mmio_log_.back().completed = true;
  mmio_log_.back().failed = true;
}

void Cpu::complete_mmio_read(std::uint64_t value) {
  if (mmio_log_.empty() || mmio_log_.back().is_write) return;
  mmio_log_.back().value = value;
  mmio_log_.back().completed = true;
}

void Cpu::finish_replay() {
  if (mmio_log_.empty()) return;
  // Single-stepped, so that exactly this instruction runs and no interrupt
  // is taken first.
  GuestDebug one_instruction;
  one_instruction.single_step = true;
  const std::atomic<bool> no_stop{false};
  const std::atomic<bool> no_interrupt{false};
  run(no_stop, no_interrupt, &one_instruction);
  mmio_log_.clear();
}

std::optional<std::uint64_t> Cpu::translate_data(std::uint64_t effective_address, Access access, unsigned size) {
  const auto real = translate(effective_address & address_mask(), access);
  if (!real) abort_flow_ = Flow::jump;
  // dcbz, l*arx and st*cx. access up to a cache block from here.
  if (real && watchpoints_ != nullptr && watch_hit(effective_address & address_mask(), size, access)) [[unlikely]] {
    return std::nullopt;
  }
  return real;
}

// POWER's data breakpoints (DAWR) stop before the access is performed, and
// gdb expects that of a ppc target: it steps over the instruction itself.
// So a hit abandons the instruction, as a fault would, with a debug exit.
bool Cpu::watch_hit(std::uint64_t ea, unsigned size, Access access) {
  for (const Watchpoint& watch : *watchpoints_) {
    const bool kind_matches = watch.kind == WatchKind::access ||
                              (watch.kind == WatchKind::write) == (access == Access::write);
    if (kind_matches && ea < watch.address + std::max<std::uint64_t>(watch.length, 1) && watch.address < ea + size) {
      exit_.reason = ExitReason::debug;
      exit_.debug = DebugExit{DebugCause::watchpoint, watch.address};
      abort_flow_ = Flow::exit;
      return true;
    }
  }
  return false;
}

std::optional<std::uint64_t> Cpu::translate(std::uint64_t ea, Access access) {
  const std::uint64_t relocate_bit =
      access == Access::execute ? ppc::msr::kInstructionRelocate : ppc::msr::kDataRelocate;
  if (!(state.msr & relocate_bit)) return ea & kRealAddressMask;
  return translate_relocated(ea, access);
}

void Cpu::storage_interrupt(std::uint64_t ea, Access access, std::uint32_t cause) {
  if (access == Access::execute) {
    interrupt(Vector::instruction_storage, state.nip, cause);
    return;
  }
  state.dar = ea;
  state.dsisr = cause | (access == Access::write ? storage_cause::kStore : 0);
  interrupt(Vector::data_storage, state.nip);
}

std::optional<std::uint64_t> Cpu::translate_relocated(std::uint64_t ea, Access access) {
  const auto segment = ppc::find_segment(state.slb, ea);
  if (!segment) {
    if (access == Access::execute) {
      interrupt(Vector::instruction_segment, state.nip);
    } else {
      state.dar = ea;
      interrupt(Vector::data_segment, state.nip);
    }
    return std::nullopt;
  }
  if (access == Access::execute && (segment->vsid_word & ppc::slb::kNoExecute)) {
    storage_interrupt(ea, access, storage_cause::kNoExecute);
    return std::nullopt;
  }
  auto translation = ppc::hash_lookup(memory_system_.hash_page_table, *segment, ea,
                                      memory_system_.segment_page_sizes);
  if (!translation) {
    storage_interrupt(ea, access, storage_cause::kNoTranslation);
    return std::nullopt;
  }
  const ppc::Hpte& entry = translation->entry;
  if (access == Access::execute && (entry.r & (kHpteNoExecute | kHpteGuarded))) {
    storage_interrupt(ea, access, storage_cause::kNoExecute);
    return std::nullopt;
  }
  const bool key = problem_state() ? (segment->vsid_word & ppc::slb::kKp) : (segment->vsid_word & ppc::slb::kKs);
  const std::uint64_t pp = (entry.r & kHptePp) | ((entry.r & kHptePp0) ? 4 : 0);
  if (!protection_allows(key, pp, access)) {
    storage_interrupt(ea, access, storage_cause::kProtection);
    return std::nullopt;
  }
  // Reference and change recording (Book III 5.7.8): the guest's memory
  // management reads R and C back through H_READ and H_CLEAR_*.
  std::uint64_t recorded = ppc::hpte::kReferenced | (access == Access::write ? ppc::hpte::kChanged : 0);
  if ((entry.r & recorded) != recorded) {
    memory_system_.hash_page_table.record_reference(translation->ptex, entry.v, recorded);
  }
  return translation->real_address;
}

bool Cpu::slow_access(std::uint64_t ea, unsigned size, Access access, std::uint64_t& value) {
  if ((ea & kTlbPageMask) + size > kTlbPageMask + 1) return split_access(ea, size, access, value);
  const auto real = translate(ea, access);
  if (!real) {
    abort_flow_ = Flow::jump;
    return false;
  }
  if (watchpoints_ != nullptr && watch_hit(ea, size, access)) [[unlikely]] return false;
  std::byte* host = memory_system_.memory.host_pointer(*real, size);
  if (host == nullptr) return mmio_access(ea, *real, size, access, value);

  const bool little = state.msr & ppc::msr::kLittleEndian;
  std::byte* host_page = host - (*real & kTlbPageMask);
  const std::uint64_t real_page = *real & ~kTlbPageMask;
  // While watching, every data access must come through here.
  if (watchpoints_ == nullptr && memory_system_.memory.host_pointer(real_page, kTlbPageMask + 1) != nullptr) {
    if (access == Access::write) tlb_->insert_write(ea, host_page, real_page);
    else tlb_->insert_read(ea, host_page);
  }
  if (access == Access::write) {
    for (unsigned i = 0; i < size; ++i) {
      const unsigned shift = 8 * (little ? i : size - 1 - i);
      host[i] = static_cast<std::byte>(value >> shift);
    }
    decode_cache_.invalidate(*real, size);
  } else {
    value = 0;
    for (unsigned i = 0; i < size; ++i) {
      const unsigned shift = 8 * (little ? i : size - 1 - i);
      value |= std::uint64_t{std::to_integer<std::uint8_t>(host[i])} << shift;
    }
  }
  return true;
}

// An access that straddles two pages: each byte translates on its own (the
// ISA lets a partially performed store stand when the second page faults).
bool Cpu::split_access(std::uint64_t ea, unsigned size, Access access, std::uint64_t& value) {
  const bool little = state.msr & ppc::msr::kLittleEndian;
  std::uint64_t assembled = 0;
  for (unsigned i = 0; i < size; ++i) {
    const unsigned shift = 8 * (little ? i : size - 1 - i);
    std::uint64_t byte = (value >> shift) & 0xff;
    if (!slow_access((ea + i) & address_mask(), 1, access, byte)) return false;
    assembled |= byte << shift;
  }
  if (access != Access::write) value = assembled;
  return true;
}

// Devices see values in bus order: the bytes as RAM would hold them, read
// little-endian. A big-endian vCPU's values are the same bytes read the
// other way. The conversion is its own inverse.
std::uint64_t Cpu::to_bus_order(std::uint64_t value, unsigned size) const {
  if (state.msr & ppc::msr::kLittleEndian) return value;
  std::uint64_t swapped = 0;
  for (unsigned i = 0; i < size; ++i) swapped |= ((value >> (8 * i)) & 0xff) << (8 * (size - 1 - i));
  return swapped;
}

// A real address outside RAM: the machine performs the access. The
// instruction is abandoned and replayed after the machine completes it, so
// handlers never see a half-done MMIO load.
bool Cpu::mmio_access(std::uint64_t ea, std::uint64_t real, unsigned size, Access access, std::uint64_t& value) {
  const bool is_write = access == Access::write;
  if (mmio_cursor_ < mmio_log_.size()) {
    const MmioAccess& done = mmio_log_[mmio_cursor_];
    if (done.completed && done.real_address == real && done.size == size && done.is_write == is_write) {
      ++mmio_cursor_;
      if (done.failed) {
        // A load or store no unit answered: a load/store machine check
        // whose DSISR says link timeout, DAR = the effective address.
        state.dar = ea;
        state.dsisr = ppc::machine_check::kDsisrLinkTimeout;
        abort_flow_ = machine_check(ppc::machine_check::kSrr1LoadStore);
        mmio_log_.clear();  // the instruction is abandoned for good
        return false;
      }
      if (!is_write) value = to_bus_order(done.value, size);
      return true;
    }
    // The replay went another way (the debugger changed state): start over.
    mmio_log_.clear();
  }
  if (access == Access::execute) {
    abort_flow_ = machine_check(ppc::machine_check::kSrr1FetchLinkTimeout);
    return false;
  }
  const std::uint64_t data = is_write ? to_bus_order(value, size) : 0;
  mmio_log_.push_back(MmioAccess{.real_address = real, .size = size, .is_write = is_write, .value = data});
  exit_.reason = ExitReason::mmio;
  exit_.mmio = MmioExit{real, size, is_write, data};
  abort_flow_ = Flow::exit;
  return false;
}

std::uint32_t Cpu::decrementer() const { return static_cast<std::uint32_t>(state.dec_zero_tb - timebase()); }

// POWER8's decrementer interrupt is a level: it is pending exactly while
// DEC's most significant bit is 1, whether DEC got there by counting down
// or by mtdec, and taking the interrupt does not clear it (the handler
// writes a positive DEC). DEC itself is a 32-bit down counter, so it turns
// positive again 2^31 ticks later.
void Cpu::set_decrementer(std::uint32_t value) {
  state.dec_zero_tb = timebase() + value;
  decrementer_pending_ = value & 0x80000000u;
}

void Cpu::update_decrementer() { decrementer_pending_ = decrementer() & 0x80000000u; }

std::uint64_t Cpu::decrementer_deadline() const {
  const std::uint32_t value = decrementer();
  if (value & 0x80000000u) return timebase();
  return timebase() + value + 1;  // DEC goes from 0 to -1
}

bool Cpu::interrupt_deliverable(bool external_asserted) {
  update_decrementer();
  if (!(state.msr & ppc::msr::kExternalEnable)) return false;
  return external_asserted || decrementer_pending_;
}

bool Cpu::deliver_pending_interrupt(bool external_asserted) {
  // The run loop comes here at every round (4096 instructions apart at
  // most, and wherever a chain cannot go on into another page), more often
  // than the decrementer needs: MSR[EE] first (a decrementer that fired
  // while it was clear is still seen when it is set), and the host clock
  // only every kDecrementerCheckInterval instructions.
  if (!(state.msr & ppc::msr::kExternalEnable)) return false;
  if (!external_asserted && !decrementer_pending_) {
    if (instructions_retired() < next_decrementer_check_) return false;
    next_decrementer_check_ = instructions_retired() + kDecrementerCheckInterval;
  }
  if (!interrupt_deliverable(external_asserted)) return false;
  // The external interrupt outranks the decrementer (Book III 6.8).
  if (external_asserted) {
    interrupt(Vector::external, state.nip);
  } else {
    interrupt(Vector::decrementer, state.nip);
  }
  return true;
}

bool Cpu::fetch_setup() {
  const std::uint64_t ea = state.nip & address_mask();
  const std::uint64_t page_ea = ea & ~kTlbPageMask;
  if (page_ea == fetch_page_ea_) return true;
  std::uint64_t real_page;
  if (const std::optional<std::uint64_t> cached = tlb_->find_execute(ea)) [[likely]] {
    real_page = *cached;
  } else {
    const auto real = translate(ea, Access::execute);
    if (!real) return false;
    real_page = *real & ~kTlbPageMask;
    if (memory_system_.memory.host_pointer(real_page, kTlbPageMask + 1) == nullptr) {
      machine_check(ppc::machine_check::kSrr1FetchLinkTimeout);
      return false;
    }
    tlb_->insert_execute(ea, real_page);
  }
  enter_fetch_page(real_page, page_ea);
  return true;
}

void Cpu::run_debug(const std::atomic<bool>& stop, const std::atomic<bool>& external_interrupt,
                    const GuestDebug& debug) {
  const auto contains = [](const std::vector<std::uint64_t>& addresses, std::uint64_t address) {
    return std::find(addresses.begin(), addresses.end(), address) != addresses.end();
  };
  bool replaying = !mmio_log_.empty();  // as in run()
  // Watching routes every data access through slow_access: the TLB must
  // not hold entries that would bypass it.
  if (!debug.watchpoints.empty()) {
    watchpoints_ = &debug.watchpoints;
    flush_translations();
  }
  struct StopWatching {
    Cpu& cpu;
    ~StopWatching() { cpu.watchpoints_ = nullptr; }
  } stop_watching{*this};
  for (;;) {
    if (run_must_end(stop)) return;
    check_translation_generation();
    // A single step executes the next instruction of the code being
    // debugged, not the first one of an interrupt handler that became
    // pending while the debugger held the vCPU (as QEMU's stub does too).
    if (!replaying && !debug.single_step) deliver_pending_interrupt(external_interrupt.load(std::memory_order_relaxed));
    replaying = false;
    if (!fetch_setup()) continue;
    const std::uint64_t address = state.nip & address_mask();
    const bool software = contains(debug.software_breakpoints, address);
    if (software || contains(debug.hardware_breakpoints, address)) {
      exit_.reason = ExitReason::debug;
      exit_.debug = DebugExit{software ? DebugCause::software_breakpoint : DebugCause::hardware_breakpoint, address};
      return;
    }
    const DecodedInsn insn = fetch_page_->insns[(address & kTlbPageMask) >> 2];
    const Flow flow = insn.handler(*this, insn);
    count_retired(flow);
    if (flow == Flow::exit) return;
    instruction_completed();
    if (flow == Flow::next) state.nip = (state.nip + 4) & address_mask();
    if (debug.single_step) {
      exit_.reason = ExitReason::debug;
      exit_.debug = DebugExit{DebugCause::single_step, state.nip};
      return;
    }
  }
}

// Trace (Book III 6.5.15): with MSR[SE] every instruction, with MSR[BE]
// every branch (taken or not), that completes without an interrupt is
// followed by the trace interrupt: SRR0 is the next instruction, SIAR the
// traced one, and SRR1 bit 33 is set as ISA 2.07 has it (QEMU's POWER8
// does the same). The load/store report in SRR1 bits 35:36 and SDAR is not
// made. An instruction that changes the MSR (an interrupt it caused, rfid,
// mtmsrd) is not traced. False when the vCPU must exit.
bool Cpu::run_traced_instruction() {
  if (!fetch_setup()) return true;
  const std::uint64_t address = state.nip & address_mask();
  const std::size_t index = (address & kTlbPageMask) >> 2;
  std::uint32_t word = 0;
  std::memcpy(&word, memory_system_.memory.host_pointer(fetch_page_->real_base + 4 * index, 4), 4);
  if ((std::endian::native == std::endian::little) != bool(state.msr & ppc::msr::kLittleEndian)) {
    word = __builtin_bswap32(word);
  }
  // A copy: the instruction may store over its own word.
  const DecodedInsn insn = fetch_page_->insns[index];
  const std::uint64_t msr_before = state.msr;
  const Flow flow = insn.handler(*this, insn);
  count_retired(flow);
  if (flow == Flow::exit) return false;
  instruction_completed();
  if (flow == Flow::next) state.nip = (state.nip + 4) & address_mask();
  if (state.msr != msr_before) return true;
  if ((msr_before & msr_bit::kSingleStep) || is_branch(word)) {
    state.plain_spr[kSiar] = address;
    interrupt(Vector::trace, state.nip, kSrr1Trace);
  }
  return true;
}

void Cpu::run(const std::atomic<bool>& stop, const std::atomic<bool>& external_interrupt, const GuestDebug* debug) {
  // Resuming after an MMIO exit: a store is done once the machine has
  // seen it; replay starts from the instruction's first access.
  if (!mmio_log_.empty() && mmio_log_.back().is_write) mmio_log_.back().completed = true;
  mmio_cursor_ = 0;
  if (debug != nullptr) {
    run_debug(stop, external_interrupt, *debug);
    return;
  }
  // Instructions between checks for stop requests and interrupts: a few
  // microseconds of guest time, so that interrupts stay prompt, and long
  // enough that the checks and the chain's restart (an indirect call that
  // predicts poorly) cost little: at 256, string-search ran 8% slower.
  constexpr std::uint64_t kCheckInterval = 4096;
  // An instruction being replayed after MMIO must finish before any
  // interrupt: its earlier accesses have already reached the device.
  bool replaying = !mmio_log_.empty();
  for (;;) {
    if (run_must_end(stop)) return;
    check_translation_generation();
    if (!replaying) deliver_pending_interrupt(external_interrupt.load(std::memory_order_relaxed));
    replaying = false;
    if (state.msr & kMsrTraceBits) [[unlikely]] {
      if (!run_traced_instruction()) return;
      continue;
    }
    if (!fetch_setup()) continue;
    // A deterministic quantum (run_for) ends the round where it is spent;
    // run_must_end made sure some of it is left.
    const auto round = static_cast<int>(std::min(kCheckInterval, instruction_limit_ - instructions_retired()));
    for (int budget = round; budget > 0; --budget) {
      // In place: a store over this very word only swaps the entry's
      // handlers (see decode_cache.hpp), never the fields in use.
      const DecodedInsn& insn = fetch_page_->insns[(state.nip & kTlbPageMask) >> 2];
      // A replayed instruction runs alone, so that its MMIO log is dropped
      // (below) before anything else executes.
      Flow flow;
      if (mmio_log_.empty()) [[likely]] {
        const std::uint64_t chain_start = instructions_retired();
        start_chain(budget - 1);
        flow = insn.chained(*this, insn, chain_budget_end(insn, static_cast<std::uint64_t>(budget - 1)));
        end_chain();
        // A straight run may overshoot the budget (Cpu::settle_chain).
        budget -= static_cast<int>(instructions_retired() - chain_start);
      } else {
        flow = insn.handler(*this, insn);
      }
      count_retired(flow);
      if (flow == Flow::exit) return;
      instruction_completed();
      if (flow == Flow::next) [[likely]] {
        state.nip += 4;
        // A new page, or translations flushed (slbmte, tlbie, mtmsrd):
        // fetch through the MMU again. Only a page crossing can wrap a
        // 32-bit mode address, so it is masked to the mode there.
        if ((state.nip & kTlbPageMask) == 0 || fetch_page_ == nullptr) {
          state.nip &= address_mask();
          break;
        }
        continue;
      }
      if ((state.nip & address_mask() & ~kTlbPageMask) != fetch_page_ea_) break;
    }
  }
}

}  // namespace mosaic::interp
