/* VMX correctness guest: integer arithmetic (modulo and saturating, with
 * VSCR[SAT]), min/max/average, shifts and rotates, multiplies and sums,
 * compares with CR6, permutes, merges, splats, packs and unpacks, the
 * vector loads and stores at every alignment, bit counts and gathers, and
 * the exactly defined float operations. Vectors print as their two
 * doublewords in memory order (the guest is little-endian). */
#include "report.h"

typedef struct {
  uint64_t dw[2];
} __attribute__((aligned(16))) vec;

static const vec vectors[] = {
    {{0, 0}},
    {{0xffffffffffffffff, 0xffffffffffffffff}},
    {{0x0706050403020100, 0x0f0e0d0c0b0a0908}},
    {{0x7e00c040ff01807f, 0xf010aa5502fe3f81}},
    {{0x8000000080007fff, 0x12345678ffff0001}},
    {{0xc02000003f800000, 0x7fc000007f800000}}, /* 1.0f -2.5f inf QNaN */
    {{0x404000003f000000, 0x7149f2ca80000000}}, /* 0.5f 3.0f -0.0f 1e30f */
    {{0x0123456789abcdef, 0xfedcba9876543210}},
    {{0x0000800000000001, 0xff7fffff80800000}}, /* denormal, denormal, -denormal-ish, -FLT_MAX */
};
#define VECTOR_COUNT (int)(sizeof(vectors) / sizeof(vectors[0]))

/* v0 = insn(v1, v2, v3) with VSCR cleared first (NJ = 0: denormals are
 * IEEE); out = v0's doublewords, VSCR and CR6. */
#define RUN(insn, a, b, c, out)                                                                            \
  do {                                                                                                     \
    vec result, vscr;                                                                                      \
    uint64_t cr;                                                                                           \
    __asm__ volatile("vxor 0,0,0\n\tmtvscr 0\n\tmtcrf 0xff,%3\n\tlvx 1,0,%4\n\tlvx 2,0,%5\n\tlvx 3,0,%6\n\t"     \
                     insn "\n\tstvx 0,0,%1\n\tmfvscr 0\n\tstvx 0,0,%2\n\tmfcr %0"                           \
                     : "=&r"(cr)                                                                           \
                     : "b"(&result), "b"(&vscr), "r"(0ul), "b"(a), "b"(b), "b"(c)                          \
                     : "v0", "v1", "v2", "v3", "cr0", "cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7",      \
                       "memory");                                                                          \
    (out)[0] = result.dw[0];                                                                               \
    (out)[1] = result.dw[1];                                                                               \
    (out)[2] = vscr.dw[0] | vscr.dw[1];                                                                    \
    (out)[3] = (cr >> 4) & 0xf;                                                                            \
  } while (0)

/* The third operand walks the table too, shifted against the others. */
#define BINARY(insn) BINARY_AS(insn, insn)
#define BINARY_AS(name, insn)                                                                              \
  for (int i = 0; i < VECTOR_COUNT; ++i)                                                                   \
    for (int j = 0; j < VECTOR_COUNT; ++j) {                                                               \
      uint64_t out[4];                                                                                     \
      RUN(insn, &vectors[i], &vectors[j], &vectors[(i + 2 * j + 1) % VECTOR_COUNT], out);                  \
      report_case(name, i, j, 4, out);                                                                     \
    }

#define UNARY(insn)                                                                                        \
  for (int i = 0; i < VECTOR_COUNT; ++i) {                                                                 \
    uint64_t out[4];                                                                                       \
    RUN(insn, &vectors[i], &vectors[i], &vectors[i], out);                                                 \
    report_case(insn, i, -1, 4, out);                                                                      \
  }

static void integer_arithmetic(void) {
  BINARY("vaddubm 0,1,2");
  BINARY("vadduhm 0,1,2");
  BINARY("vadduwm 0,1,2");
  BINARY("vaddudm 0,1,2");
  BINARY("vaddcuw 0,1,2");
  BINARY("vaddubs 0,1,2");
  BINARY("vaddsbs 0,1,2");
  BINARY("vadduhs 0,1,2");
  BINARY("vaddshs 0,1,2");
  BINARY("vadduws 0,1,2");
  BINARY("vaddsws 0,1,2");
  BINARY("vsububm 0,1,2");
  BINARY("vsubudm 0,1,2");
  BINARY("vsubcuw 0,1,2");
  BINARY("vsububs 0,1,2");
  BINARY("vsubshs 0,1,2");
  BINARY("vsubuws 0,1,2");
  BINARY("vsubsws 0,1,2");
  BINARY("vadduqm 0,1,2");
  BINARY("vaddeuqm 0,1,2,3");
  BINARY("vsubcuq 0,1,2");
  BINARY("vminub 0,1,2");
  BINARY("vminsh 0,1,2");
  BINARY("vminuw 0,1,2");
  BINARY("vminsd 0,1,2");
  BINARY("vmaxsb 0,1,2");
  BINARY("vmaxuh 0,1,2");
  BINARY("vmaxsw 0,1,2");
  BINARY("vmaxud 0,1,2");
  BINARY("vavgub 0,1,2");
  BINARY("vavgsh 0,1,2");
  BINARY("vavgsw 0,1,2");
  BINARY("vavguw 0,1,2");
}

static void shifts_multiplies(void) {
  BINARY("vslb 0,1,2");
  BINARY("vsrh 0,1,2");
  BINARY("vsraw 0,1,2");
  BINARY("vsld 0,1,2");
  BINARY("vsrad 0,1,2");
  BINARY("vrlb 0,1,2");
  BINARY("vrlw 0,1,2");
  BINARY("vrld 0,1,2");
  /* vsl needs the same shift count in every byte. */
  BINARY_AS("vsl 0,1,splat(3)", "vspltb 3,3,15\n\tvsl 0,1,3");
  BINARY("vsro 0,1,2");
  BINARY("vslo 0,1,2");
  BINARY("vmuleub 0,1,2");
  BINARY("vmulosb 0,1,2");
  BINARY("vmuleuh 0,1,2");
  BINARY("vmulosh 0,1,2");
  BINARY("vmulesw 0,1,2");
  BINARY("vmulouw 0,1,2");
  BINARY("vmuluwm 0,1,2");
  BINARY("vmhaddshs 0,1,2,3");
  BINARY("vmhraddshs 0,1,2,3");
  BINARY("vmladduhm 0,1,2,3");
  BINARY("vmsumubm 0,1,2,3");
  BINARY("vmsummbm 0,1,2,3");
  BINARY("vmsumuhs 0,1,2,3");
  BINARY("vmsumshs 0,1,2,3");
  BINARY("vmsumshm 0,1,2,3");
  BINARY("vsumsws 0,1,2");
  BINARY("vsum2sws 0,1,2");
  BINARY("vsum4ubs 0,1,2");
  BINARY("vsum4sbs 0,1,2");
  BINARY("vsum4shs 0,1,2");
}

static void compares(void) {
  BINARY("vcmpequb. 0,1,2");
  BINARY("vcmpequh 0,1,2");
  BINARY("vcmpequw. 0,1,2");
  BINARY("vcmpequd. 0,1,2");
  BINARY("vcmpgtsb. 0,1,2");
  BINARY("vcmpgtuh. 0,1,2");
  BINARY("vcmpgtsw. 0,1,2");
  BINARY("vcmpgtud. 0,1,2");
  BINARY("vcmpeqfp. 0,1,2");
  BINARY("vcmpgefp. 0,1,2");
  BINARY("vcmpgtfp. 0,1,2");
  BINARY("vcmpbfp. 0,1,2");
}

static void permutes(void) {
  BINARY("vperm 0,1,2,3");
  BINARY("vsel 0,1,2,3");
  BINARY("vsldoi 0,1,2,5");
  BINARY("vsldoi 0,1,2,12");
  BINARY("vmrghb 0,1,2");
  BINARY("vmrglh 0,1,2");
  BINARY("vmrghw 0,1,2");
  BINARY("vmrglw 0,1,2");
  BINARY("vmrgew 0,1,2");
  BINARY("vmrgow 0,1,2");
  BINARY("vpkpx 0,1,2");
  BINARY("vpkuhum 0,1,2");
  BINARY("vpkuwus 0,1,2");
  BINARY("vpkshss 0,1,2");
  BINARY("vpkswus 0,1,2");
  BINARY("vpksdss 0,1,2");
  BINARY("vpkudum 0,1,2");
  BINARY("vand 0,1,2");
  BINARY("vandc 0,1,2");
  BINARY("vnor 0,1,2");
  BINARY("vorc 0,1,2");
  BINARY("vnand 0,1,2");
  BINARY("veqv 0,1,2");
  BINARY("vbpermq 0,1,2");
  UNARY("vspltb 0,1,3");
  UNARY("vsplth 0,1,7");
  UNARY("vspltw 0,1,2");
  UNARY("vspltisb 0,-7");
  UNARY("vspltish 0,15");
  UNARY("vspltisw 0,-16");
  UNARY("vupkhpx 0,1");
  UNARY("vupklpx 0,1");
  UNARY("vupkhsb 0,1");
  UNARY("vupklsb 0,1");
  UNARY("vupkhsh 0,1");
  UNARY("vupklsw 0,1");
  UNARY("vclzb 0,1");
  UNARY("vclzh 0,1");
  UNARY("vclzw 0,1");
  UNARY("vclzd 0,1");
  UNARY("vpopcntb 0,1");
  UNARY("vpopcnth 0,1");
  UNARY("vpopcntw 0,1");
  UNARY("vpopcntd 0,1");
  UNARY("vgbbd 0,1");
}

/* Float operations use round to nearest and, with NJ = 0, IEEE denormals.
 * The estimates (vrefp, vrsqrtefp, vexptefp, vlogefp) are only defined to
 * within an error bound, so they are not printed. */
static void floats(void) {
  BINARY("vaddfp 0,1,2");
  BINARY("vsubfp 0,1,2");
  BINARY("vmaddfp 0,1,2,3");
  BINARY("vnmsubfp 0,1,2,3");
  BINARY("vmaxfp 0,1,2");
  BINARY("vminfp 0,1,2");
  UNARY("vrfin 0,1");
  UNARY("vrfiz 0,1");
  UNARY("vrfip 0,1");
  UNARY("vrfim 0,1");
  UNARY("vcfux 0,1,0");
  UNARY("vcfux 0,1,31");
  UNARY("vcfsx 0,1,3");
  UNARY("vctuxs 0,1,0");
  UNARY("vctsxs 0,1,0");
  UNARY("vctsxs 0,1,4");
}

static uint8_t buffer[64] __attribute__((aligned(16)));

/* The loads and stores at each alignment. lvebx, lvehx and lvewx leave
 * the other elements undefined: only the loaded element is printed (in a
 * little-endian guest it lands at the address's byte offset within the
 * stored vector). */
static void loads_stores(void) {
  for (int i = 0; i < 64; ++i) buffer[i] = (uint8_t)(0xa0 + i);
  for (int offset = 0; offset < 16; ++offset) {
    const uint8_t *address = buffer + 16 + offset;
    vec loaded, left, right, elements[3];
    __asm__ volatile("lvx 0,0,%4\n\tstvx 0,0,%0\n\tlvsl 1,0,%4\n\tstvx 1,0,%1\n\tlvsr 2,0,%4\n\tstvx 2,0,%2\n\t"
                     "lvebx 3,0,%4\n\tstvx 3,0,%3\n\tlvehx 3,0,%4\n\tstvx 3,%5,%3\n\tlvewx 3,0,%4\n\tstvx 3,%6,%3"
                     :
                     : "b"(&loaded), "b"(&left), "b"(&right), "b"(elements), "b"(address), "b"(16ul), "b"(32ul)
                     : "v0", "v1", "v2", "v3", "memory");
    const uint8_t *bytes = (const uint8_t *)elements;
    uint64_t out[8] = {loaded.dw[0], loaded.dw[1], left.dw[0], left.dw[1], right.dw[0], right.dw[1], 0, 0};
    out[6] = bytes[offset];
    const int half = offset & ~1, word = offset & ~3;
    out[6] |= (uint64_t)(bytes[16 + half] | bytes[17 + half] << 8) << 8;
    out[7] = (uint64_t)bytes[32 + word] | (uint64_t)bytes[33 + word] << 8 | (uint64_t)bytes[34 + word] << 16 |
             (uint64_t)bytes[35 + word] << 24;
    report_case("lvx/lvsl/lvsr/lve*x", offset, -1, 8, out);
  }
  for (int offset = 0; offset < 16; ++offset) {
    for (int i = 0; i < 64; ++i) buffer[i] = 0;
    __asm__ volatile("lvx 0,0,%0\n\tstvx 0,0,%1\n\tstvebx 0,0,%2\n\tstvehx 0,%4,%2\n\tstvewx 0,%5,%2"
                     :
                     : "b"(&vectors[7]), "b"(buffer + 48), "b"(buffer + offset),
                       "b"(buffer), "b"(16ul), "b"(32ul)
                     : "v0", "memory");
    uint64_t out[8];
    for (int i = 0; i < 8; ++i) {
      out[i] = 0;
      for (int k = 7; k >= 0; --k) out[i] = out[i] << 8 | buffer[8 * i + k];
    }
    report_case("stvx/stve*x", offset, -1, 8, out);
  }
}

/* SAT is sticky: a saturating instruction leaves it set, mtvscr clears it,
 * and mfvscr reads it. */
static void vscr(void) {
  vec out[3];
  __asm__ volatile("vspltisb 1,-1\n\tvxor 0,0,0\n\tmtvscr 0\n\tvaddubs 2,1,1\n\tmfvscr 3\n\tstvx 3,0,%0\n\t"
                   "vaddubm 2,0,0\n\tmfvscr 3\n\tstvx 3,%1,%0\n\tmtvscr 0\n\tmfvscr 3\n\tstvx 3,%2,%0"
                   :
                   : "b"(out), "b"(16ul), "b"(32ul)
                   : "v0", "v1", "v2", "v3", "memory");
  uint64_t line[3] = {out[0].dw[0] | out[0].dw[1], out[1].dw[0] | out[1].dw[1], out[2].dw[0] | out[2].dw[1]};
  report_case("vscr", -1, -1, 3, line);
}

void guest_main(const void *fdt) {
  if (report_begin(fdt, "vmx") != 0) return;
  integer_arithmetic();
  shifts_multiplies();
  compares();
  permutes();
  floats();
  loads_stores();
  vscr();
  report_end();
}
