/* VSX correctness guest: the VSX loads and stores at unaligned addresses,
 * permutes and logical operations, moves to and from GPRs, scalar and
 * vector double- and single-precision arithmetic (the fused multiply-add
 * a and m forms included), conversions, compares and max/min. Each case
 * prints the result (both doublewords in memory order for vector results,
 * the defined part only for scalar ones), the FPSCR, cleared before the
 * instruction, and the CR. */
#include "report.h"

typedef struct {
  uint64_t dw[2];
} __attribute__((aligned(16))) vec;

/* Scalar instructions use the first doubleword (or its upper word for
 * single-precision inputs). */
static const vec vectors[] = {
    {{0x3ff0000000000000, 0x8000000000000000}}, /* 1, -0 */
    {{0x0000000000000000, 0x3fd5555555555555}}, /* +0, 1/3 */
    {{0xbff8000000000000, 0x0000000000000001}}, /* -1.5, smallest denormal */
    {{0x7ff0000000000000, 0x7ff8000000000000}}, /* +inf, QNaN */
    {{0xfff0000000000000, 0x7ff4000000000000}}, /* -inf, SNaN */
    {{0x7fefffffffffffff, 0x0010000000000000}}, /* largest, smallest normal */
    {{0x4004000000000000, 0xc1e0000000100000}}, /* 2.5, -2^31 - 0.5 */
    {{0x4415af1d78b58c40, 0x3ff0000000000001}}, /* 1e20, 1 + ulp */
    {{0x3fd5555560000000, 0x47effffff0000000}}, /* 1/3 in single, above the largest single */
    {{0x3f800000c0200000, 0x7f80000000000001}}, /* singles: 1, -2.5, inf, smallest denormal */
    {{0x7fc000003eaaaaab, 0xff7fffff80000000}}, /* singles: QNaN, 1/3, -largest, -0 */
    {{0x8000000000000000, 0xfffffffffefffffd}}, /* integers */
};
#define VECTOR_COUNT (int)(sizeof(vectors) / sizeof(vectors[0]))

/* QEMU 7.2 never sets FPSCR[FR] (fraction rounded up), which the ISA
 * defines: it is left out (tests/unit/interp covers it). */
#define FPSCR_FR 0x40000ul
#define FPSCR_UX 0x8000000ul

/* vs0 = insn(vs1, vs2), with vs0 also an input (the third operand, for
 * the multiply-add a and m forms and xxsel's mask in vs3). out[0..1] =
 * vs0, out[2] = FPSCR, out[3] = CR. */
#define RUN(insn, a, b, c, out)                                                                            \
  do {                                                                                                     \
    const uint64_t zero = 0;                                                                               \
    uint64_t cr;                                                                                           \
    vec result;                                                                                            \
    __asm__ volatile("lfd 0,0(%3)\n\tmtfsf 0xff,0\n\tmtcrf 0xff,%4\n\tlxvd2x 1,0,%5\n\tlxvd2x 2,0,%6\n\t"  \
                     "lxvd2x 0,0,%7\n\tlxvd2x 3,0,%7\n\t" insn "\n\tstxvd2x 0,0,%1\n\tmffs 0\n\tstfd 0,0(%2)\n\t" \
                     "mfcr %0"                                                                             \
                     : "=&r"(cr)                                                                           \
                     : "b"(&result), "b"(&(out)[2]), "b"(&zero), "r"(0ul), "b"(a), "b"(b), "b"(c)          \
                     : "vs0", "vs1", "vs2", "vs3", "cr0", "cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7",  \
                       "memory");                                                                          \
    (out)[0] = result.dw[0];                                                                               \
    (out)[1] = result.dw[1];                                                                               \
    (out)[2] &= 0xffffffff & ~FPSCR_FR;                                                        \
    if ((insn)[1] == 'v') (out)[2] &= ~FPSCR_UX; /* see vector_arithmetic */                             \
    (out)[3] = cr;                                                                                         \
  } while (0)

/* Whether a vector holds a NaN as doubles or as singles. */
static int has_nan(const vec *v, int single) {
  for (int k = 0; k < 2; ++k) {
    const uint64_t d = v->dw[k];
    if (!single && (d << 1) > 0xffe0000000000000) return 1;
    if (single && (((d << 1) >> 33) > 0x7f800000 || ((d << 33) >> 33) > 0x7f800000)) return 1;
  }
  return 0;
}

/* mask0 and mask1 keep the defined bits of the two doublewords. */
#define BINARY_MASKED(insn, mask0, mask1) BINARY_SKIPPING(insn, mask0, mask1, 0)
#define BINARY_SKIPPING(insn, mask0, mask1, skip)                                                          \
  for (int i = 0; i < VECTOR_COUNT; ++i)                                                                   \
    for (int j = 0; j < VECTOR_COUNT; ++j) {                                                               \
      if (skip) continue;                                                                                  \
      uint64_t out[4];                                                                                     \
      RUN(insn, &vectors[i], &vectors[j], &vectors[(i + 2 * j + 1) % VECTOR_COUNT], out);                  \
      out[0] &= (mask0);                                                                                   \
      out[1] &= (mask1);                                                                                   \
      report_case(insn, i, j, 4, out);                                                                     \
    }

#define UNARY_MASKED(insn, mask0, mask1) UNARY_SKIPPING(insn, mask0, mask1, 0)
#define UNARY_SKIPPING(insn, mask0, mask1, skip)                                                           \
  for (int i = 0; i < VECTOR_COUNT; ++i) {                                                                 \
    if (skip) continue;                                                                                    \
    uint64_t out[4];                                                                                       \
    RUN(insn, &vectors[i], &vectors[i], &vectors[(i + 5) % VECTOR_COUNT], out);                            \
    out[0] &= (mask0);                                                                                     \
    out[1] &= (mask1);                                                                                     \
    report_case(insn, i, -1, 4, out);                                                                      \
  }

#define ALL ~0ul
/* ISA 2.07 leaves the second doubleword of scalar results undefined. */
#define BINARY(insn) BINARY_MASKED(insn, ALL, ALL)
#define UNARY(insn) UNARY_MASKED(insn, ALL, ALL)
#define SCALAR_BINARY(insn) BINARY_MASKED(insn, ALL, 0)
#define SCALAR_UNARY(insn) UNARY_MASKED(insn, ALL, 0)
/* Word results: word 0 is the upper half of the first doubleword, word 1
 * its lower half, word 2 the upper half of the second. */
#define WORD0 0xffffffff00000000ul
#define WORD1 0xfffffffful

static void permutes_logical(void) {
  BINARY("xxpermdi 0,1,2,0");
  BINARY("xxpermdi 0,1,2,1");
  BINARY("xxpermdi 0,1,2,2");
  BINARY("xxpermdi 0,1,2,3");
  BINARY("xxsldwi 0,1,2,1");
  BINARY("xxsldwi 0,1,2,3");
  UNARY("xxspltw 0,1,0");
  UNARY("xxspltw 0,1,3");
  BINARY("xxsel 0,1,2,3");
  BINARY("xxmrghw 0,1,2");
  BINARY("xxmrglw 0,1,2");
  BINARY("xxland 0,1,2");
  BINARY("xxlandc 0,1,2");
  BINARY("xxlor 0,1,2");
  BINARY("xxlxor 0,1,2");
  BINARY("xxlnor 0,1,2");
  BINARY("xxlorc 0,1,2");
  BINARY("xxlnand 0,1,2");
  BINARY("xxleqv 0,1,2");
}

static void scalar_arithmetic(void) {
  SCALAR_BINARY("xsadddp 0,1,2");
  SCALAR_BINARY("xssubdp 0,1,2");
  SCALAR_BINARY("xsmuldp 0,1,2");
  SCALAR_BINARY("xsdivdp 0,1,2");
  SCALAR_UNARY("xssqrtdp 0,1");
  SCALAR_BINARY("xsmaddadp 0,1,2");
  SCALAR_BINARY("xsmaddmdp 0,1,2");
  SCALAR_BINARY("xsmsubadp 0,1,2");
  SCALAR_BINARY("xsnmaddmdp 0,1,2");
  SCALAR_BINARY("xsnmsubadp 0,1,2");
  SCALAR_BINARY("xsaddsp 0,1,2");
  SCALAR_BINARY("xsmulsp 0,1,2");
  SCALAR_BINARY("xsdivsp 0,1,2");
  SCALAR_BINARY("xsmaddasp 0,1,2");
  SCALAR_UNARY("xsrsp 0,1");
  SCALAR_BINARY("xsmaxdp 0,1,2");
  SCALAR_BINARY("xsmindp 0,1,2");
  SCALAR_BINARY("xscpsgndp 0,1,2");
  SCALAR_UNARY("xsabsdp 0,1");
  SCALAR_UNARY("xsnabsdp 0,1");
  SCALAR_UNARY("xsnegdp 0,1");
  SCALAR_UNARY("xsrdpi 0,1");
  SCALAR_UNARY("xsrdpiz 0,1");
  SCALAR_UNARY("xsrdpip 0,1");
  SCALAR_UNARY("xsrdpim 0,1");
  SCALAR_UNARY("xsrdpic 0,1");
  /* Compares and tests write only a CR field and the FPSCR. */
  BINARY_MASKED("xscmpudp cr2,1,2", 0, 0);
  BINARY_MASKED("xscmpodp cr5,1,2", 0, 0);
  BINARY_MASKED("xstdivdp cr3,1,2", 0, 0);
  UNARY_MASKED("xstsqrtdp cr1,1", 0, 0);
}

/* Left out where QEMU 7.2 departs from the ISA: a NaN on both sides of
 * xvmax and xvmin (QEMU returns the first NaN, Mosaic gives an SNaN
 * precedence: not settled here), NaN lanes of the vector conversions to
 * integers (QEMU fixes up only the first; the ISA gives 0x80..0 signed, 0
 * unsigned, per lane), and UX of the xv instructions (QEMU reports only OX
 * when one lane overflows and another underflows). */
static void vector_arithmetic(void) {
  BINARY("xvadddp 0,1,2");
  BINARY("xvsubdp 0,1,2");
  BINARY("xvmuldp 0,1,2");
  BINARY("xvdivdp 0,1,2");
  UNARY("xvsqrtdp 0,1");
  BINARY("xvmaddadp 0,1,2");
  BINARY("xvmaddmdp 0,1,2");
  BINARY("xvnmsubadp 0,1,2");
  BINARY_SKIPPING("xvmaxdp 0,1,2", ALL, ALL, has_nan(&vectors[i], 0) && has_nan(&vectors[j], 0));
  BINARY_SKIPPING("xvmindp 0,1,2", ALL, ALL, has_nan(&vectors[i], 0) && has_nan(&vectors[j], 0));
  BINARY("xvaddsp 0,1,2");
  BINARY("xvmulsp 0,1,2");
  BINARY("xvdivsp 0,1,2");
  BINARY("xvmaddasp 0,1,2");
  BINARY("xvnmsubmsp 0,1,2");
  BINARY_SKIPPING("xvmaxsp 0,1,2", ALL, ALL, has_nan(&vectors[i], 1) && has_nan(&vectors[j], 1));
  BINARY_SKIPPING("xvminsp 0,1,2", ALL, ALL, has_nan(&vectors[i], 1) && has_nan(&vectors[j], 1));
  UNARY("xvabsdp 0,1");
  UNARY("xvnegsp 0,1");
  UNARY("xvrdpi 0,1");
  UNARY("xvrspiz 0,1");
  BINARY("xvcmpeqdp. 0,1,2");
  BINARY("xvcmpgedp. 0,1,2");
  BINARY("xvcmpgtdp 0,1,2");
  BINARY("xvcmpeqsp. 0,1,2");
  BINARY("xvcmpgtsp. 0,1,2");
}

static void conversions(void) {
  UNARY_MASKED("xscvdpsp 0,1", WORD0, 0);
  UNARY_MASKED("xscvdpspn 0,1", WORD0, 0);
  SCALAR_UNARY("xscvspdp 0,1");
  SCALAR_UNARY("xscvspdpn 0,1");
  UNARY_MASKED("xscvdpsxws 0,1", WORD1, 0);
  UNARY_MASKED("xscvdpuxws 0,1", WORD1, 0);
  SCALAR_UNARY("xscvdpsxds 0,1");
  SCALAR_UNARY("xscvdpuxds 0,1");
  SCALAR_UNARY("xscvsxddp 0,1");
  SCALAR_UNARY("xscvuxddp 0,1");
  SCALAR_UNARY("xscvsxdsp 0,1");
  SCALAR_UNARY("xscvuxdsp 0,1");
  UNARY("xvcvsxddp 0,1");
  UNARY("xvcvuxddp 0,1");
  UNARY_SKIPPING("xvcvdpsxds 0,1", ALL, ALL, has_nan(&vectors[i], 0));
  UNARY_SKIPPING("xvcvdpuxds 0,1", ALL, ALL, has_nan(&vectors[i], 0));
  UNARY_MASKED("xvcvdpsp 0,1", WORD0, WORD0);
  UNARY_SKIPPING("xvcvdpsxws 0,1", WORD0, WORD0, has_nan(&vectors[i], 0));
  UNARY("xvcvspdp 0,1");
  UNARY("xvcvsxwdp 0,1");
  UNARY_SKIPPING("xvcvspsxws 0,1", ALL, ALL, has_nan(&vectors[i], 1));
  UNARY("xvcvuxwsp 0,1");
}

/* mtvsrd and mtvsrwa write the first doubleword (the second is undefined
 * in ISA 2.07); mfvsrd and mfvsrwz read it back. */
static void gpr_moves(void) {
  static const uint64_t gprs[] = {0, 0xffffffff80000000, 0x123456789abcdef0, 0x7fffffff};
  for (int i = 0; i < 4; ++i) {
    uint64_t out[4];
    __asm__ volatile("mtvsrd 0,%4\n\tmfvsrd %0,0\n\tmtvsrwa 1,%4\n\tmfvsrd %1,1\n\tmtvsrwz 34,%4\n\tmfvsrd %2,34\n\t"
                     "mfvsrwz %3,1"
                     : "=&r"(out[0]), "=&r"(out[1]), "=&r"(out[2]), "=&r"(out[3])
                     : "r"(gprs[i])
                     : "vs0", "vs1", "vs34");
    report_case("mtvsr*/mfvsr*", i, -1, 4, out);
  }
}

/* Room for the stores, 48 bytes past the largest offset. */
static uint8_t buffer[80] __attribute__((aligned(16)));

/* The VSX loads and stores take any alignment. */
static void loads_stores(void) {
  for (int offset = 0; offset < 16; offset += 3) {
    for (int i = 0; i < 80; ++i) buffer[i] = (uint8_t)(0x40 + 3 * i);
    vec out[5];
    __asm__ volatile("lxvd2x 0,0,%1\n\tstxvd2x 0,0,%0\n\tlxvw4x 1,0,%1\n\tstxvd2x 1,%2,%0\n\t"
                     "lxsdx 2,0,%1\n\tstxvd2x 2,%3,%0\n\tlxsspx 3,0,%1\n\tstxvd2x 3,%4,%0\n\t"
                     "lxvdsx 4,0,%1\n\tstxvd2x 4,%5,%0\n\t"
                     "stxvw4x 0,%2,%1\n\tstxsdx 4,%3,%1\n\tstxsspx 4,%4,%1"
                     :
                     : "b"(out), "b"(buffer + offset), "b"(16ul), "b"(32ul), "b"(48ul), "b"(64ul)
                     : "vs0", "vs1", "vs2", "vs3", "vs4", "memory");
    const uint64_t loaded[8] = {out[0].dw[0], out[0].dw[1], out[1].dw[0], out[1].dw[1],
                                out[2].dw[0], out[3].dw[0], out[4].dw[0], out[4].dw[1]};
    report_case("lxvd2x/lxvw4x/lxsdx/lxsspx/lxvdsx", offset, -1, 8, loaded);
    uint64_t stored[8];
    for (int i = 0; i < 8; ++i) {
      stored[i] = 0;
      for (int k = 7; k >= 0; --k) stored[i] = stored[i] << 8 | buffer[16 + 8 * i + k];
    }
    report_case("stxvw4x/stxsdx/stxsspx", offset, -1, 8, stored);
  }
}

void guest_main(const void *fdt) {
  if (report_begin(fdt, "vsx") != 0) return;
  permutes_logical();
  scalar_arithmetic();
  vector_arithmetic();
  conversions();
  gpr_moves();
  loads_stores();
  const uint64_t zero = 0;
  __asm__ volatile("lfd 0,0(%0)\n\tmtfsf 0xff,0" : : "b"(&zero) : "fr0", "memory");
  report_end();
}
