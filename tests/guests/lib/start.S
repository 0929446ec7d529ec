/* Entry of the bare-metal test guests. The pseries boot protocol enters in
 * real mode, 64-bit and big-endian with r3 = device tree; little-endian
 * guests switch first, big-endian ones (powerpc64-linux-gnu-gcc, ELFv2)
 * run as entered. QEMU's Virtual Open Firmware (-M pseries,x-vof=on)
 * instead enters with r3 = 0, r5 = its client interface and MSR[SF] clear,
 * so the entry also keeps r5 for papr.c and sets 64-bit mode. */
#include "be_trampoline.inc"

  .section .text.start, "ax"
  .globl _start
_start:
#ifdef __LITTLE_ENDIAN__
  switch_to_little_endian
#endif
  mr r14, r3                  /* the device tree */
  mfmsr r12
  li r11, 1
  rldicr r11, r11, 63, 0      /* MSR[SF] */
#ifdef MOSAIC_GUEST_HARD_FLOAT
  oris r11, r11, 0x0280       /* MSR[VEC] and MSR[VSX] */
  ori r11, r11, 0x2000        /* MSR[FP] */
#endif
  or r12, r12, r11
  mtmsrd r12
  bcl 20, 31, 1f
1: mflr r12
  addis r2, r12, (.TOC. - 1b)@ha
  addi r2, r2, (.TOC. - 1b)@l
  addis r11, r2, firmware_client@toc@ha
  std r5, firmware_client@toc@l(r11)
  addis r1, r12, (guest_stack_top - 1b)@ha
  addi r1, r1, (guest_stack_top - 1b)@l
  li r0, 0
  stdu r0, -112(r1)
  mr r3, r14
  bl guest_main
  nop
2: b 2b

/* long call_big_endian(void *args, unsigned long entry, unsigned long base)
 * RTAS and the Open Firmware client interface run big-endian: enter them
 * with MSR[LE] clear, r3 = args and r4 = base, and come back through the
 * trampoline. */
  .text
  .globl call_big_endian
call_big_endian:
  mflr r0
  std r0, 16(r1)
  stdu r1, -112(r1)
  std r2, 24(r1)              /* QEMU's VOF client interface clobbers the TOC */
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
4:
#ifdef __LITTLE_ENDIAN__
  switch_to_little_endian
#endif
  ld r2, 24(r1)
  addi r1, r1, 112
  ld r0, 16(r1)
  mtlr r0
  blr
