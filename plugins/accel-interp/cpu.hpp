// One interpreted POWER8 thread: architected state, the MMU (SLB + hashed
// page table, with a software TLB), data access in both byte orders,
// interrupt delivery and the exits that go back to the machine.
//
// Instruction handlers (insn_*.cpp) see only this class. Their contract:
//  - Flow::next: the run loop advances nip by 4.
//  - Flow::jump: the handler has set state.nip (branch, interrupt, rfid).
//  - Flow::exit: the handler has recorded an exit (hypercall, MMIO).
//  - A data access that returns false has already delivered an interrupt or
//    recorded an MMIO exit: the handler must return cpu.aborted() at once,
//    before changing any register, so that the instruction can be replayed.
#pragma once

#include <array>
#include <atomic>
#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "cpu_state.hpp"
#include "decode_cache.hpp"
#include "decoder.hpp"
#include "hash_table_storage.hpp"
#include "mosaic/accelerator.hpp"
#include "mosaic/guest_memory.hpp"
#include "mosaic/ppc.hpp"
#include "soft_tlb.hpp"

namespace mosaic::interp {

template <class T>
constexpr T byte_swap(T value) {
  static_assert(std::is_unsigned_v<T>);
  if constexpr (sizeof(T) == 1) return value;
  else if constexpr (sizeof(T) == 2) return static_cast<T>(__builtin_bswap16(value));
  else if constexpr (sizeof(T) == 4) return static_cast<T>(__builtin_bswap32(value));
  else return static_cast<T>(__builtin_bswap64(value));
}
template <class T>
constexpr T from_little_endian(T value) {
  return std::endian::native == std::endian::little ? value : byte_swap(value);
}
template <class T>
constexpr T from_big_endian(T value) {
  return std::endian::native == std::endian::big ? value : byte_swap(value);
}

// Interrupt vectors (Power ISA 2.07 Book III 6.5).
enum class Vector : std::uint32_t {
  system_reset = 0x100,
  machine_check = 0x200,
  data_storage = 0x300,
  data_segment = 0x380,
  instruction_storage = 0x400,
  instruction_segment = 0x480,
  external = 0x500,
  alignment = 0x600,
  program = 0x700,
  fp_unavailable = 0x800,
  decrementer = 0x900,
  system_call = 0xc00,
  trace = 0xd00,
  vector_unavailable = 0xf20,
  vsx_unavailable = 0xf40,
  facility_unavailable = 0xf60,
};

// SRR1 bits that say why a program interrupt happened (Book III 6.5.9).
namespace program_cause {
inline constexpr std::uint64_t kFloatingPoint = 1ull << 20;
inline constexpr std::uint64_t kIllegal = 1ull << 19;
inline constexpr std::uint64_t kPrivileged = 1ull << 18;
inline constexpr std::uint64_t kTrap = 1ull << 17;
}  // namespace program_cause

// DSISR bits for storage interrupts (Book III 6.5.3); the ISI reports the
// same conditions in SRR1.
namespace storage_cause {
inline constexpr std::uint32_t kNoTranslation = 1u << 30;
inline constexpr std::uint32_t kNoExecute = 1u << 28;
inline constexpr std::uint32_t kProtection = 1u << 27;
inline constexpr std::uint32_t kStore = 1u << 25;
}  // namespace storage_cause

// Guest timebase: 512 MHz, as on POWER8 (DESIGN.md section 5).
inline constexpr std::uint64_t kTimebaseHz = 512'000'000;
// Deterministic mode's clock: a guest instruction takes 2 ticks (about
// 256 MIPS, near what the interpreter does, so timeouts keep their sense).
inline constexpr std::uint64_t kTimebaseTicksPerInstruction = 2;
// The host's monotonic clock in timebase ticks.
std::uint64_t host_timebase();

enum class Access { read, write, execute };

// icbi is broadcast on POWER: every vCPU drops its decoded copy of the
// block. Host writes into guest RAM (a device's DMA, H_PAGE_INIT) must reach
// every vCPU the same way. Ranges are published here and each vCPU catches
// up at its next check; one that fell too far behind drops all it has
// decoded. Host writes are published only for pages some vCPU has decoded
// code from, so that DMA into data pages costs the vCPUs nothing.
class CodeInvalidations {
 public:
  static constexpr std::size_t kKept = 64;

  explicit CodeInvalidations(std::uint64_t ram_bytes)
      : holds_code_((ram_bytes >> kCodePageShift) + 1) {}

  void publish(std::uint64_t real, std::uint64_t length) {
    std::lock_guard lock(mutex_);
    ranges_[generation_.load(std::memory_order_relaxed) % kKept] = {real, length};
    generation_.fetch_add(1, std::memory_order_release);
  }
  std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // A vCPU is about to decode from the page holding `real`. Sequentially
  // consistent, paired with the fence in host_wrote(): either the host
  // writer sees the mark, or the vCPU's decoding sees the written bytes.
  void note_code_page(std::uint64_t real) {
    std::atomic<bool>& mark = holds_code_[real >> kCodePageShift];
    if (!mark.load(std::memory_order_relaxed)) mark.store(true, std::memory_order_seq_cst);
  }

  // The host wrote [real, real + length) (inside RAM).
  void host_wrote(std::uint64_t real, std::uint64_t length) {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    const std::uint64_t last = (real + length - 1) >> kCodePageShift;
    for (std::uint64_t page = real >> kCodePageShift; page <= last && page < holds_code_.size(); ++page) {
      if (holds_code_[page].load(std::memory_order_relaxed)) {
        publish(real, length);
        return;
      }
    }
  }

  // Calls range(real, length) for every range published since `seen`, or
  // all() if some were overwritten meanwhile; then `seen` is current.
  template <class Range, class All>
  void catch_up(std::uint64_t& seen, Range&& range, All&& all) {
    std::lock_guard lock(mutex_);
    const std::uint64_t now = generation_.load(std::memory_order_relaxed);
    if (now - seen > kKept) {
      all();
    } else {
      for (std::uint64_t g = seen; g < now; ++g) range(ranges_[g % kKept].first, ranges_[g % kKept].second);
    }
    seen = now;
  }

 private:
  static constexpr unsigned kCodePageShift = 12;

  std::mutex mutex_;
  std::atomic<std::uint64_t> generation_{0};
  std::array<std::pair<std::uint64_t, std::uint64_t>, kKept> ranges_{};
  std::vector<std::atomic<bool>> holds_code_;
};

// What the MMU needs from the VM: RAM, the HPT storage and the page sizes.
struct MemorySystem {
  GuestMemory& memory;
  HashTableStorage& hash_page_table;
  std::vector<ppc::SegmentPageSizes> segment_page_sizes;
  // Bumped by every HPT write, so that each vCPU drops its TLB before its
  // next access (a hypercall on one vCPU changes what all of them see).
  std::atomic<std::uint64_t>& translation_generation;
  CodeInvalidations& code_invalidations;
  // Outside deterministic mode the guest timebase is the host's plus this:
  // 0, or what makes a restored snapshot's time go on from where it was
  // saved. Written only while no vCPU runs.
  std::uint64_t host_timebase_offset = 0;
};

class Cpu {
 public:
  explicit Cpu(MemorySystem& memory_system);

  CpuState state;

  GuestMemory& memory() const { return memory_system_.memory; }

  // --- Data access, in the byte order of MSR[LE] (reversed: the other). ---
  template <class T>
  bool load(std::uint64_t effective_address, T& value, bool reversed = false) {
    if (load_from_tlb(effective_address, value, reversed)) [[likely]] return true;
    const std::optional<std::uint64_t> slow = load_slow(effective_address & address_mask(), sizeof(T));
    if (!slow) return false;
    value = reversed ? byte_swap(static_cast<T>(*slow)) : static_cast<T>(*slow);
    return true;
  }

  template <class T>
  bool store(std::uint64_t effective_address, T value, bool reversed = false) {
    if (store_to_tlb(effective_address, value, reversed)) [[likely]] return true;
    return store_slow(effective_address & address_mask(), sizeof(T), reversed ? byte_swap(value) : value);
  }

  // The soft TLB's hit path alone: false, with nothing done, where load and
  // store would take the slow path. It takes no interrupt and reads neither
  // nip nor the retired count (see chained_access).
  template <class T>
  bool load_from_tlb(std::uint64_t effective_address, T& value, bool reversed = false) const {
    static_assert(std::is_unsigned_v<T>);
    const std::uint64_t ea = effective_address & address_mask();
    std::byte* host;
    if (!tlb_->find_read<sizeof(T)>(ea, host)) [[unlikely]] return false;
    std::memcpy(&value, host, sizeof(T));
    value = to_guest_order(value, reversed);
    return true;
  }
  template <class T>
  bool store_to_tlb(std::uint64_t effective_address, T value, bool reversed = false) {
    static_assert(std::is_unsigned_v<T>);
    const std::uint64_t ea = effective_address & address_mask();
    std::byte* host;
    std::uint64_t real;
    if (!tlb_->find_write<sizeof(T)>(ea, host, real)) [[unlikely]] return false;
    const T ordered = to_guest_order(value, reversed);
    std::memcpy(host, &ordered, sizeof(T));
    decode_cache_.invalidate_store(real, sizeof(T));
    return true;
  }

  // The real address `effective_address` maps to for `access`, delivering
  // the storage interrupt when there is none. Used by dcbz, l*arx/st*cx.
  // and the quadword accesses.
  // `size` is how many bytes from `effective_address` a data watchpoint checks.
  std::optional<std::uint64_t> translate_data(std::uint64_t effective_address, Access access, unsigned size = 8);

  // The naturally aligned T at real address `real` if it is RAM, read in
  // one host access: memory bytes as they are (not yet in guest order).
  template <class T>
  std::optional<T> load_raw_atomic(std::uint64_t real) const {
    auto* host = reinterpret_cast<T*>(memory_system_.memory.host_pointer(real, sizeof(T)));
    if (host == nullptr) return std::nullopt;
    return __atomic_load_n(host, __ATOMIC_SEQ_CST);
  }
  // Stores `value` (memory bytes) at `real` if it still holds `expected`.
  template <class T>
  bool compare_and_store_raw(std::uint64_t real, T expected, T value) {
    auto* host = reinterpret_cast<T*>(memory_system_.memory.host_pointer(real, sizeof(T)));
    if (host == nullptr) return false;
    if (!__atomic_compare_exchange_n(host, &expected, value, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) return false;
    decode_cache_.invalidate(real, sizeof(T));
    return true;
  }
  // Stores `value` (memory bytes) at `real` in one host access if it is
  // RAM; false (nothing stored) otherwise. stq uses it so that another
  // vCPU never sees half of the quadword.
  template <class T>
  bool store_raw_atomic(std::uint64_t real, T value) {
    auto* host = reinterpret_cast<T*>(memory_system_.memory.host_pointer(real, sizeof(T)));
    if (host == nullptr) return false;
    __atomic_store_n(host, value, __ATOMIC_SEQ_CST);
    decode_cache_.invalidate(real, sizeof(T));
    return true;
  }
  // Converts between memory bytes and values in the byte order of MSR[LE].
  template <class T>
  T guest_order(T value) const {
    return to_guest_order(value, false);
  }

  // What a failed access left the instruction with.
  Flow aborted() const { return abort_flow_; }

  // --- Interrupts and exits. ---
  // Delivers an interrupt: SRR0 = `return_address`, SRR1 = MSR bits plus
  // `srr1_cause`, new MSR per Book III 6.5, nip = vector. Returns Flow::jump.
  Flow interrupt(Vector vector, std::uint64_t return_address, std::uint64_t srr1_cause = 0);
  Flow program_interrupt(std::uint64_t cause) { return interrupt(Vector::program, state.nip, cause); }
  Flow illegal_instruction() { return program_interrupt(program_cause::kIllegal); }
  Flow privileged_instruction() { return program_interrupt(program_cause::kPrivileged); }
  // The facility-unavailable interrupt (0xf60): FSCR[IC] names the facility.
  Flow facility_unavailable(unsigned cause);
  // The machine check interrupt (0x200) for the current instruction, as a
  // hypervisor reflects it to a partition, or checkstop when MSR[ME] is 0:
  // Flow::jump, or Flow::exit (halted).
  Flow machine_check(std::uint64_t srr1_cause);
  bool problem_state() const { return state.msr & ppc::msr::kProblemState; }

  // sc 1 from supervisor state: r3..r12 go to the machine.
  Flow hypercall_exit();
  VcpuExit& exit() { return exit_; }

  // MSR writes go through here: they change translation and byte order.
  void set_msr(std::uint64_t value);
  // SLB and TLB maintenance (slbia, tlbie, ...).
  void flush_translations();
  // The SLB entry `old` is being replaced or invalidated: cached
  // translations of its segment go (a new entry invalidates nothing).
  void flush_segment(const ppc::SlbEntry& old);
  // icbi: this and every other vCPU forget the decoded block at `ea`.
  Flow invalidate_instruction_block(std::uint64_t ea);

  std::uint64_t timebase() const {
    return deterministic_ ? timebase_offset_ + instructions_retired() * kTimebaseTicksPerInstruction
                          : host_timebase() + memory_system_.host_timebase_offset;
  }
  // DESIGN.md section 5: in deterministic mode the timebase counts retired
  // instructions, so the same guest and input give the same run.
  void set_deterministic(bool deterministic) { deterministic_ = deterministic; }
  bool deterministic() const { return deterministic_; }
  // Deterministic idling: time jumps to the next decrementer event.
  void advance_timebase_to(std::uint64_t target) {
    if (target > timebase()) timebase_offset_ += target - timebase();
  }
  std::uint32_t decrementer() const;
  void set_decrementer(std::uint32_t value);
  // Whether an interrupt would be taken now (for H_CEDE idling), and the
  // timebase value at which the decrementer next fires (~0: never).
  bool interrupt_deliverable(bool external_asserted);
  // The timebase at which the decrementer interrupt is pending (now, when it is).
  std::uint64_t decrementer_deadline() const;

  // The run loop's page of decoded instructions for the current fetch.
  DecodePage& current_decode_page() { return *fetch_page_; }
  DecodeCache& decode_cache() { return decode_cache_; }
  // Where the pointer to the current mode's soft TLB lives, for compiled
  // loads (RunLayout) to follow.
  const SoftTlb* const* soft_tlb_pointer() const { return &tlb_; }

  // Chained dispatch (chained_dispatch.hpp). A chain carries, in registers
  // from one handler to the next, the decoded entry about to run and where
  // its budget runs out (`budget_end`, the address of an entry of the fetch
  // page as a number): the chain may run (budget_end - &insn) / entry size
  // more instructions after `insn`, a number that goes below zero when a
  // straight run overshoots it. The instruction's address is not carried:
  // it follows from the entry's place in the fetch page (nip_of). Falling
  // through leaves budget_end as it is, so an instruction that only
  // computes on registers costs the chain no accounting at all; the budget
  // is tested only where control can go back: taken branches backward (or
  // to themselves), jumps, and every move into another page. Falling
  // through and forward branches only move on in the page, which bounds a
  // chain to its budget plus one page.
  //
  // state.nip and chain_left_ (from which instructions_retired derives) are
  // only brought up to date, "settled", by what needs them: a handler that
  // may take an interrupt, read nip or the retired count, and every way
  // out of the chain.
  void settle_chain(const DecodedInsn& insn, std::uintptr_t budget_end) {
    state.nip = nip_of(insn);
    chain_left_ = static_cast<std::uint64_t>(chain_budget_left(insn, budget_end));
  }
  static std::int64_t chain_budget_left(const DecodedInsn& insn, std::uintptr_t budget_end) {
    static_assert(sizeof(DecodedInsn) == 32, "entries are 1 << 5 bytes apart");
    return static_cast<std::int64_t>(budget_end - reinterpret_cast<std::uintptr_t>(&insn)) >> 5;
  }
  // The budget end of a chain that starts at `insn` and may run `length`
  // more instructions after it.
  static std::uintptr_t chain_budget_end(const DecodedInsn& insn, std::uint64_t length) {
    return reinterpret_cast<std::uintptr_t>(&insn) + length * sizeof(DecodedInsn);
  }
  // The address of the instruction whose entry is `insn`, in the fetch page
  // (its sentinel included: one word past the page).
  std::uint64_t nip_of(const DecodedInsn& insn) const {
    return fetch_page_ea_ + static_cast<std::uint64_t>(&insn - fetch_page_->insns.data()) * 4;
  }
  // Debug builds make the state that an instruction registered as working
  // on registers alone must not read (state.nip, the retired count)
  // unusable while it runs, so that a misregistered one shows in the tests.
  void poison_unsettled_state() {
#ifndef NDEBUG
    state.nip = kUnsettledNip;
    chain_left_ = kUnsettledNip;
#endif
  }
  static constexpr std::uint64_t kUnsettledNip = 0xdeadbeefdeadbee0;

  // After a settled instruction that left `flow`, the decoded instruction
  // to execute next without going back to the run loop, or nullptr. It
  // continues exactly where the run loop's inner loop would go on
  // (falling through, or a jump), within the budget. `insn` is the entry
  // just executed, in fetch_page_. Falling off the page's last word leads
  // to its sentinel entry, which settles the chain at that word and goes
  // on into the next page as a jump there does (chain_to_other_page).
  // A handler that returns Flow::next leaves state.nip as it found it.
  // Only an interrupt (a jump) or an instruction registered with
  // `chain_ends` forgets the fetch page, so falling through needs no check.
  const DecodedInsn* chain_next(Flow flow, const DecodedInsn& insn, std::uintptr_t& budget_end) {
    if (flow == Flow::next) [[likely]] {
      assert(fetch_page_ != nullptr && state.nip == nip_of(insn));
      return &insn + 1;
    }
    if (flow != Flow::jump || chain_budget_left(insn, budget_end) <= 0 ||
        (state.nip & address_mask() & ~kTlbPageMask) != fetch_page_ea_) {
      return nullptr;
    }
    const DecodedInsn* target = &fetch_page_->insns[(state.nip & kTlbPageMask) >> 2];
    budget_end += reinterpret_cast<std::uintptr_t>(target) - reinterpret_cast<std::uintptr_t>(&insn + 1);
    return target;
  }
  // The entry to go on with for a settled chain whose next instruction, at
  // state.nip, lies in another page than `insn`: a call, a return, a
  // branch or a straight run into it (see chain_to_other_page). The chain
  // goes on there without a round of the run loop when the budget allows
  // and the page's translation for fetching is in the soft TLB; otherwise
  // nullptr, and the run loop's fetch_setup goes through the MMU. The fetch
  // page is current (not forgotten), so the MSR's translation mode, byte
  // order and trace bits are as the chain found them. Changes to the HPT or
  // to decoded code that other vCPUs and the host published end the chain
  // here, for the round to catch up with (check_translation_generation):
  // they are seen at every move into another page, as before chains left
  // their page.
  const DecodedInsn* chain_to_page(const DecodedInsn& insn, std::uintptr_t& budget_end) {
    if (fetch_page_ == nullptr || chain_budget_left(insn, budget_end) <= 0) return nullptr;
    if (others_changed_translations()) return nullptr;
    const std::uint64_t ea = state.nip & address_mask();
    const std::optional<std::uint64_t> real_page = tlb_->find_execute(ea);
    if (!real_page) return nullptr;
    enter_fetch_page(*real_page, ea & ~kTlbPageMask);
    const DecodedInsn* target = &fetch_page_->insns[(ea & kTlbPageMask) >> 2];
    budget_end += reinterpret_cast<std::uintptr_t>(target) - reinterpret_cast<std::uintptr_t>(&insn + 1);
    return target;
  }
  // The same for a relative branch taken `step` bytes from `insn`, which
  // needs no settling: whether the chain goes on to its target's entry
  // (`next`), which it does if that is in the same page and, for a branch
  // backward or to itself, the budget allows. Otherwise the chain is
  // settled at `insn` and the caller finishes as its plain handler would
  // (take_relative_branch). Not taken, a branch falls through as any
  // instruction does.
  bool chain_taken(const DecodedInsn& insn, std::int64_t step, std::uintptr_t& budget_end,
                   const DecodedInsn*& next) {
    assert(fetch_page_ != nullptr);
    // Entries are 32 bytes apart for 4 bytes of code: the target's entry
    // lies step * 8 bytes on, and is in the page when its offset from the
    // first entry is below the page's.
    const auto shift = static_cast<std::uintptr_t>(step) * (sizeof(DecodedInsn) / 4);
    const auto first = reinterpret_cast<std::uintptr_t>(fetch_page_->insns.data());
    const std::uintptr_t offset = reinterpret_cast<std::uintptr_t>(&insn) + shift - first;
    if (offset >= kInsnsPerPage * sizeof(DecodedInsn) || (step <= 0 && chain_budget_left(insn, budget_end) <= 0)) {
      settle_chain(insn, budget_end);
      return false;
    }
    budget_end += shift - sizeof(DecodedInsn);
    next = &fetch_page_->insns[offset / sizeof(DecodedInsn)];
    return true;
  }

  // --- Used by the Vcpu wrapper. ---
  // Runs until an instruction exits or `stop` is set; checks `stop` and
  // pending interrupts every few thousand instructions at most.
  // With `debug`, every instruction is checked against its breakpoints and
  // single-step ends the run after one instruction.
  void run(const std::atomic<bool>& stop, const std::atomic<bool>& external_interrupt,
           const GuestDebug* debug = nullptr);
  // MMIO replay: the value a pending MMIO load returns when re-executed.
  void complete_mmio_read(std::uint64_t value);
  // MMIO replay: the pending access reached nothing; re-executed, it takes
  // a machine check.
  void fail_mmio();
  // Snapshots and switches: the instruction an MMIO exit stopped runs
  // again, alone, with what the machine answered, so that the state is
  // between two instructions. One that needs a further access the machine
  // has not seen yet is abandoned instead, and runs whole when the vCPU
  // runs next (its earlier accesses happen twice).
  void finish_replay();
  void set_lpcr(std::uint64_t value) { state.lpcr = value; }
  std::uint64_t instructions_retired() const { return retired_through_chain_ - chain_left_; }
  // PMC5 and PMC6 count retired instructions and cycles (one per
  // instruction) lazily: what retired since the last fold is added when
  // they are read or written, and before anything that decides whether
  // they count (MMCR0, MSR[PR]) changes.
  void fold_performance_counters();
  // Deterministic scheduling: run() also ends (`stopped`) once this many
  // instructions have retired, at its next check for stop requests.
  void set_instruction_limit(std::uint64_t retired) { instruction_limit_ = retired; }

  std::uint64_t address_mask() const {
    return (state.msr & ppc::msr::kSixtyFour) ? ~std::uint64_t{0} : 0xffffffffull;
  }

 private:
  template <class T>
  T to_guest_order(T value, bool reversed) const {
    const bool little = ((state.msr & ppc::msr::kLittleEndian) != 0) != reversed;
    return little ? from_little_endian(value) : from_big_endian(value);
  }

  bool slow_access(std::uint64_t ea, unsigned size, Access access, std::uint64_t& value);
  // Out of line, and with no operand in memory, so that a handler's TLB
  // hit needs no stack frame.
  [[gnu::noinline, gnu::cold]] std::optional<std::uint64_t> load_slow(std::uint64_t ea, unsigned size);
  [[gnu::noinline, gnu::cold]] bool store_slow(std::uint64_t ea, unsigned size, std::uint64_t value);
  // Effective to real address, or nullopt after delivering the interrupt.
  std::optional<std::uint64_t> translate(std::uint64_t ea, Access access);
  std::optional<std::uint64_t> translate_relocated(std::uint64_t ea, Access access);
  void storage_interrupt(std::uint64_t ea, Access access, std::uint32_t cause);
  bool split_access(std::uint64_t ea, unsigned size, Access access, std::uint64_t& value);
  bool mmio_access(std::uint64_t ea, std::uint64_t real, unsigned size, Access access, std::uint64_t& value);
  void enter_checkstop();
  // At the top of each round of the run loops: whether the run ends here
  // (checkstop, a stop request, the deterministic quantum spent), with
  // the exit set.
  bool run_must_end(const std::atomic<bool>& stop);
  std::uint64_t to_bus_order(std::uint64_t value, unsigned size) const;
  bool fetch_setup();
  void run_debug(const std::atomic<bool>& stop, const std::atomic<bool>& external_interrupt,
                 const GuestDebug& debug);
  bool run_traced_instruction();
  bool deliver_pending_interrupt(bool external_asserted);
  bool watch_hit(std::uint64_t ea, unsigned size, Access access);
  void check_translation_generation();
  // Whether other vCPUs or the host published HPT or code changes that
  // check_translation_generation has not caught up with.
  bool others_changed_translations() const {
    return memory_system_.translation_generation.load(std::memory_order_acquire) != seen_generation_ ||
           memory_system_.code_invalidations.generation() != seen_code_generation_;
  }
  // Makes the decoded page of `real_page` the fetch page, for the page at
  // `page_ea`; the page is marked as holding code, so that a write by the
  // host into it invalidates what was decoded.
  void enter_fetch_page(std::uint64_t real_page, std::uint64_t page_ea) {
    memory_system_.code_invalidations.note_code_page(real_page);
    fetch_page_ = &decode_cache_.page(real_page, state.msr & ppc::msr::kLittleEndian);
    fetch_page_ea_ = page_ea;
  }
  void forget_fetch_page() {
    fetch_page_ = nullptr;
    fetch_page_ea_ = ~std::uint64_t{0};
    end_chain();
  }
  // A chain may run `length` more instructions after the one it starts with.
  void start_chain(std::uint64_t length) {
    retired_through_chain_ += length;
    chain_left_ = length;
  }
  void end_chain() {
    retired_through_chain_ -= chain_left_;
    chain_left_ = 0;
  }
  void update_decrementer();
  // The instruction that left `flow` has retired, unless it stopped for
  // MMIO: then it retires when it runs again, replayed.
  void count_retired(Flow flow) {
    if (flow != Flow::exit || exit_.reason != ExitReason::mmio) ++retired_through_chain_;
  }

  MemorySystem& memory_system_;
  ModalTlb tlbs_;
  SoftTlb* tlb_;  // the TLB of the current MSR translation mode
  DecodeCache decode_cache_;
  DecodePage* fetch_page_ = nullptr;
  std::uint64_t fetch_page_ea_ = ~std::uint64_t{0};
  std::uint64_t seen_generation_ = 0;
  std::uint64_t seen_code_generation_ = 0;
  Flow abort_flow_ = Flow::jump;
  // Instructions the current chain may still run after the one executing,
  // as of its last settling (0 outside a chain; below zero when the chain
  // overshot its budget, in two's complement). The retired count is derived
  // from it (instructions_retired).
  std::uint64_t chain_left_ = 0;
  // A machine check came while MSR[ME] was 0: the processor has stopped,
  // and every run() ends at once, halted.
  bool checkstopped_ = false;
  // Instructions retired once the current chain has run all it may.
  std::uint64_t retired_through_chain_ = 0;
  std::uint64_t performance_counters_folded_at_ = 0;
  bool deterministic_ = false;
  std::uint64_t timebase_offset_ = 0;
  std::uint64_t instruction_limit_ = ~std::uint64_t{0};
  // DEC's sign bit as last computed: the decrementer interrupt's level.
  bool decrementer_pending_ = false;
  // The run loop reads the clock for the decrementer at most once per this
  // many instructions (a few microseconds: a decrementer interrupt comes
  // that much late at worst, far below any timer Linux programs; every
  // 256 the clock reads were 2% of a boot).
  static constexpr std::uint64_t kDecrementerCheckInterval = 2048;
  std::uint64_t next_decrementer_check_ = 0;
  VcpuExit exit_;
  // Debug watchpoints of the current run_debug.
  const std::vector<Watchpoint>* watchpoints_ = nullptr;

  // MMIO replay: the accesses of the instruction being replayed, in order.
  // An instruction with several MMIO accesses (stmw, a page-crossing
  // store) exits once per access and is replayed with all earlier ones
  // satisfied from here; the log is dropped once the instruction completes.
  struct MmioAccess {
    std::uint64_t real_address = 0;
    unsigned size = 0;
    bool is_write = false;
    bool completed = false;
    bool failed = false;  // reached nothing: the replay takes a machine check
    std::uint64_t value = 0;
  };
  std::vector<MmioAccess> mmio_log_;
  std::size_t mmio_cursor_ = 0;
  void instruction_completed() {
    if (!mmio_log_.empty()) [[unlikely]] mmio_log_.clear();
  }
};

}  // namespace mosaic::interp
