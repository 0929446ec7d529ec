/* Fixed-point correctness guest: arithmetic with CA/OV/SO and the record
 * forms, multiply and divide (overflow and division by zero included),
 * logical and shift, rotate-and-mask, count and population, cmpb, bpermd,
 * isel and the compares. Each case prints the result, XER and CR, entered
 * with a known XER and CR = 0. */
#include "report.h"

static const uint64_t values[] = {
    0,
    1,
    0xffffffffffffffff,
    0x7fffffffffffffff,
    0x8000000000000000,
    0x7fffffff,
    0x80000000,
    0xffffffff,
    0x123456789abcdef0,
    0xfedcba9876543210,
};
#define VALUE_COUNT (int)(sizeof(values) / sizeof(values[0]))

#define XER_SO (1ul << 31)
#define XER_CA (1ul << 29)

/* rD = insn(rA, rB) with XER = xer_in; records result, XER and CR. */
#define BINARY(insn, xer_in)                                                                               \
  for (int i = 0; i < VALUE_COUNT; ++i)                                                                    \
    for (int j = 0; j < VALUE_COUNT; ++j) {                                                                \
      uint64_t out[3];                                                                                     \
      __asm__ volatile("mtxer %4\n\tmtcrf 0xff,%5\n\t" insn " %0,%3,%6\n\tmfxer %1\n\tmfcr %2"            \
                       : "=&r"(out[0]), "=&r"(out[1]), "=&r"(out[2])                                       \
                       : "r"(values[i]), "r"((uint64_t)(xer_in)), "r"(0ul), "r"(values[j])                 \
                       : "cr0", "cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7", "xer");                   \
      report_case(insn, i, j, 3, out);                                                                     \
    }

/* rD = insn(rA) */
#define UNARY(insn, xer_in)                                                                                \
  for (int i = 0; i < VALUE_COUNT; ++i) {                                                                  \
    uint64_t out[3];                                                                                       \
    __asm__ volatile("mtxer %4\n\tmtcrf 0xff,%5\n\t" insn " %0,%3\n\tmfxer %1\n\tmfcr %2"                 \
                     : "=&r"(out[0]), "=&r"(out[1]), "=&r"(out[2])                                         \
                     : "r"(values[i]), "r"((uint64_t)(xer_in)), "r"(0ul)                                   \
                     : "cr0", "cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7", "xer");                     \
    report_case(insn, i, -1, 3, out);                                                                      \
  }

/* rA = insn(rS, operands...) where rA is also an input (rlwimi, rldimi). */
#define INSERT(insn)                                                                                       \
  for (int i = 0; i < VALUE_COUNT; ++i) {                                                                  \
    uint64_t out[3];                                                                                       \
    out[0] = values[(i + 3) % VALUE_COUNT];                                                                \
    __asm__ volatile("mtcrf 0xff,%3\n\t" insn "\n\tmfxer %1\n\tmfcr %2"                                   \
                     : "+&r"(out[0]), "=&r"(out[1]), "=&r"(out[2])                                         \
                     : "r"(0ul), "r"(values[i])                                                            \
                     : "cr0", "cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7", "xer");                     \
    report_case(insn, i, -1, 3, out);                                                                      \
  }

static void arithmetic(void) {
  BINARY("add", 0);
  BINARY("add.", XER_SO);
  BINARY("addo", 0);
  BINARY("addo.", XER_SO);
  BINARY("addc", 0);
  BINARY("addco.", 0);
  BINARY("adde", 0);
  BINARY("adde", XER_CA);
  BINARY("addeo.", XER_CA);
  BINARY("subf", 0);
  BINARY("subfo.", 0);
  BINARY("subfc", 0);
  BINARY("subfco.", 0);
  BINARY("subfe", 0);
  BINARY("subfeo.", XER_CA);
  UNARY("neg", 0);
  UNARY("nego.", 0);
  UNARY("addme", 0);
  UNARY("addmeo.", XER_CA);
  UNARY("addze", XER_CA);
  UNARY("addzeo.", XER_CA);
  UNARY("subfme", 0);
  UNARY("subfmeo.", XER_CA);
  UNARY("subfze", 0);
  UNARY("subfzeo.", XER_CA);
}

/* The instructions take an immediate after the register operands. */
#define UNARY_IMM(insn, imm, xer_in)                                                                       \
  for (int i = 0; i < VALUE_COUNT; ++i) {                                                                  \
    uint64_t out[3];                                                                                       \
    __asm__ volatile("mtxer %4\n\tmtcrf 0xff,%5\n\t" insn " %0,%3," #imm "\n\tmfxer %1\n\tmfcr %2"        \
                     : "=&r"(out[0]), "=&r"(out[1]), "=&r"(out[2])                                         \
                     : "r"(values[i]), "r"((uint64_t)(xer_in)), "r"(0ul)                                   \
                     : "cr0", "cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7", "xer");                     \
    report_case(insn " " #imm, i, -1, 3, out);                                                             \
  }

static void immediates(void) {
  UNARY_IMM("addic", 1, 0);
  UNARY_IMM("addic", -1, 0);
  UNARY_IMM("addic.", -0x8000, 0);
  UNARY_IMM("subfic", 0, 0);
  UNARY_IMM("subfic", -1, 0);
  UNARY_IMM("mulli", -3, 0);
  UNARY_IMM("mulli", 0x7fff, 0);
  UNARY_IMM("andi.", 0x8001, XER_SO);
  UNARY_IMM("andis.", 0x8001, 0);
  UNARY_IMM("ori", 0xffff, 0);
  UNARY_IMM("oris", 0x8000, 0);
  UNARY_IMM("xori", 0x5555, 0);
  UNARY_IMM("xoris", 0xaaaa, 0);
  UNARY_IMM("srawi", 0, 0);
  UNARY_IMM("srawi", 4, 0);
  UNARY_IMM("srawi.", 31, XER_CA);
  UNARY_IMM("sradi", 0, 0);
  UNARY_IMM("sradi", 1, 0);
  UNARY_IMM("sradi.", 63, 0);
  UNARY_IMM("sradi", 35, 0);
}

static void multiply(void) {
  BINARY("mullw", 0);
  BINARY("mullwo.", 0);
  BINARY("mulld", 0);
  BINARY("mulldo.", 0);
  BINARY("mulhd", 0);
  BINARY("mulhdu.", 0);
}

/* The ISA leaves the upper word of mulhw and mulhwu undefined. */
#define BINARY_LOW_WORD(insn)                                                                              \
  for (int i = 0; i < VALUE_COUNT; ++i)                                                                    \
    for (int j = 0; j < VALUE_COUNT; ++j) {                                                                \
      uint64_t out[3];                                                                                     \
      __asm__ volatile("mtxer %4\n\tmtcrf 0xff,%4\n\t" insn " %0,%3,%5\n\tmfxer %1\n\tmfcr %2"            \
                       : "=&r"(out[0]), "=&r"(out[1]), "=&r"(out[2])                                       \
                       : "r"(values[i]), "r"(0ul), "r"(values[j])                                          \
                       : "cr0", "cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7", "xer");                   \
      out[0] &= 0xffffffff;                                                                                \
      report_case(insn, i, j, 3, out);                                                                     \
    }

enum divide_kind { WORD, WORD_UNSIGNED, WORD_EXTENDED, WORD_EXTENDED_UNSIGNED, DOUBLE, DOUBLE_UNSIGNED,
                   DOUBLE_EXTENDED, DOUBLE_EXTENDED_UNSIGNED };

static uint64_t magnitude(int64_t value) { return value < 0 ? -(uint64_t)value : (uint64_t)value; }

/* Whether the quotient does not fit (or the divisor is 0): the ISA then
 * leaves the result and CR0's LT, GT and EQ undefined, only OV is set. */
static int divide_overflows(enum divide_kind kind, uint64_t a, uint64_t b) {
  const int32_t wa = (int32_t)a, wb = (int32_t)b;
  const uint32_t ua = (uint32_t)a, ub = (uint32_t)b;
  switch (kind) {
  case WORD: return wb == 0 || (wa == INT32_MIN && wb == -1);
  case WORD_UNSIGNED: return ub == 0;
  case WORD_EXTENDED: {
    if (wb == 0) return 1;
    if (wa == INT32_MIN && wb == -1) return 1;
    const int64_t quotient = (int64_t)((uint64_t)(int64_t)wa << 32) / wb;
    return quotient != (int32_t)quotient;
  }
  case WORD_EXTENDED_UNSIGNED: return ub == 0 || ua >= ub;
  case DOUBLE: return b == 0 || (a == (uint64_t)INT64_MIN && b == (uint64_t)-1);
  case DOUBLE_UNSIGNED: return b == 0;
  case DOUBLE_EXTENDED: {
    /* |a| * 2^64 / |b| must stay below 2^63, or reach it when negative. */
    if (b == 0) return 1;
    if (a == 0) return 0;
    const uint64_t ma = magnitude((int64_t)a), mb = magnitude((int64_t)b);
    const int negative = ((int64_t)a < 0) != ((int64_t)b < 0);
    return negative ? ma > mb / 2 : ma > (mb - 1) / 2;
  }
  case DOUBLE_EXTENDED_UNSIGNED: return b == 0 || a >= b;
  }
  return 1;
}

/* QEMU 7.2 (Debian 12's, which records the expectations) misses the
 * overflow of divde[o] when the divisor is nonzero: those cases are left
 * out here and covered by tests/unit/interp/insn_integer_test.cpp. */
static int expectation_unknown(enum divide_kind kind, uint64_t a, uint64_t b) {
  return kind == DOUBLE_EXTENDED && b != 0 && divide_overflows(kind, a, b);
}

/* An undefined result prints as "0xbad" and CR0 as SO only. The word
 * forms leave CR0's LT, GT and EQ undefined in any case (they compare the
 * 64-bit register, whose upper word is undefined). */
#define DIVIDE(insn, kind)                                                                                 \
  for (int i = 0; i < VALUE_COUNT; ++i)                                                                    \
    for (int j = 0; j < VALUE_COUNT; ++j) {                                                                \
      uint64_t out[3];                                                                                     \
      __asm__ volatile("mtxer %4\n\tmtcrf 0xff,%4\n\t" insn " %0,%3,%5\n\tmfxer %1\n\tmfcr %2"            \
                       : "=&r"(out[0]), "=&r"(out[1]), "=&r"(out[2])                                       \
                       : "r"(values[i]), "r"(0ul), "r"(values[j])                                          \
                       : "cr0", "cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7", "xer");                   \
      if (expectation_unknown(kind, values[i], values[j])) continue;                                       \
      if (kind <= WORD_EXTENDED_UNSIGNED) {                                                                \
        out[0] &= 0xffffffff;                                                                              \
        out[2] &= 0x1fffffff;                                                                              \
      }                                                                                                    \
      if (divide_overflows(kind, values[i], values[j])) {                                                  \
        out[0] = 0xbad;                                                                                    \
        out[2] &= 0x1fffffff;                                                                              \
      }                                                                                                    \
      report_case(insn, i, j, 3, out);                                                                     \
    }

static void divide(void) {
  BINARY_LOW_WORD("mulhw");
  BINARY_LOW_WORD("mulhwu");
  DIVIDE("divw", WORD);
  DIVIDE("divwo.", WORD);
  DIVIDE("divwu", WORD_UNSIGNED);
  DIVIDE("divwuo.", WORD_UNSIGNED);
  DIVIDE("divwe", WORD_EXTENDED);
  DIVIDE("divweo.", WORD_EXTENDED);
  DIVIDE("divweu", WORD_EXTENDED_UNSIGNED);
  DIVIDE("divweuo.", WORD_EXTENDED_UNSIGNED);
  DIVIDE("divd", DOUBLE);
  DIVIDE("divdo.", DOUBLE);
  DIVIDE("divdu", DOUBLE_UNSIGNED);
  DIVIDE("divduo.", DOUBLE_UNSIGNED);
  DIVIDE("divde", DOUBLE_EXTENDED);
  DIVIDE("divdeo.", DOUBLE_EXTENDED);
  DIVIDE("divdeu", DOUBLE_EXTENDED_UNSIGNED);
  DIVIDE("divdeuo.", DOUBLE_EXTENDED_UNSIGNED);
}

static void logical_shift(void) {
  BINARY("and.", 0);
  BINARY("andc", 0);
  BINARY("or.", 0);
  BINARY("orc", 0);
  BINARY("xor.", 0);
  BINARY("nand", 0);
  BINARY("nor.", 0);
  BINARY("eqv", 0);
  BINARY("slw.", 0);
  BINARY("srw", 0);
  BINARY("sraw.", 0);
  BINARY("sld.", 0);
  BINARY("srd", 0);
  BINARY("srad.", 0);
  BINARY("cmpb", 0);
  BINARY("bpermd", 0);
  BINARY("rotlw", 0);
  BINARY("rotld.", 0);
  UNARY("extsb.", 0);
  UNARY("extsh", 0);
  UNARY("extsw.", 0);
  UNARY("cntlzw.", 0);
  UNARY("cntlzd", 0);
  UNARY("popcntb", 0);
  UNARY("popcntw", 0);
  UNARY("popcntd", 0);
  UNARY("prtyw", 0);
  UNARY("prtyd", 0);
}

/* A whole instruction: result in %0, source in %3. */
#define SHAPED(insn)                                                                                       \
  for (int i = 0; i < VALUE_COUNT; ++i) {                                                                  \
    uint64_t out[3];                                                                                       \
    __asm__ volatile("mtxer %4\n\tmtcrf 0xff,%4\n\t" insn "\n\tmfxer %1\n\tmfcr %2"                     \
                     : "=&r"(out[0]), "=&r"(out[1]), "=&r"(out[2])                                         \
                     : "r"(values[i]), "r"(0ul)                                                            \
                     : "cr0", "cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7", "xer");                     \
    report_case(insn, i, -1, 3, out);                                                                      \
  }

static void rotates(void) {
  SHAPED("rlwinm. %0,%3,0,0,31");
  SHAPED("rlwinm %0,%3,5,3,28");
  SHAPED("rlwinm %0,%3,12,28,3");
  SHAPED("rldicl. %0,%3,8,4");
  SHAPED("rldicr %0,%3,60,39");
  SHAPED("rldic %0,%3,17,9");
  SHAPED("rldic %0,%3,50,40");
  SHAPED("rlwnm %0,%3,%3,5,20");
  SHAPED("rldcr %0,%3,%3,31");
  INSERT("rlwimi %0,%4,7,9,20");
  INSERT("rlwimi. %0,%4,24,30,2");
  INSERT("rldimi %0,%4,12,16");
  INSERT("rldimi. %0,%4,56,60");
}

/* CR field 0..7 results of the compares, each into a different field. */
static void compares(void) {
  for (int i = 0; i < VALUE_COUNT; ++i)
    for (int j = 0; j < VALUE_COUNT; ++j) {
      uint64_t out[1];
      __asm__ volatile("mtxer %2\n\tmtcrf 0xff,%3\n\t"
                       "cmpd cr0,%1,%4\n\tcmpw cr1,%1,%4\n\tcmpld cr2,%1,%4\n\tcmplw cr3,%1,%4\n\t"
                       "cmpdi cr4,%1,-1\n\tcmplwi cr5,%1,0x8000\n\tcmpwi cr6,%1,0\n\tcmpldi cr7,%1,1\n\t"
                       "mfcr %0"
                       : "=&r"(out[0])
                       : "r"(values[i]), "r"(XER_SO), "r"(0ul), "r"(values[j])
                       : "cr0", "cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7", "xer");
      report_case("compares", i, j, 1, out);
    }
}

/* isel over every CR bit, and the CR logical instructions. */
static void cr_logic(void) {
  const uint64_t crs[] = {0x12345678, 0x87654321, 0xffffffff};
  for (int i = 0; i < 3; ++i) {
    uint64_t out[8];
    __asm__ volatile("mtcrf 0xff,%8\n\t"
                     "isel %0,%9,%10,2\n\tisel %1,%9,%10,13\n\tisel %2,%9,%10,31\n\tisel %3,0,%10,4\n\t"
                     "crand 0,1,2\n\tcrnor 5,6,7\n\tcrxor 9,10,11\n\tcreqv 12,13,14\n\t"
                     "crandc 16,17,18\n\tcrorc 20,21,22\n\tcrnand 24,25,26\n\tcror 28,29,30\n\tmfcr %4\n\t"
                     "mcrf cr7,cr0\n\tmcrf cr1,cr6\n\tmfcr %5\n\t"
                     "mtocrf 0x20,%9\n\tmfocrf %6,0x20\n\tmtcrf 0x81,%10\n\tmfcr %7"
                     : "=&r"(out[0]), "=&r"(out[1]), "=&r"(out[2]), "=&r"(out[3]), "=&r"(out[4]), "=&r"(out[5]),
                       "=&r"(out[6]), "=&r"(out[7])
                     : "r"(crs[i]), "r"(0x1111ul), "r"(0x2222ul)
                     : "cr0", "cr1", "cr2", "cr3", "cr4", "cr5", "cr6", "cr7");
    report_case("isel/crlogic", i, -1, 8, out);
  }
}

void guest_main(const void *fdt) {
  if (report_begin(fdt, "fixed-point") != 0) return;
  arithmetic();
  immediates();
  multiply();
  divide();
  logical_shift();
  rotates();
  compares();
  cr_logic();
  report_end();
}
