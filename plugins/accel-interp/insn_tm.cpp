// Transactional memory (Power ISA 2.07 Book II chapter 5, Book III 3.2.2).
// The partition Mosaic builds does not offer TM: ibm,pa-features leaves its
// bit clear and MSR[TM] can never be set, so every TM instruction takes the
// facility-unavailable interrupt with FSCR[IC] = TM, as a POWER8 does with
// MSR[TM] = 0. Linux turns that into SIGILL for a process; a guest never
// hangs on a transaction that cannot start.
#include "cpu.hpp"
#include "insn_groups.hpp"

namespace mosaic::interp {

namespace {

Flow tm_unavailable(Cpu& cpu, const DecodedInsn&) {
  return cpu.facility_unavailable(facility::kTransactionalMemory);
}

// treclaim. and trechkpt. are privileged: problem state is refused first.
Flow privileged_tm_unavailable(Cpu& cpu, const DecodedInsn& insn) {
  if (cpu.problem_state()) return cpu.privileged_instruction();
  return tm_unavailable(cpu, insn);
}

}  // namespace

void register_transactional_memory_instructions(DecodeTable& table) {
  // tbegin., tend., tabortwc., tabortdc., tabortwci., tabortdci., tabort.,
  // tcheck, tsr.
  for (unsigned extended : {654u, 686u, 782u, 814u, 846u, 878u, 910u, 718u, 750u}) {
    table.op31(extended, chain<&tm_unavailable>);
  }
  table.op31(942, chain<&privileged_tm_unavailable>);   // treclaim.
  table.op31(1006, chain<&privileged_tm_unavailable>);  // trechkpt.
}

}  // namespace mosaic::interp
