/* Timebase and decrementer correctness guest: the timebase only moves
 * forward and its SPR views agree; the decrementer counts down, raises its
 * interrupt at 0x900 only with MSR[EE] set, and sets SRR0/SRR1 for it.
 * Time values themselves are never printed, only relations. */
#include "interrupts.h"
#include "report.h"

#define MSR_EE 0x8000ul

static uint64_t timebase(void) {
  uint64_t value;
  __asm__ volatile("mftb %0" : "=r"(value));
  return value;
}

static void yes_no(const char *name, int condition) { report_text(name, condition ? "yes" : "no"); }

static void timebase_checks(void) {
  uint64_t previous = timebase(), decreases = 0, tb_spr, tbu, tbu_spr, after;
  for (int i = 0; i < 1000; ++i) {
    const uint64_t now = timebase();
    if (now < previous) ++decreases;
    previous = now;
  }
  for (volatile int spin = 0; spin < 100000; ++spin) {
  }
  __asm__ volatile("mfspr %0,268\n\tmftbu %1\n\tmfspr %2,269\n\tmftb %3"
                   : "=r"(tb_spr), "=r"(tbu), "=r"(tbu_spr), "=r"(after));
  yes_no("tb monotonic", decreases == 0);
  yes_no("tb advanced", after > previous);
  yes_no("mfspr 268 between mftb", tb_spr >= previous && tb_spr <= after);
  yes_no("mftbu is the upper word", tbu == tbu_spr && tbu == tb_spr >> 32);
}

/* Spins `spins` times with MSR[EE] = `enable`, resuming after the spin when
 * an interrupt comes. Returns the interrupts taken. */
static uint64_t spin(uint64_t spins, int enable) {
  const uint64_t before = interrupts->count;
  uint64_t msr;
  __asm__ volatile("mfmsr %0" : "=r"(msr));
  interrupts->resume_msr = msr;
  __asm__ volatile("lis %0,2f@ha\n\taddi %0,%0,2f@l\n\tstd %0,0x1828(0)\n\t"
                   "mtctr %1\n\tmtmsrd %2,1\n"
                   "1: bdnz 1b\n"
                   "2: mtmsrd %3,1"
                   : "=&b"(msr)
                   : "r"(spins), "r"(enable ? msr | MSR_EE : msr), "r"(msr)
                   : "ctr", "memory");
  return interrupts->count - before;
}

/* Sets the decrementer to `ticks`, then spins. */
static uint64_t decrementer_wait(uint64_t ticks, uint64_t spins, int enable) {
  __asm__ volatile("mtdec %0" : : "r"(ticks));
  return spin(spins, enable);
}

static void decrementer_checks(void) {
  /* A CPU starts without a decrementer interrupt pending: enabling MSR[EE]
   * before the OS has ever set DEC takes nothing. */
  report("interrupts with EE set, DEC as the CPU started", spin(1000000, 1));

  uint64_t first, second;
  __asm__ volatile("mtdec %2\n\tmfdec %0\n\tmfdec %1" : "=&r"(first), "=&r"(second) : "r"(0x7fffffful));
  yes_no("dec counts down", second <= first && first <= 0x7fffffful);

  /* Masked: the decrementer goes negative, and nothing is taken. */
  uint64_t taken = decrementer_wait(1000, 50000000, 0), dec;
  __asm__ volatile("mfdec %0" : "=r"(dec));
  report("interrupts with EE clear", taken);
  yes_no("dec negative", (int32_t)dec < 0);

  /* Still pending: setting EE takes it at once, before the spin ends. */
  __asm__ volatile("mtdec %0" : : "r"(0xfffffffful));
  taken = decrementer_wait(0xfffffffful, 50000000, 1);
  report("interrupts with EE set, already negative", taken);
  report("vector", interrupts->vector);
  yes_no("srr1 has EE", (interrupts->srr1 & MSR_EE) != 0);

  taken = decrementer_wait(20000, 500000000, 1);
  report("interrupts after mtdec 20000", taken);
  report("vector", interrupts->vector);
  yes_no("srr0 in the spin", interrupts->srr0 != interrupts->resume_address);
  yes_no("srr1 has EE", (interrupts->srr1 & MSR_EE) != 0);
  __asm__ volatile("mtdec %0" : : "r"(0x7ffffffful));
}

void guest_main(const void *fdt) {
  if (report_begin(fdt, "timebase-decrementer") != 0) return;
  if (interrupts_install() != 0) {
    report_text("interrupts", "H_SET_MODE failed");
    report_end();
    return;
  }
  timebase_checks();
  decrementer_checks();
  report_end();
}
