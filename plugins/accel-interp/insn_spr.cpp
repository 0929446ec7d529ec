// mfspr, mtspr and mftb over the SPRs a POWER8 partition sees (Power ISA
// 2.07 Book III 4.4.4 and the POWER8 user's manual SPR list).
#include "cpu.hpp"
#include "insn_groups.hpp"

namespace mosaic::interp {

namespace {

namespace spr {
constexpr unsigned kXer = 1, kDscrUser = 3, kLr = 8, kCtr = 9, kAmrUser = 13, kDscr = 17, kDsisr = 18, kDar = 19,
                   kDec = 22, kSrr0 = 26, kSrr1 = 27, kCfar = 28, kAmr = 29, kIamr = 61, kTfhar = 128,
                   kTfiar = 129, kTexasr = 130, kCtrlRead = 136, kCtrlWrite = 152, kFscr = 153, kUamor = 157,
                   kPspb = 159, kVrsave = 256, kSprg3User = 259, kTimebase = 268, kTimebaseUpper = 269,
                   kSprg0 = 272, kSprg3 = 275, kTimebaseWriteLower = 284, kTimebaseWriteUpper = 285, kPvr = 287,
                   kUserPmuFirst = 768, kUserPmuLast = 783, kPmuFirst = 784, kPmuLast = 799, kPmc5 = 791,
                   kPmc6 = 792, kMmcr0 = 795, kBescrSet = 800, kBescrSetUpper = 801, kBescrReset = 802,
                   kBescrResetUpper = 803, kEbbHandler = 804, kEbbReturn = 805, kBescr = 806, kTar = 815,
                   kPpr = 896, kPpr32 = 898, kPir = 1023;
}  // namespace spr

// MMCR0 bits (Book III 9.4.4) that freeze PMC5 and PMC6.
namespace mmcr0 {
constexpr std::uint64_t kFreezeCounters = 1u << 31, kFreezeInSupervisor = 1u << 30, kFreezeInProblem = 1u << 29,
                        kFreezePmc56 = 1u << 4;
}  // namespace mmcr0

// The facility a problem-state access to `number` needs enabled in FSCR,
// or nullopt for none. TM's registers need MSR[TM], which this partition
// never has (insn_tm.cpp), in any state.
std::optional<unsigned> facility_needed(unsigned number, bool problem_state) {
  if (number >= spr::kTfhar && number <= spr::kTexasr + 1) return facility::kTransactionalMemory;
  if (!problem_state) return std::nullopt;
  if (number >= spr::kBescrSet && number <= spr::kBescr) return facility::kEventBasedBranch;
  if (number == spr::kTar) return facility::kTargetAddress;
  if (number == spr::kDscrUser) return facility::kDscr;
  return std::nullopt;
}
bool facility_enabled(const Cpu& cpu, unsigned cause) {
  return cause != facility::kTransactionalMemory && (cpu.state.fscr & facility::enable_bit(cause));
}

// Bit 0x10 of the SPR number (spr[0] as encoded) marks privileged SPRs.
bool is_privileged(unsigned number) { return number & 0x10; }

// The SPR number, whose two halves the instruction encodes swapped.
unsigned spr_number(const DecodedInsn& insn) { return (unsigned{insn.rb} << 5) | insn.ra; }

// SPRs that only hold a value.
bool is_plain_storage(unsigned number) {
  return number == spr::kIamr || number == spr::kUamor || number == spr::kPspb ||
         (number >= spr::kPmuFirst && number <= spr::kPmuLast) ||
         (number >= spr::kEbbHandler && number <= spr::kBescr);
}

// BESCR's set and reset aliases (Book II 6.2.1): a write sets or clears
// the bits that are 1 in the value (the "upper" forms act on BESCR's high
// word through the value's low word); a read returns BESCR, or its high
// word.
std::optional<std::uint64_t> read_bescr_alias(const CpuState& s, unsigned number) {
  const std::uint64_t bescr = s.plain_spr[spr::kBescr];
  if (number == spr::kBescrSet || number == spr::kBescrReset) return bescr;
  if (number == spr::kBescrSetUpper || number == spr::kBescrResetUpper) return bescr >> 32;
  return std::nullopt;
}
bool write_bescr_alias(CpuState& s, unsigned number, std::uint64_t value) {
  std::uint64_t& bescr = s.plain_spr[spr::kBescr];
  switch (number) {
    case spr::kBescrSet: bescr |= value; return true;
    case spr::kBescrSetUpper: bescr |= (value & 0xffffffff) << 32; return true;
    case spr::kBescrReset: bescr &= ~value; return true;
    case spr::kBescrResetUpper: bescr &= ~((value & 0xffffffff) << 32); return true;
    default: return false;
  }
}

bool is_performance_counter(unsigned number) { return number >= spr::kUserPmuFirst && number <= spr::kPmuLast; }

std::optional<std::uint64_t> read_spr(Cpu& cpu, unsigned number) {
  CpuState& s = cpu.state;
  if (is_plain_storage(number)) return s.plain_spr[number];
  if (const auto alias = read_bescr_alias(s, number)) return alias;
  // The problem-state PMU numbers read the privileged registers' values.
  if (number >= spr::kUserPmuFirst && number <= spr::kUserPmuLast) return s.plain_spr[number + 16];
  switch (number) {
    case spr::kXer: return s.xer();
    case spr::kLr: return s.lr;
    case spr::kCtr: return s.ctr;
    case spr::kDscrUser:
    case spr::kDscr: return s.dscr;
    case spr::kAmrUser:
    case spr::kAmr: return s.amr;
    case spr::kDsisr: return s.dsisr;
    case spr::kDar: return s.dar;
    case spr::kDec: return static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(cpu.decrementer())));
    case spr::kSrr0: return s.srr0;
    case spr::kSrr1: return s.srr1;
    case spr::kCfar: return s.cfar;
    case spr::kCtrlRead: return s.ctrl;
    case spr::kFscr: return s.fscr;
    case spr::kVrsave: return s.vrsave;
    case spr::kSprg3User: return s.sprg[3];
    case spr::kTimebase: return cpu.timebase();
    case spr::kTimebaseUpper: return cpu.timebase() >> 32;
    case spr::kPvr: return s.pvr;
    case spr::kTar: return s.tar;
    case spr::kPpr: return s.ppr;
    case spr::kPpr32: return s.ppr >> 32;
    case spr::kPir: return s.pir;
    default: break;
  }
  if (number >= spr::kSprg0 && number <= spr::kSprg3) return s.sprg[number - spr::kSprg0];
  return std::nullopt;
}

bool write_spr(Cpu& cpu, unsigned number, std::uint64_t value) {
  CpuState& s = cpu.state;
  if (is_plain_storage(number)) {
    s.plain_spr[number] = value;
    return true;
  }
  if (write_bescr_alias(s, number, value)) return true;
  if (number >= spr::kUserPmuFirst && number <= spr::kUserPmuLast) {
    s.plain_spr[number + 16] = value;
    return true;
  }
  switch (number) {
    case spr::kXer: s.set_xer(value); return true;
    case spr::kLr: s.lr = value; return true;
    case spr::kCtr: s.ctr = value; return true;
    case spr::kDscrUser:
    case spr::kDscr: s.dscr = value; return true;
    case spr::kAmrUser:
    case spr::kAmr: s.amr = value; return true;
    case spr::kDsisr: s.dsisr = static_cast<std::uint32_t>(value); return true;
    case spr::kDar: s.dar = value; return true;
    case spr::kDec: cpu.set_decrementer(static_cast<std::uint32_t>(value)); return true;
    case spr::kSrr0: s.srr0 = value; return true;
    case spr::kSrr1: s.srr1 = value; return true;
    case spr::kCfar: s.cfar = value; return true;
    case spr::kCtrlWrite: s.ctrl = value & 1; return true;  // only the run latch
    case spr::kFscr: s.fscr = value; return true;
    case spr::kVrsave: s.vrsave = static_cast<std::uint32_t>(value); return true;
    // The timebase belongs to the hypervisor: a partition's writes are
    // dropped, as under PowerVM.
    case spr::kTimebaseWriteLower:
    case spr::kTimebaseWriteUpper: return true;
    case spr::kTar: s.tar = value; return true;
    case spr::kPpr: s.ppr = value; return true;
    case spr::kPpr32: s.ppr = (s.ppr & 0xffffffffull) | (value << 32); return true;
    default: break;
  }
  if (number >= spr::kSprg0 && number <= spr::kSprg3) {
    s.sprg[number - spr::kSprg0] = value;
    return true;
  }
  return false;
}

// An SPR this partition does not have (undefined, or the hypervisor's):
// with a privileged number, supervisor state treats the access as a no-op;
// otherwise the hypervisor emulation assist reaches the guest as an
// illegal instruction (Book III 4.4.4, and what POWER8 under PowerVM and
// KVM does). Linux relies on the no-op: it writes hypervisor PMU SPRs
// before it checks MSR[HV].
Flow absent_spr(Cpu& cpu, unsigned number) {
  if (is_privileged(number)) return Flow::next;
  return cpu.illegal_instruction();
}

// What must happen before an SPR access proper: the privilege check, then
// the facility check, then bringing the PMU counts up to date.
std::optional<Flow> check_access(Cpu& cpu, unsigned number) {
  if (is_privileged(number) && cpu.problem_state()) return cpu.privileged_instruction();
  if (const auto cause = facility_needed(number, cpu.problem_state()); cause && !facility_enabled(cpu, *cause)) {
    return cpu.facility_unavailable(*cause);
  }
  if (is_performance_counter(number)) cpu.fold_performance_counters();
  return std::nullopt;
}

Flow mfspr(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned number = spr_number(insn);
  if (const auto refused = check_access(cpu, number)) return *refused;
  const auto value = read_spr(cpu, number);
  if (!value) return absent_spr(cpu, number);
  cpu.state.gpr[insn.rt] = *value;
  return Flow::next;
}

Flow mtspr(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned number = spr_number(insn);
  if (const auto refused = check_access(cpu, number)) return *refused;
  if (!write_spr(cpu, number, cpu.state.gpr[insn.rt])) return absent_spr(cpu, number);
  return Flow::next;
}

// LR and CTR, which every privilege level may move and loops move all
// the time, get handlers of their own at decode time.
Flow move_from_link(Cpu& cpu, const DecodedInsn& insn) {
  cpu.state.gpr[insn.rt] = cpu.state.lr;
  return Flow::next;
}
Flow move_from_count(Cpu& cpu, const DecodedInsn& insn) {
  cpu.state.gpr[insn.rt] = cpu.state.ctr;
  return Flow::next;
}
Flow move_to_link(Cpu& cpu, const DecodedInsn& insn) {
  cpu.state.lr = cpu.state.gpr[insn.rt];
  return Flow::next;
}
Flow move_to_count(Cpu& cpu, const DecodedInsn& insn) {
  cpu.state.ctr = cpu.state.gpr[insn.rt];
  return Flow::next;
}

unsigned spr_number(std::uint32_t word) { return (bits(word, 16, 20) << 5) | bits(word, 11, 15); }

Handlers choose_mfspr(std::uint32_t word) {
  switch (spr_number(word)) {
    case spr::kLr: return on_registers<&move_from_link>;
    case spr::kCtr: return on_registers<&move_from_count>;
    default: return chain<&mfspr>;
  }
}
Handlers choose_mtspr(std::uint32_t word) {
  switch (spr_number(word)) {
    case spr::kLr: return on_registers<&move_to_link>;
    case spr::kCtr: return on_registers<&move_to_count>;
    default: return chain<&mtspr>;
  }
}

Flow mftb(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned number = spr_number(insn);
  if (number != spr::kTimebase && number != spr::kTimebaseUpper) return cpu.illegal_instruction();
  cpu.state.gpr[insn.rt] = number == spr::kTimebase ? cpu.timebase() : cpu.timebase() >> 32;
  return Flow::next;
}

}  // namespace

void Cpu::fold_performance_counters() {
  const std::uint64_t retired = instructions_retired() - performance_counters_folded_at_;
  performance_counters_folded_at_ = instructions_retired();
  const std::uint64_t control = state.plain_spr[spr::kMmcr0];
  const bool frozen = (control & (mmcr0::kFreezeCounters | mmcr0::kFreezePmc56)) ||
                      (control & (problem_state() ? mmcr0::kFreezeInProblem : mmcr0::kFreezeInSupervisor));
  if (frozen || retired == 0) return;
  for (unsigned counter : {spr::kPmc5, spr::kPmc6}) {
    state.plain_spr[counter] = (state.plain_spr[counter] + retired) & 0xffffffff;
  }
}

void register_spr_instructions(DecodeTable& table) {
  table.op31(339, chosen_by<&choose_mfspr>);
  table.op31(467, chosen_by<&choose_mtspr>);
  table.op31(371, chain<&mftb>);
}

}  // namespace mosaic::interp
