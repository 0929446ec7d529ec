/* Interrupt vectors for the correctness guests that take interrupts
 * (tests/guests/areas/mmu-exceptions, timebase-decrementer). Every vector
 * records what the interrupt set, then resumes where the test said. */
#pragma once

#include <stdint.h>

/* Filled by the vectors; lives at a fixed real address (0x1800) because
 * the handlers run with translation off and address it absolutely. */
struct interrupt_record {
  uint64_t vector, srr0, srr1, dar, dsisr;
  uint64_t resume_address; /* where the handler returns to */
  uint64_t count;          /* interrupts taken */
  uint64_t resume_msr;     /* the MSR it returns with */
};
#define interrupts ((volatile struct interrupt_record *)0x1800)

/* Sets interrupts to be taken in the guest's byte order (H_SET_MODE) and
 * writes the vectors over low memory. After this, nothing may ask the
 * firmware (QEMU's VOF lives there): report_begin has done that. */
int interrupts_install(void);
