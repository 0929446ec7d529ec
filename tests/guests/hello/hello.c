/* The walking skeleton's guest: one line on the console, then RTAS
 * power-off. Everything it uses comes from the device tree. */
#include "papr.h"

void guest_main(const void *fdt) {
  if (console_init(fdt) != 0) return;
  console_write("Hello from a pseries guest\n");
  if (rtas_init(fdt) != 0) {
    console_write("hello: no RTAS in the device tree\n");
    return;
  }
  const uint32_t power_on_mask[2] = {0xffffffff, 0xffffffff};
  uint32_t status[1];
  rtas_call("power-off", 2, 1, power_on_mask, status);
  console_write("hello: RTAS power-off returned\n");
}
