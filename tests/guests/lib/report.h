/* Result lines of the per-area correctness guests (tests/guests/areas/):
 * `name: value` in hex between a begin and an end marker, so that
 * scripts/guest-expectations and tests/guests/run_guest_test.sh can cut the
 * guest's own lines out of QEMU's and Mosaic's console output. */
#pragma once

#include <stdint.h>

/* Opens the console and prints the begin marker; nonzero on failure. */
int report_begin(const void *fdt, const char *area);
void report(const char *name, uint64_t value);
void report_text(const char *name, const char *text);
/* `name[a,b]: v0 v1 ...`: one case of an instruction over a table of
 * inputs; a or b below 0 is left out of the brackets. */
void report_case(const char *name, int a, int b, int count, const uint64_t *values);
/* Prints the end marker and powers the machine off. */
void report_end(void);

#define GUEST_MARKER_BEGIN "=== guest begin: "
#define GUEST_MARKER_END "=== guest end ==="
