/* What the test guests need of a PAPR machine: hypercalls, the vty console,
 * device-tree lookups and RTAS calls. */
#pragma once

#include <stdint.h>

#define H_SUCCESS 0
#define H_GET_TERM_CHAR 0x54
#define H_PUT_TERM_CHAR 0x58

struct hcall_result {
  long status;
  unsigned long out[3];
};

struct hcall_result hcall(unsigned long number, unsigned long a1, unsigned long a2, unsigned long a3,
                          unsigned long a4);

/* Device tree: the value of `property` of the node at `path`, or 0. When
 * `fdt` is not a flattened tree (QEMU's VOF entry), asks the Open Firmware
 * client interface instead. */
const void *fdt_property(const void *fdt, const char *path, const char *property, uint32_t *length);
uint32_t fdt_cell(const void *value, unsigned index);

/* Console: finds the vty through /chosen/linux,stdout-path. */
int console_init(const void *fdt);
void console_write(const char *text);

/* RTAS: finds it through /rtas. Calls return the RTAS status, or -99 when
 * the function has no token. */
int rtas_init(const void *fdt);
int rtas_call(const char *name, int nargs, int nret, const uint32_t *args, uint32_t *rets);
/* The same in two steps, for guests that overwrite low memory (where
 * QEMU's VOF, which answers the lookup, lives) in between. rtas_token
 * returns 0xffffffff when the function has none. */
uint32_t rtas_token(const char *name);
int rtas_call_token(uint32_t token, int nargs, int nret, const uint32_t *args, uint32_t *rets);
