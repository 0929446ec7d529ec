/* PAPR hypercall and RTAS guest: H_SET_SPRG0, H_GET_CPU_CHARACTERISTICS,
 * the default terminal number 0, H_FUNCTION for a number no hypervisor
 * defines, RTAS set-time-of-day then get-time-of-day, and the VPA's
 * dispatch counter across H_CEDE (even while dispatched: the count goes up
 * once when the processor stops and once when it runs again). */
#include "interrupts.h"
#include "papr.h"
#include "report.h"

#define H_SET_SPRG0 0x24
#define H_REGISTER_VPA 0xdc
#define H_CEDE 0xe0
#define H_GET_CPU_CHARACTERISTICS 0x1c8
#define H_FUNCTION (-2)
/* Above every range PAPR, KVM and QEMU assign. */
#define UNDEFINED_HCALL 0x7ffc
#define VPA_REGISTER (1ul << (63 - 18)) /* subfunction 1 in flag bits 16:18 */
#define VPA_DISPATCH_COUNT 0x100
#define MSR_EE 0x8000ul

static void yes_no(const char *name, int condition) { report_text(name, condition ? "yes" : "no"); }

static void time_of_day(void) {
  const uint32_t set[7] = {2006, 6, 17, 12, 34, 56, 0};
  uint32_t status, now[8];
  rtas_call("set-time-of-day", 7, 1, set, &status);
  report("set-time-of-day status", status);
  rtas_call("get-time-of-day", 0, 8, 0, now);
  report("get-time-of-day status", now[0]);
  report("year", now[1]);
  report("month", now[2]);
  report("day", now[3]);
  report("hour", now[4]);
  report("minute", now[5]);
  /* The clock runs on after the set: only a few seconds may pass. */
  yes_no("second 56 to 59", now[6] >= 56 && now[6] <= 59);
  /* Left out: QEMU 7.2 returns a nanoseconds word above 999999999, and
   * accepts month 13 in set-time-of-day, where PAPR wants a parameter
   * error (-3); Mosaic does both as PAPR says. */
}

static void processor_hypercalls(void) {
  uint64_t sprg0;
  report("H_SET_SPRG0", (uint64_t)hcall(H_SET_SPRG0, 0x5ca1ab1e0ddba11ul, 0, 0, 0).status);
  __asm__ volatile("mfsprg0 %0" : "=r"(sprg0));
  report("sprg0", sprg0);

  const struct hcall_result characteristics = hcall(H_GET_CPU_CHARACTERISTICS, 0, 0, 0, 0);
  report("H_GET_CPU_CHARACTERISTICS", (uint64_t)characteristics.status);
  report("characteristics", characteristics.out[0]);
  report("behaviour", characteristics.out[1]);

  report("undefined hypercall", (uint64_t)hcall(UNDEFINED_HCALL, 0, 0, 0, 0).status);
}

static void terminal_zero(void) {
  /* "term0\n", the first byte in the most significant position. */
  const unsigned long text = 0x7465726d300a0000ul;
  report("H_PUT_TERM_CHAR terminal 0", (uint64_t)hcall(H_PUT_TERM_CHAR, 0, 6, text, 0).status);
  const struct hcall_result input = hcall(H_GET_TERM_CHAR, 0, 0, 0, 0);
  report("H_GET_TERM_CHAR terminal 0", (uint64_t)input.status);
  report("bytes read", input.out[0]);
}

/* 640 bytes (the smallest VPA), cache-line aligned, inside one page. */
static uint8_t vpa[1024] __attribute__((aligned(1024)));

static uint32_t dispatch_count(void) {
  const volatile uint8_t *count = vpa + VPA_DISPATCH_COUNT;
  return (uint32_t)count[0] << 24 | (uint32_t)count[1] << 16 | (uint32_t)count[2] << 8 | count[3];
}

/* H_CEDE with the decrementer about to fire: the processor stops until
 * the decrementer interrupt, which resumes after the hypercall. */
static long cede_until_decrementer(void) {
  uint64_t msr;
  __asm__ volatile("mfmsr %0" : "=r"(msr));
  interrupts->resume_msr = msr & ~MSR_EE;
  register unsigned long r3 __asm__("r3") = H_CEDE;
  __asm__ volatile("lis r4,1f@ha\n\taddi r4,r4,1f@l\n\tstd r4,0x1828(0)\n\t"
                   "mtdec %1\n\t"
                   "sc 1\n"
                   "1:"
                   : "+r"(r3)
                   : "r"(100000ul)
                   : "r0", "r4", "r5", "r6", "r7", "r8", "r9", "r10", "r11", "r12", "cr0", "ctr", "xer", "memory");
  return (long)r3;
}

static void dispatch_counter(void) {
  vpa[4] = 640 >> 8; /* size, a big-endian halfword */
  vpa[5] = 640 & 0xff;
  uint64_t pir;
  __asm__ volatile("mfspr %0,1023" : "=r"(pir));
  report("H_REGISTER_VPA", (uint64_t)hcall(H_REGISTER_VPA, VPA_REGISTER, pir, (unsigned long)vpa, 0).status);
  const uint32_t before = dispatch_count();
  yes_no("dispatch count even while running", (before & 1) == 0);
  const uint64_t interrupts_before = interrupts->count;
  report("H_CEDE", (uint64_t)cede_until_decrementer());
  report("interrupts during H_CEDE", interrupts->count - interrupts_before);
  report("vector", interrupts->vector);
  const uint32_t after = dispatch_count();
  yes_no("dispatch count even after H_CEDE", (after & 1) == 0);
  yes_no("dispatch count advanced by 2 or more", after - before >= 2);
}

void guest_main(const void *fdt) {
  if (report_begin(fdt, "papr") != 0) return;
  /* RTAS first: under QEMU its tokens come from the firmware, which the
   * interrupt vectors overwrite. */
  time_of_day();
  processor_hypercalls();
  terminal_zero();
  if (interrupts_install() != 0) {
    report_text("interrupts", "H_SET_MODE failed");
    report_end();
    return;
  }
  dispatch_counter();
  report_end();
}
