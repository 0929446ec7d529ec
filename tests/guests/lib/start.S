/* Entry of the bare-metal test guests. The pseries boot protocol enters in
 * real mode, 64-bit and big-endian with r3 = device tree; the guests are
 * little-endian, so the first thing is the switch. */
#include "be_trampoline.inc"

  .section .text.start, "ax"
  .globl _start
_start:
  switch_to_little_endian
  mr r14, r3                  /* the device tree */
  bcl 20, 31, 1f
1: mflr r12
  addis r2, r12, (.TOC. - 1b)@ha
  addi r2, r2, (.TOC. - 1b)@l
  addis r1, r12, (guest_stack_top - 1b)@ha
  addi r1, r1, (guest_stack_top - 1b)@l
  li r0, 0
  stdu r0, -112(r1)
  mr r3, r14
  bl guest_main
  nop
2: b 2b

/* long rtas_call_big_endian(void *args, unsigned long entry, unsigned long base)
 * RTAS runs big-endian: enter it with MSR[LE] clear and come back through
 * the trampoline. */
  .text
  .globl rtas_call_big_endian
rtas_call_big_endian:
  mflr r0
  std r0, 16(r1)
  stdu r1, -112(r1)
  bcl 20, 31, 3f
3: mflr r11
  addi r11, r11, (4f - 3b)
  mtlr r11                    /* RTAS returns with blr */
  mtsrr0 r4
  mfmsr r10
  li r9, 1
  andc r10, r10, r9
  mtsrr1 r10
  mr r4, r5
  rfid
4: switch_to_little_endian
  addi r1, r1, 112
  ld r0, 16(r1)
  mtlr r0
  blr
