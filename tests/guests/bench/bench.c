/* Entry of the benchmark guests: console, the workload, its result, then
 * RTAS power-off, which ends the run on Mosaic and on QEMU alike. */
#include "bench.h"

#include "papr.h"

static int failures;

void bench_check(int ok, const char *what) {
  if (ok) return;
  if (failures++ < 8) {
    console_write("bench: self-check failed: ");
    console_write(what);
    console_write("\n");
  }
}

/* GCC calls these for struct copies and clears; the memory workload has its
 * own. Compiled with -fno-tree-loop-distribute-patterns so that the loops
 * do not become calls to themselves. */
void *memcpy(void *destination, const void *source, size_t n) {
  uint8_t *d = destination;
  const uint8_t *s = source;
  while (n--) *d++ = *s++;
  return destination;
}

void *memset(void *destination, int value, size_t n) {
  uint8_t *d = destination;
  while (n--) *d++ = (uint8_t)value;
  return destination;
}

static void write_hex(uint64_t value) {
  char text[19] = "0x";
  for (int i = 0; i < 16; ++i) text[2 + i] = "0123456789abcdef"[(value >> (60 - 4 * i)) & 15];
  text[18] = 0;
  console_write(text);
}

void guest_main(const void *fdt) {
  if (console_init(fdt) != 0) return;
  console_write("bench: ");
  console_write(bench_name);
  console_write(" start\n");
  const uint64_t checksum = bench_run();
  console_write("bench: ");
  console_write(bench_name);
  console_write(" checksum ");
  write_hex(checksum);
  console_write(failures ? " self-check FAILED\n" : " self-check ok\n");
  if (rtas_init(fdt) != 0) return;
  const uint32_t power_on_mask[2] = {0xffffffff, 0xffffffff};
  uint32_t status[1];
  rtas_call("power-off", 2, 1, power_on_mask, status);
}
