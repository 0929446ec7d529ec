/* Decimal integer correctness guest: bcdadd. and bcdsub. with both values
 * of PS over a table of signed packed decimal operands (every plus and
 * minus sign code, zeros, the largest 31-digit value for overflow, invalid
 * sign codes and digits). Each case prints VRT's two doublewords (low half
 * first: the guest is little-endian) and CR6.
 *
 * Where QEMU 7.2 departs from ISA 2.07B the case is left out:
 * - both operands zero with the same effective sign (+0 + +0, -0 - +0, ...):
 *   the ISA makes a zero result plus with CR6 = EQ; QEMU keeps the
 *   operands' sign (0xD for minus zero) and sets GT or LT as well as EQ;
 * - an operand with an invalid digit when the effective signs differ:
 *   QEMU compares the magnitudes first, stops at the invalid digit and may
 *   report EQ instead of the invalid-operand SO;
 * - VRT after an invalid operand, which the ISA leaves undefined (only CR6
 *   is printed then). */
#include "report.h"

typedef struct {
  uint64_t dw[2];
} __attribute__((aligned(16))) vec;

#define Q(high, low) {{(low), (high)}}

static const vec operands[] = {
    Q(0, 0xc),                                   /* +0 */
    Q(0, 0xd),                                   /* -0 */
    Q(0, 0x123c),                                /* +123 */
    Q(0, 0x456d),                                /* -456 */
    Q(0x9999999999999999, 0x999999999999999c),   /* +(10^31 - 1) */
    Q(0x9999999999999999, 0x999999999999999b),   /* -(10^31 - 1) */
    Q(0, 0x1f),                                  /* +1 */
    Q(0x5000000000000000, 0x000000000000000a),   /* +5 * 10^30 */
    Q(0, 0x999e),                                /* +999 */
    Q(0, 0x1000b),                               /* -1000 */
    Q(0x0123456789012345, 0x678901234567890d),   /* 30 digits, minus */
    Q(0, 0x1239),                                /* invalid sign code */
    Q(0, 0x12a3c),                               /* invalid digit */
    Q(0, 0),                                     /* sign code 0: invalid */
};
#define OPERAND_COUNT (int)(sizeof(operands) / sizeof(operands[0]))

static int sign_code(const vec *v) { return (int)(v->dw[0] & 0xf); }
static int minus(const vec *v) { return sign_code(v) == 0xb || sign_code(v) == 0xd; }
static int magnitude_zero(const vec *v) { return v->dw[1] == 0 && (v->dw[0] >> 4) == 0; }
static int digits_invalid(const vec *v) {
  for (int i = 1; i < 32; ++i) {
    const uint64_t half = i < 16 ? v->dw[0] : v->dw[1];
    if (((half >> (4 * (i % 16))) & 0xf) > 9) return 1;
  }
  return 0;
}

/* The cases where QEMU departs from the ISA (see above). */
static int left_out(const vec *a, const vec *b, int subtract) {
  if (sign_code(a) < 0xa || sign_code(b) < 0xa) return 0;  /* QEMU checks signs first, as the ISA reads */
  const int same_sign = minus(a) == (minus(b) ^ subtract);
  if (same_sign && magnitude_zero(a) && magnitude_zero(b)) return 1;
  return !same_sign && (digits_invalid(a) || digits_invalid(b));
}

/* v0 = insn(v1, v2) with CR cleared first; out = v0 and CR6. */
#define RUN(insn, a, b, out)                                                                               \
  do {                                                                                                     \
    vec result;                                                                                            \
    uint64_t cr;                                                                                           \
    __asm__ volatile("mtcrf 0xff,%2\n\tlvx 1,0,%3\n\tlvx 2,0,%4\n\t" insn "\n\tstvx 0,0,%1\n\tmfcr %0"       \
                     : "=&r"(cr)                                                                           \
                     : "b"(&result), "r"(0ul), "b"(a), "b"(b)                                              \
                     : "v0", "v1", "v2", "cr6", "memory");                                                 \
    (out)[2] = (cr >> 4) & 0xf;                                                                            \
    (out)[0] = (out)[2] == 1 ? 0 : result.dw[0];                                                           \
    (out)[1] = (out)[2] == 1 ? 0 : result.dw[1];                                                           \
  } while (0)

#define BINARY(insn, subtract)                                                                             \
  for (int i = 0; i < OPERAND_COUNT; ++i)                                                                  \
    for (int j = 0; j < OPERAND_COUNT; ++j) {                                                              \
      if (left_out(&operands[i], &operands[j], subtract)) continue;                                       \
      uint64_t out[3];                                                                                     \
      RUN(insn, &operands[i], &operands[j], out);                                                          \
      report_case(insn, i, j, 3, out);                                                                     \
    }

void guest_main(const void *fdt) {
  if (report_begin(fdt, "bcd") != 0) return;
  BINARY("bcdadd. 0,1,2,0", 0);
  BINARY("bcdadd. 0,1,2,1", 0);
  BINARY("bcdsub. 0,1,2,0", 1);
  BINARY("bcdsub. 0,1,2,1", 1);
  report_end();
}
