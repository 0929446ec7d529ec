// System instructions (Power ISA 2.07 Book III): system call and return,
// MSR access, traps, synchronisation, SLB and TLB management.
#include "cpu.hpp"
#include "insn_groups.hpp"
#include "mosaic/ppc_hash.hpp"

namespace mosaic::interp {

namespace {

// MSR bits a guest (MSR[HV] = 0) cannot change with rfid or mtmsrd.
constexpr std::uint64_t kMsrGuestFixed = ppc::msr::kHypervisor | ppc::msr::kMachineCheckEnable;
// mtmsrd with L = 1 changes only EE and RI (Book III 4.4.3).
constexpr std::uint64_t kMsrPartialBits = ppc::msr::kExternalEnable | ppc::msr::kRecoverable;

// The MSR as a write from the guest may leave it: problem state forces
// translation and external interrupts on (Book III 4.2.1).
std::uint64_t writable_msr(std::uint64_t current, std::uint64_t requested) {
  std::uint64_t value = (requested & ~kMsrGuestFixed) | (current & kMsrGuestFixed);
  if (value & ppc::msr::kProblemState) {
    value |= ppc::msr::kExternalEnable | ppc::msr::kInstructionRelocate | ppc::msr::kDataRelocate;
  }
  return value;
}

Flow system_call(Cpu& cpu, const DecodedInsn& insn) {
  const unsigned level = bits(insn.word, 20, 26);
  // sc 1 from problem state is no hypercall: KVM-HV reflects it to the
  // guest kernel as a system call (its PR-KVM guests make them), and the
  // interpreter does the same, so that a process cannot reach the
  // hypervisor and both accelerators agree. QEMU's TCG answers H_PRIVILEGE
  // in r3 instead.
  if (level == 1 && !cpu.problem_state()) return cpu.hypercall_exit();
  return cpu.interrupt(Vector::system_call, (cpu.state.nip + 4) & cpu.address_mask());
}

Flow return_from_interrupt(Cpu& cpu, const DecodedInsn&) {
  if (cpu.problem_state()) return cpu.privileged_instruction();
  const std::uint64_t msr = writable_msr(cpu.state.msr, cpu.state.srr1);
  cpu.set_msr(msr);
  const std::uint64_t mask = (msr & ppc::msr::kSixtyFour) ? ~std::uint64_t{0} : 0xffffffffull;
  cpu.state.nip = cpu.state.srr0 & mask & ~std::uint64_t{3};
  cpu.state.reservation_valid = false;
  return Flow::jump;
}

// hrfid belongs to the hypervisor; a guest executing it gets a privileged
// instruction interrupt, as under PowerVM.
Flow hypervisor_return(Cpu& cpu, const DecodedInsn& insn) {
  if (!(cpu.state.msr & ppc::msr::kHypervisor)) return cpu.privileged_instruction();
  return return_from_interrupt(cpu, insn);
}

// After an MSR write the next instruction is fetched under the new MSR.
Flow move_to_msr(Cpu& cpu, std::uint64_t requested, bool partial, bool low_word_only) {
  std::uint64_t value = requested;
  if (partial) {
    value = (cpu.state.msr & ~kMsrPartialBits) | (requested & kMsrPartialBits);
  } else if (low_word_only) {
    value = (cpu.state.msr & 0xffffffff00000000ull) | (requested & 0xffffffffull);
  }
  cpu.set_msr(writable_msr(cpu.state.msr, value));
  cpu.state.nip = (cpu.state.nip + 4) & cpu.address_mask();
  return Flow::jump;
}

Flow mtmsrd(Cpu& cpu, const DecodedInsn& insn) {
  if (cpu.problem_state()) return cpu.privileged_instruction();
  return move_to_msr(cpu, cpu.state.gpr[insn.rt], bits(insn.word, 15, 15), false);
}

Flow mtmsr(Cpu& cpu, const DecodedInsn& insn) {
  if (cpu.problem_state()) return cpu.privileged_instruction();
  return move_to_msr(cpu, cpu.state.gpr[insn.rt], bits(insn.word, 15, 15), true);
}

Flow mfmsr(Cpu& cpu, const DecodedInsn& insn) {
  if (cpu.problem_state()) return cpu.privileged_instruction();
  cpu.state.gpr[insn.rt] = cpu.state.msr;
  return Flow::next;
}

// TO field conditions (Book I 3.3.11): lt, gt, eq, ltu, gtu.
bool trap_condition(unsigned to, std::int64_t a, std::int64_t b) {
  const auto ua = static_cast<std::uint64_t>(a);
  const auto ub = static_cast<std::uint64_t>(b);
  return ((to & 0x10) && a < b) || ((to & 0x08) && a > b) || ((to & 0x04) && a == b) ||
         ((to & 0x02) && ua < ub) || ((to & 0x01) && ua > ub);
}

Flow trap_if(Cpu& cpu, unsigned to, std::int64_t a, std::int64_t b) {
  if (trap_condition(to, a, b)) return cpu.program_interrupt(program_cause::kTrap);
  return Flow::next;
}

std::int64_t low_word(std::uint64_t value) { return static_cast<std::int32_t>(value); }

Flow tdi(Cpu& cpu, const DecodedInsn& insn) {
  return trap_if(cpu, insn.rt, static_cast<std::int64_t>(cpu.state.gpr[insn.ra]), insn.imm);
}
Flow twi(Cpu& cpu, const DecodedInsn& insn) {
  return trap_if(cpu, insn.rt, low_word(cpu.state.gpr[insn.ra]), insn.imm);
}
Flow td(Cpu& cpu, const DecodedInsn& insn) {
  return trap_if(cpu, insn.rt, static_cast<std::int64_t>(cpu.state.gpr[insn.ra]),
                 static_cast<std::int64_t>(cpu.state.gpr[insn.rb]));
}
Flow tw(Cpu& cpu, const DecodedInsn& insn) {
  return trap_if(cpu, insn.rt, low_word(cpu.state.gpr[insn.ra]), low_word(cpu.state.gpr[insn.rb]));
}

// sync, lwsync, ptesync, eieio, isync, tlbsync, wait: one thread executes
// in program order and stores invalidate decoded code themselves, so these
// order nothing further here.
Flow no_effect(Cpu&, const DecodedInsn&) { return Flow::next; }

Flow privileged_no_effect(Cpu& cpu, const DecodedInsn&) {
  if (cpu.problem_state()) return cpu.privileged_instruction();
  return Flow::next;
}

std::size_t slb_index(std::uint64_t rb) { return rb & (ppc::kSlbEntries - 1); }

Flow slbmte(Cpu& cpu, const DecodedInsn& insn) {
  if (cpu.problem_state()) return cpu.privileged_instruction();
  const std::uint64_t rb = cpu.state.gpr[insn.rb];
  ppc::SlbEntry& slot = cpu.state.slb[slb_index(rb)];
  cpu.flush_segment(slot);
  slot = ppc::SlbEntry{rb, cpu.state.gpr[insn.rt]};
  return Flow::next;
}

Flow slbie(Cpu& cpu, const DecodedInsn& insn) {
  if (cpu.problem_state()) return cpu.privileged_instruction();
  const std::uint64_t ea = cpu.state.gpr[insn.rb];
  for (ppc::SlbEntry& entry : cpu.state.slb) {
    if (!(entry.esid & ppc::slb::kValid)) continue;
    const unsigned shift = ppc::slb::segment_shift(entry);
    if ((entry.esid >> shift) != (ea >> shift)) continue;
    cpu.flush_segment(entry);
    entry.esid &= ~ppc::slb::kValid;
  }
  return Flow::next;
}

// slbia keeps SLB entry 0 (Book III 5.9.3.2, POWER8 behaviour for IH = 0).
Flow slbia(Cpu& cpu, const DecodedInsn&) {
  if (cpu.problem_state()) return cpu.privileged_instruction();
  for (std::size_t i = 1; i < cpu.state.slb.size(); ++i) cpu.state.slb[i].esid &= ~ppc::slb::kValid;
  cpu.flush_translations();
  return Flow::next;
}

Flow slbmfee(Cpu& cpu, const DecodedInsn& insn) {
  if (cpu.problem_state()) return cpu.privileged_instruction();
  cpu.state.gpr[insn.rt] = cpu.state.slb[slb_index(cpu.state.gpr[insn.rb])].esid;
  return Flow::next;
}

Flow slbmfev(Cpu& cpu, const DecodedInsn& insn) {
  if (cpu.problem_state()) return cpu.privileged_instruction();
  cpu.state.gpr[insn.rt] = cpu.state.slb[slb_index(cpu.state.gpr[insn.rb])].vsid;
  return Flow::next;
}

// slbfee.: the VSID word of the entry translating RB, CR0[EQ] when found.
Flow slbfee(Cpu& cpu, const DecodedInsn& insn) {
  if (cpu.problem_state()) return cpu.privileged_instruction();
  const auto segment = ppc::find_segment(cpu.state.slb, cpu.state.gpr[insn.rb]);
  cpu.state.gpr[insn.rt] = segment ? segment->vsid_word : 0;
  cpu.state.set_cr_field(0, (segment ? cr_bit::kEqual : 0) | (cpu.state.xer_so ? cr_bit::kSummaryOverflow : 0));
  return Flow::next;
}

// icbi (Book II 4.3.1): decoded copies of the block go on every vCPU.
Flow icbi(Cpu& cpu, const DecodedInsn& insn) {
  const std::uint64_t ea = (insn.ra ? cpu.state.gpr[insn.ra] : 0) + cpu.state.gpr[insn.rb];
  return cpu.invalidate_instruction_block(ea);
}

// tlbie/tlbiel: the software TLB holds no finer state than "everything".
Flow tlb_invalidate(Cpu& cpu, const DecodedInsn&) {
  if (cpu.problem_state()) return cpu.privileged_instruction();
  cpu.flush_translations();
  return Flow::next;
}

}  // namespace

void register_system_instructions(DecodeTable& table) {
  table.primary(17, chain<&system_call>);
  table.primary(2, chain<&tdi>);
  table.primary(3, chain<&twi>);
  table.op19(18, chain<&return_from_interrupt>);
  table.op19(274, chain<&hypervisor_return>);
  table.op19(150, chain<&no_effect>);  // isync
  table.op31(178, chain<&mtmsrd>);
  table.op31(146, chain<&mtmsr>);
  table.op31(83, chain<&mfmsr>);
  table.op31(68, chain<&td>);
  table.op31(4, chain<&tw>);
  table.op31(598, chain<&no_effect>);  // sync, lwsync, ptesync
  table.op31(854, chain<&no_effect>);  // eieio
  table.op31(566, chain<&privileged_no_effect>);  // tlbsync
  table.op31(62, chain<&no_effect>);  // wait: the run loop polls for interrupts anyway
  table.op31(402, chain_ends<&slbmte>);
  table.op31(434, chain_ends<&slbie>);
  table.op31(498, chain_ends<&slbia>);
  table.op31(915, chain<&slbmfee>);
  table.op31(851, chain<&slbmfev>);
  table.op31(979, chain<&slbfee>);
  table.op31(982, chain_ends<&icbi>);
  table.op31(306, chain_ends<&tlb_invalidate>);  // tlbie
  table.op31(274, chain_ends<&tlb_invalidate>);  // tlbiel
  table.op31(370, chain_ends<&tlb_invalidate>);  // tlbia
}

}  // namespace mosaic::interp
