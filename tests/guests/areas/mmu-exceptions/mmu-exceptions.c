/* MMU and exceptions correctness guest: each case makes one interrupt
 * happen and prints its vector, SRR0 (relative to the faulting
 * instruction), the interesting SRR1 bits, DAR and DSISR. Covers illegal
 * instructions, problem state without translation, traps, system call, an
 * unaligned lwarx, FP/VMX/VSX unavailable, and data and instruction
 * segment and storage interrupts with translation on (an SLB entry from
 * slbmte without a page table entry behind it). */
#include "interrupts.h"
#include "report.h"

#define MSR_PR 0x4000ul
#define MSR_IR 0x20ul
#define MSR_DR 0x10ul
/* SRR1 bits that say why: program-interrupt causes (illegal, privileged,
 * trap) and the ISI's "no translation" bit, plus MSR[PR], MSR[IR], MSR[DR]
 * as they were. */
#define SRR1_CAUSES 0x781f0000ul | MSR_PR | MSR_IR | MSR_DR

static uint64_t kernel_msr(void) {
  uint64_t msr;
  __asm__ volatile("mfmsr %0" : "=r"(msr));
  return msr;
}

/* DAR only where the interrupt sets it, DSISR only for the DSI (the
 * alignment interrupt leaves it undefined). */
static void show(const char *name, uint64_t fault_address) {
  const uint64_t vector = interrupts->vector;
  const int sets_dar = vector == 0x300 || vector == 0x380 || vector == 0x600;
  const uint64_t out[5] = {vector, interrupts->srr0 - fault_address, interrupts->srr1 & (SRR1_CAUSES),
                           sets_dar ? interrupts->dar : 0, vector == 0x300 ? interrupts->dsisr : 0};
  report_case(name, (int)interrupts->count, -1, 5, out);
}

/* Runs the instruction `insn` at label 1 with MSR = `msr` (entered through
 * rfid), resuming at label 2 in the kernel. %0 = the faulting address. */
#define CASE(name, msr, insn, ...)                                                                         \
  do {                                                                                                     \
    uint64_t fault;                                                                                        \
    interrupts->resume_msr = kernel_msr();                                                                 \
    interrupts->vector = interrupts->srr0 = interrupts->srr1 = interrupts->dar = interrupts->dsisr = 0;    \
    __asm__ volatile("lis %0,2f@ha\n\taddi %0,%0,2f@l\n\tstd %0,0x1828(0)\n\t"                              \
                     "lis %0,1f@ha\n\taddi %0,%0,1f@l\n\tmtsrr0 %0\n\tmtsrr1 %1\n\trfid\n"                 \
                     "1: " insn "\n\tb 1b\n"                                                               \
                     "2: lis %0,1b@ha\n\taddi %0,%0,1b@l"                                                  \
                     : "=&b"(fault)                                                                        \
                     : "r"(msr), ##__VA_ARGS__                                                             \
                     : "r0", "cr0", "memory");                                                             \
    show(name, fault);                                                                                     \
  } while (0)

static uint32_t aligned_words[4] __attribute__((aligned(16)));

/* ESID 1 (0x10000000) maps to VSID 0x123 through SLB entry 0. */
#define SEGMENT_EA 0x10000000ul

static void exceptions(void) {
  const uint64_t kernel = kernel_msr();
  CASE("illegal", kernel, ".long 0x00000000");
  /* Problem state turns instruction and data translation on, and no page
   * is mapped: the fetch faults before anything runs there. */
  CASE("problem state, no translation", kernel | MSR_PR, "mfmsr r0");
  CASE("tw 31", kernel, "tw 31,r0,r0");
  CASE("tdi lt", kernel, "li r0,-1\n\ttdi 16,r0,0");
  CASE("tw no trap, then trap", kernel, "li r0,1\n\ttwi 4,r0,0\n\ttrap");
  CASE("sc 0", kernel, "sc");
  CASE("unaligned lwarx", kernel, "lwarx r0,0,%2", "b"((char *)aligned_words + 2));
  CASE("fp unavailable", kernel, "fmr f0,f0");
  CASE("vmx unavailable", kernel, "vor v0,v0,v0");
  CASE("vsx unavailable", kernel, "xxlor vs0,vs0,vs0");
}

static void translation(void) {
  const uint64_t kernel = kernel_msr();
  __asm__ volatile("slbia\n\tisync" ::: "memory");
  /* Data translation on with an empty SLB: data segment interrupt. The
   * code keeps running untranslated. */
  CASE("load, empty slb", kernel | MSR_DR, "ld r0,0(%2)", "b"(SEGMENT_EA + 0x1238));
  /* Instruction translation on: the fetch of label 1 itself faults. */
  CASE("fetch, empty slb", kernel | MSR_IR, "nop");
  /* A valid segment without page table entries: storage interrupts. */
  const uint64_t vsid = 0x123, entry_rs = vsid << 12, entry_rb = SEGMENT_EA | 0x8000000ul | 0;
  __asm__ volatile("slbmte %0,%1\n\tisync" : : "r"(entry_rs), "r"(entry_rb) : "memory");
  uint64_t slb[2];
  __asm__ volatile("slbmfee %0,%2\n\tslbmfev %1,%2" : "=&r"(slb[0]), "=&r"(slb[1]) : "r"(0ul));
  report_case("slbmfee/slbmfev 0", -1, -1, 2, slb);
  CASE("load, no hpte", kernel | MSR_DR, "ld r0,0(%2)", "b"(SEGMENT_EA + 0x5670));
  CASE("store, no hpte", kernel | MSR_DR, "stw r0,0(%2)", "b"(SEGMENT_EA + 0xabc4));
  __asm__ volatile("slbia\n\tisync" ::: "memory");
}

void guest_main(const void *fdt) {
  if (report_begin(fdt, "mmu-exceptions") != 0) return;
  if (interrupts_install() != 0) {
    report_text("interrupts", "H_SET_MODE failed");
    report_end();
    return;
  }
  exceptions();
  translation();
  report_end();
}
