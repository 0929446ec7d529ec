/* void run_case(struct state *s, void (*sequence)(void))
 * Loads every register the state block names, calls the sequence, and
 * stores the registers back into the same block. The sequence may write any
 * GPR but r1, which holds the block while it runs; the C caller's stack
 * pointer waits in run_case_saved_sp meanwhile. Layout (8-byte words): GPRs
 * 0-31, CR, XER, FPSCR, VSCR (in the word's low 32 bits), FPRs 0-31, VRs
 * 0-31 (16 bytes each), then the scratch words that fix-ups in the sequence
 * spill registers to (the first two also carry VSCR out). */
#define CR 256
#define XER 264
#define FPSCR 272
#define VSCR 280
#define SCRATCH 1056
#define FPR 288
#define VR 544
#define FRAME 592   /* 112 ABI + 18 GPRs + 18 FPRs + 12 VRs */
#define SAVE_GPR 112
#define SAVE_FPR 256
#define SAVE_VR 400

  .macro for_each from, to, macro, args:vararg
  \macro \from, \args
  .if \to-\from
  for_each "(\from+1)", \to, \macro, \args
  .endif
  .endm

  .macro save_gpr n, base
  std \n, SAVE_GPR + 8 * (\n - 14)(\base)
  .endm
  .macro restore_gpr n, base
  ld \n, SAVE_GPR + 8 * (\n - 14)(\base)
  .endm
  .macro save_fpr n, base
  stfd \n, SAVE_FPR + 8 * (\n - 14)(\base)
  .endm
  .macro restore_fpr n, base
  lfd \n, SAVE_FPR + 8 * (\n - 14)(\base)
  .endm
  .macro save_vr n, base
  li r0, SAVE_VR + 16 * (\n - 20)
  stvx \n, \base, r0
  .endm
  .macro restore_vr n, base
  li r0, SAVE_VR + 16 * (\n - 20)
  lvx \n, \base, r0
  .endm
  .macro load_gpr n, base
  .if \n - 1
  ld \n, 8 * \n(\base)
  .endif
  .endm
  .macro store_gpr n, base
  .if \n - 1
  std \n, 8 * \n(\base)
  .endif
  .endm
  .macro load_fpr n, base
  lfd \n, FPR + 8 * \n(\base)
  .endm
  .macro store_fpr n, base
  stfd \n, FPR + 8 * \n(\base)
  .endm
  .macro load_vr n, base
  li r4, VR + 16 * \n
  lvx \n, \base, r4
  .endm
  .macro store_vr n, base
  li r4, VR + 16 * \n
  stvx \n, \base, r4
  .endm

  .text
  .globl run_case
run_case:
  mflr r0
  std r0, 16(r1)
  stdu r1, -FRAME(r1)
  std r2, 24(r1)
  for_each 14, 31, save_gpr, r1
  for_each 14, 31, save_fpr, r1
  for_each 20, 31, save_vr, r1
  lis r5, run_case_saved_sp@ha
  std r1, run_case_saved_sp@l(r5)
  mtctr r4

  lfd f0, FPSCR(r3)
  mtfsf 0xff, f0
  for_each 0, 31, load_fpr, r3
  /* mtvscr takes VSCR from the register's last word: the quadword at FPSCR
   * holds VSCR in its high half (the guest is little-endian), so the halves
   * are swapped first. */
  li r4, FPSCR
  lvx v0, r3, r4
  vsldoi v0, v0, v0, 8
  mtvscr v0
  for_each 0, 31, load_vr, r3
  ld r0, XER(r3)
  mtxer r0
  ld r0, CR(r3)
  mtcrf 0xff, r0
  mr r1, r3
  for_each 0, 31, load_gpr, r1
  bctrl

  for_each 0, 31, store_gpr, r1
  mfcr r0
  std r0, CR(r1)
  mfxer r0
  std r0, XER(r1)
  for_each 0, 31, store_fpr, r1
  mffs f0
  stfd f0, FPSCR(r1)
  for_each 0, 31, store_vr, r1
  /* mfvscr puts VSCR in the last word, the low half's low word in memory. */
  mfvscr v0
  li r4, SCRATCH
  stvx v0, r1, r4
  ld r0, SCRATCH(r1)
  std r0, VSCR(r1)

  lis r5, run_case_saved_sp@ha
  ld r1, run_case_saved_sp@l(r5)
  /* Back to the C code's FPSCR: round to nearest, nothing enabled. */
  li r0, 0
  std r0, 32(r1)
  lfd f0, 32(r1)
  mtfsf 0xff, f0
  ld r2, 24(r1)
  for_each 14, 31, restore_gpr, r1
  for_each 14, 31, restore_fpr, r1
  for_each 20, 31, restore_vr, r1
  addi r1, r1, FRAME
  ld r0, 16(r1)
  mtlr r0
  blr

  .bss
  .balign 8
run_case_saved_sp:
  .space 8
