/* The differential tester's guest: runs every generated case (cases.S,
 * from tests/difftest/generate.py) through run_case.S and prints one line
 * per case, "difftest: case INDEX HASH", HASH being a hash of the final
 * state. Built with -DDIFFTEST_DUMP it prints the whole final state instead,
 * one "difftest: case INDEX WORD VALUE" line per 8-byte word. The same ELF
 * runs on Mosaic and on QEMU; scripts/difftest compares their output. */
#include <stdint.h>

#include "papr.h"

#define STATE_WORDS 136
#define GPR1_WORD 1
#define XER_WORD 33
/* The XER bits a POWER8 defines (SO, OV, CA, byte count); mtxer may leave
 * others set, which read back implementation-defined. */
#define XER_DEFINED 0xE000007Ful
#define FPSCR_WORD 34
/* FPSCR bit 52 is reserved: mffs reads it back implementation-defined. */
#define FPSCR_RESERVED 0x800ul
/* FPSCR[FR]: QEMU 7.2 never sets it (the ISA sets it when rounding
 * incremented the fraction), so it is not compared. */
#define FPSCR_FRACTION_ROUNDED 0x40000ul
/* Where fix-ups spill the registers they borrow; the registers themselves
 * are compared. */
#define SCRATCH_WORD 132
#define SCRATCH_WORDS 4

struct state {
  uint64_t word[STATE_WORDS];
} __attribute__((aligned(16)));

extern const struct state difftest_initial[];
extern void (*const difftest_sequences[])(void);
extern const unsigned long difftest_count;
void run_case(struct state *s, void (*sequence)(void));

/* GCC calls it for the struct copies; built with
 * -fno-tree-loop-distribute-patterns so that the loop stays a loop. */
void *memcpy(void *destination, const void *source, unsigned long n) {
  uint8_t *d = destination;
  const uint8_t *s = source;
  while (n--) *d++ = *s++;
  return destination;
}

static void write_hex(uint64_t value, int digits) {
  char text[17];
  for (int i = 0; i < digits; ++i) text[i] = "0123456789abcdef"[(value >> (4 * (digits - 1 - i))) & 15];
  text[digits] = 0;
  console_write(text);
}

static void write_decimal(unsigned long value) {
  char text[21];
  int i = 20;
  text[i] = 0;
  do {
    text[--i] = (char)('0' + value % 10);
    value /= 10;
  } while (value);
  console_write(text + i);
}

#ifndef DIFFTEST_DUMP
/* FNV-1a over the words: cheap, and any differing bit changes it. */
static uint64_t hash_state(const struct state *s) {
  uint64_t hash = 0xcbf29ce484222325ul;
  for (int i = 0; i < STATE_WORDS; ++i) {
    uint64_t w = s->word[i];
    for (int b = 0; b < 8; ++b) {
      hash ^= w & 0xff;
      hash *= 0x100000001b3ul;
      w >>= 8;
    }
  }
  return hash;
}
#endif

static void power_off(const void *fdt) {
  if (rtas_init(fdt) != 0) return;
  const uint32_t power_on_mask[2] = {0xffffffff, 0xffffffff};
  uint32_t status[1];
  rtas_call("power-off", 2, 1, power_on_mask, status);
}

void guest_main(const void *fdt) {
  if (console_init(fdt) != 0) return;
  static struct state s;
  for (unsigned long i = 0; i < difftest_count; ++i) {
    s = difftest_initial[i];
    run_case(&s, difftest_sequences[i]);
    s.word[GPR1_WORD] = 0;
    for (int w = SCRATCH_WORD; w < SCRATCH_WORD + SCRATCH_WORDS; ++w) s.word[w] = 0;
    s.word[XER_WORD] &= XER_DEFINED;
    s.word[FPSCR_WORD] &= ~(FPSCR_RESERVED | FPSCR_FRACTION_ROUNDED);
#ifdef DIFFTEST_DUMP
    for (int w = 0; w < STATE_WORDS; ++w) {
      console_write("difftest: case ");
      write_decimal(i);
      console_write(" ");
      write_decimal((unsigned long)w);
      console_write(" ");
      write_hex(s.word[w], 16);
      console_write("\n");
    }
#else
    console_write("difftest: case ");
    write_decimal(i);
    console_write(" ");
    write_hex(hash_state(&s), 16);
    console_write("\n");
#endif
  }
  console_write("difftest: done ");
  write_decimal(difftest_count);
  console_write("\n");
  power_off(fdt);
}
