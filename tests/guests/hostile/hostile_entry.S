/* The hostile guest's machinery for surviving its own code: interrupt
 * vectors that record the interrupt and resume where the running CPU's
 * record says, a way into generated code (random words, MMIO probes) that
 * comes back through those vectors, and the secondary CPU's entry.
 * Each CPU's record (struct cpu_record in hostile.c) is named by SPRG0,
 * which problem-state code cannot write. */
#include "be_trampoline.inc"

#define RECORD_VECTOR 0
#define RECORD_SRR0 8
#define RECORD_SRR1 16
#define RECORD_COUNT 24
#define RECORD_RESUME 32
#define RECORD_RESUME_MSR 40
#define RECORD_SAVE 48 /* r1, r2, r13..r31, LR, CR: 23 doublewords */

  .text
/* Copied to each vector with the vector's number patched into the li. */
  .globl hostile_vector_stub, hostile_vector_stub_end
hostile_vector_stub:
  mtsprg1 r3
  li r3, 0
  ba hostile_vector_common
hostile_vector_stub_end:

hostile_vector_common:
  mtsprg2 r4
  mfsprg0 r4
  std r3, RECORD_VECTOR(r4)
  mfsrr0 r3
  std r3, RECORD_SRR0(r4)
  mfsrr1 r3
  std r3, RECORD_SRR1(r4)
  ld r3, RECORD_COUNT(r4)
  addi r3, r3, 1
  std r3, RECORD_COUNT(r4)
  ld r3, RECORD_RESUME(r4)
  mtsrr0 r3
  ld r3, RECORD_RESUME_MSR(r4)
  mtsrr1 r3
  mfsprg2 r4
  mfsprg1 r3
  rfid

/* void run_generated(struct cpu_record *record, uint64_t entry, uint64_t msr,
 *                    uint64_t gpr_value, uint64_t decrementer)
 * Enters `entry` with `msr`, every GPR set to `gpr_value` and DEC set, and
 * returns when the first interrupt comes back through the vectors. */
  .globl run_generated
run_generated:
  std r1, RECORD_SAVE + 0(r3)
  std r2, RECORD_SAVE + 8(r3)
  std r13, RECORD_SAVE + 16(r3)
  std r14, RECORD_SAVE + 24(r3)
  std r15, RECORD_SAVE + 32(r3)
  std r16, RECORD_SAVE + 40(r3)
  std r17, RECORD_SAVE + 48(r3)
  std r18, RECORD_SAVE + 56(r3)
  std r19, RECORD_SAVE + 64(r3)
  std r20, RECORD_SAVE + 72(r3)
  std r21, RECORD_SAVE + 80(r3)
  std r22, RECORD_SAVE + 88(r3)
  std r23, RECORD_SAVE + 96(r3)
  std r24, RECORD_SAVE + 104(r3)
  std r25, RECORD_SAVE + 112(r3)
  std r26, RECORD_SAVE + 120(r3)
  std r27, RECORD_SAVE + 128(r3)
  std r28, RECORD_SAVE + 136(r3)
  std r29, RECORD_SAVE + 144(r3)
  std r30, RECORD_SAVE + 152(r3)
  std r31, RECORD_SAVE + 160(r3)
  mflr r0
  std r0, RECORD_SAVE + 168(r3)
  mfcr r0
  std r0, RECORD_SAVE + 176(r3)
  bcl 20, 31, 1f
1: mflr r11
  addi r11, r11, (2f - 1b)    /* not r0: as addi's base it reads as zero */
  std r11, RECORD_RESUME(r3)
  mfmsr r0
  std r0, RECORD_RESUME_MSR(r3)
  mtsprg0 r3
  mtsrr0 r4
  mtsrr1 r5
  mtdec r7
  mtlr r6
  mtctr r6
  mr r0, r6
  mr r1, r6
  mr r2, r6
  mr r3, r6
  mr r4, r6
  mr r5, r6
  mr r7, r6
  mr r8, r6
  mr r9, r6
  mr r10, r6
  mr r11, r6
  mr r12, r6
  mr r13, r6
  mr r14, r6
  mr r15, r6
  mr r16, r6
  mr r17, r6
  mr r18, r6
  mr r19, r6
  mr r20, r6
  mr r21, r6
  mr r22, r6
  mr r23, r6
  mr r24, r6
  mr r25, r6
  mr r26, r6
  mr r27, r6
  mr r28, r6
  mr r29, r6
  mr r30, r6
  mr r31, r6
  rfid
2:
  mfsprg0 r3
  ld r1, RECORD_SAVE + 0(r3)
  ld r2, RECORD_SAVE + 8(r3)
  ld r13, RECORD_SAVE + 16(r3)
  ld r14, RECORD_SAVE + 24(r3)
  ld r15, RECORD_SAVE + 32(r3)
  ld r16, RECORD_SAVE + 40(r3)
  ld r17, RECORD_SAVE + 48(r3)
  ld r18, RECORD_SAVE + 56(r3)
  ld r19, RECORD_SAVE + 64(r3)
  ld r20, RECORD_SAVE + 72(r3)
  ld r21, RECORD_SAVE + 80(r3)
  ld r22, RECORD_SAVE + 88(r3)
  ld r23, RECORD_SAVE + 96(r3)
  ld r24, RECORD_SAVE + 104(r3)
  ld r25, RECORD_SAVE + 112(r3)
  ld r26, RECORD_SAVE + 120(r3)
  ld r27, RECORD_SAVE + 128(r3)
  ld r28, RECORD_SAVE + 136(r3)
  ld r29, RECORD_SAVE + 144(r3)
  ld r30, RECORD_SAVE + 152(r3)
  ld r31, RECORD_SAVE + 160(r3)
  ld r0, RECORD_SAVE + 168(r3)
  mtlr r0
  ld r0, RECORD_SAVE + 176(r3)
  mtcr r0
  blr

/* RTAS start-cpu enters here big-endian in real mode with r3 = the CPU's
 * struct secondary_start (stack top first); the C side takes over. */
  .globl secondary_entry
secondary_entry:
#ifdef __LITTLE_ENDIAN__
  switch_to_little_endian
#endif
  mr r14, r3
  mfmsr r12
  li r11, 1
  rldicr r11, r11, 63, 0      /* MSR[SF] */
  or r12, r12, r11
  mtmsrd r12
  bcl 20, 31, 3f
3: mflr r12
  addis r2, r12, (.TOC. - 3b)@ha
  addi r2, r2, (.TOC. - 3b)@l
  ld r1, 0(r14)
  li r0, 0
  stdu r0, -112(r1)
  mr r3, r14
  bl secondary_main
  nop
4: b 4b
