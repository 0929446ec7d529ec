/* Load/store correctness guest: every width, sign extension, the update
 * and indexed forms, byte reversal, load-and-reserve / store-conditional
 * pairs (including a store-conditional that must fail) and dcbz. The
 * big-endian build also runs lmw/stmw and lswi/lswx, which a little-endian
 * CPU refuses with an alignment interrupt. Memory contents are printed as
 * the loads see them, so the big-endian expectation differs. */
#include "report.h"

static uint8_t buffer[256] __attribute__((aligned(128)));

static void fill(void) {
  for (int i = 0; i < (int)sizeof(buffer); ++i) buffer[i] = (uint8_t)(i * 0x1d + 0x80);
}

/* A load at buffer + offset: value, and for the update forms the new base
 * less the buffer's address. */
#define LOAD(insn, offset)                                                                                 \
  do {                                                                                                     \
    uint64_t out[1];                                                                                       \
    __asm__ volatile(insn " %0," #offset "(%1)" : "=r"(out[0]) : "b"(buffer) : "memory");                  \
    report_case(insn " " #offset, -1, -1, 1, out);                                                         \
  } while (0)
#define LOAD_UPDATE(insn, offset)                                                                          \
  do {                                                                                                     \
    uint64_t out[2];                                                                                       \
    uint8_t *base = buffer;                                                                                \
    __asm__ volatile(insn " %0," #offset "(%1)" : "=&r"(out[0]), "+b"(base) : : "memory");                 \
    out[1] = (uint64_t)(base - buffer);                                                                    \
    report_case(insn " " #offset, -1, -1, 2, out);                                                         \
  } while (0)
#define LOAD_INDEXED(insn, offset)                                                                         \
  do {                                                                                                     \
    uint64_t out[2];                                                                                       \
    uint8_t *base = buffer;                                                                                \
    __asm__ volatile(insn " %0,%1,%2" : "=&r"(out[0]), "+b"(base) : "r"((uint64_t)(offset)) : "memory");  \
    out[1] = (uint64_t)(base - buffer);                                                                    \
    report_case(insn " " #offset, -1, -1, 2, out);                                                         \
  } while (0)

static void loads(void) {
  fill();
  LOAD("lbz", 0);
  LOAD("lbz", 3);
  LOAD("lhz", 6);
  LOAD("lha", 6);
  LOAD("lha", 8);
  LOAD("lwz", 12);
  LOAD("lwa", 12);
  LOAD("lwa", 16);
  LOAD("ld", 24);
  LOAD("ld", 5 * 8);
  LOAD("lhz", 1);
  LOAD("lwz", 3);
  LOAD_INDEXED("ldx", 7);
  LOAD_INDEXED("ldx", 62);
  LOAD_UPDATE("lbzu", 9);
  LOAD_UPDATE("lhzu", 10);
  LOAD_UPDATE("lhau", 32);
  LOAD_UPDATE("lwzu", 36);
  LOAD_UPDATE("ldu", 40);
  LOAD_INDEXED("lbzx", 17);
  LOAD_INDEXED("lhzx", 18);
  LOAD_INDEXED("lhax", 20);
  LOAD_INDEXED("lwzx", 44);
  LOAD_INDEXED("lwax", 48);
  LOAD_INDEXED("ldx", 56);
  LOAD_INDEXED("lbzux", 33);
  LOAD_INDEXED("lhzux", 34);
  LOAD_INDEXED("lhaux", 66);
  LOAD_INDEXED("lwzux", 68);
  LOAD_INDEXED("lwaux", 72);
  LOAD_INDEXED("ldux", 80);
  LOAD_INDEXED("lhbrx", 90);
  LOAD_INDEXED("lwbrx", 92);
  LOAD_INDEXED("ldbrx", 96);
  LOAD_INDEXED("lwbrx", 101);
}

static void dump(const char *name, int from, int count) {
  for (int i = 0; i < count; ++i) {
    uint64_t value;
    __asm__ volatile("ld %0,0(%1)" : "=r"(value) : "b"(buffer + from + 8 * i) : "memory");
    report_case(name, from + 8 * i, -1, 1, &value);
  }
}

static void stores(void) {
  fill();
  const uint64_t value = 0x0123456789abcdef;
  uint8_t *base;
  __asm__ volatile("stb %0,0(%1)\n\tsth %0,2(%1)\n\tstw %0,4(%1)\n\tstd %0,8(%1)\n\t"
                   "sth %0,17(%1)\n\tstw %0,21(%1)"
                   :
                   : "r"(value), "b"(buffer)
                   : "memory");
  base = buffer + 40;
  __asm__ volatile("stbu %1,1(%0)\n\tsthu %1,1(%0)\n\tstwu %1,2(%0)\n\tstdu %1,4(%0)" : "+b"(base) : "r"(value) : "memory");
  uint64_t offset = (uint64_t)(base - buffer);
  report("stores: update base", offset);
  base = buffer;
  __asm__ volatile("stbx %1,%0,%2\n\tsthux %1,%0,%3\n\tstwux %1,%0,%3\n\tstdux %1,%0,%3\n\t"
                   "sthbrx %1,%0,%4\n\tstwbrx %1,%0,%5\n\tstdbrx %1,%0,%6"
                   : "+b"(base)
                   : "r"(value), "r"(64ul), "r"(66ul), "r"(10ul), "r"(12ul), "r"(16ul)
                   : "memory");
  report("stores: indexed update base", (uint64_t)(base - buffer));
  dump("stores", 0, 20);
}

/* CR0 after each store-conditional, with XER[SO] set so that CR0 shows it. */
static void reservations(void) {
  fill();
  uint64_t out[4];
  __asm__ volatile("lis %0,0x8000\n\tmtxer %0\n\t"
                   "lwarx %0,0,%4\n\taddi %0,%0,1\n\tstwcx. %0,0,%4\n\tmfcr %1\n\t"
                   "stwcx. %0,0,%4\n\tmfcr %2\n\t"
                   "ldarx %3,0,%5\n\taddi %3,%3,-1\n\tstdcx. %3,0,%5\n\tmfcr %3"
                   : "=&r"(out[0]), "=&r"(out[1]), "=&r"(out[2]), "=&r"(out[3])
                   : "b"(buffer + 128), "b"(buffer + 136)
                   : "cr0", "xer", "memory");
  report_case("lwarx/stwcx. then stwcx.", -1, -1, 4, out);
  __asm__ volatile("li %0,0\n\tmtxer %0\n\t"
                   "lbarx %0,0,%4\n\taddi %0,%0,1\n\tstbcx. %0,0,%4\n\tmfcr %1\n\t"
                   "lharx %2,0,%5\n\taddi %2,%2,3\n\tsthcx. %2,0,%5\n\tmfcr %3\n\t"
                   : "=&r"(out[0]), "=&r"(out[1]), "=&r"(out[2]), "=&r"(out[3])
                   : "b"(buffer + 145), "b"(buffer + 146)
                   : "cr0", "xer", "memory");
  report_case("lbarx/stbcx. lharx/sthcx.", -1, -1, 4, out);
  /* A reservation is lost to the first store-conditional, whichever its
   * address: the one after fails without storing. */
  __asm__ volatile("ldarx %0,0,%4\n\tstdcx. %0,0,%4\n\tmfcr %1\n\tli %2,7\n\tstdcx. %2,0,%5\n\tmfcr %2\n\t"
                   "ld %3,0(%5)"
                   : "=&r"(out[0]), "=&r"(out[1]), "=&r"(out[2]), "=&r"(out[3])
                   : "b"(buffer + 160), "b"(buffer + 168)
                   : "cr0", "memory");
  report_case("stdcx. without reservation", -1, -1, 4, out);
  dump("reservations", 128, 6);
}

static void zero_block(void) {
  fill();
  __asm__ volatile("dcbz %0,%1" : : "b"(buffer), "r"(128 + 40ul) : "memory");
  dump("dcbz", 120, 18);
}

#ifdef __BIG_ENDIAN__
static void multiple_and_string(void) {
  fill();
  uint64_t out[4];
  __asm__ volatile("lmw r28,4(%4)\n\tmr %0,r28\n\tmr %1,r29\n\tmr %2,r30\n\tmr %3,r31"
                   : "=&r"(out[0]), "=&r"(out[1]), "=&r"(out[2]), "=&r"(out[3])
                   : "b"(buffer)
                   : "r28", "r29", "r30", "r31", "memory");
  report_case("lmw", -1, -1, 4, out);
  __asm__ volatile("lswi r28,%4,7\n\tmr %0,r28\n\tmr %1,r29\n\t"
                   "li r0,11\n\tmtxer r0\n\tlswx r28,0,%5\n\tmr %2,r28\n\tmr %3,r30"
                   : "=&r"(out[0]), "=&r"(out[1]), "=&r"(out[2]), "=&r"(out[3])
                   : "b"(buffer + 9), "b"(buffer + 21)
                   : "r0", "r28", "r29", "r30", "r31", "xer", "memory");
  report_case("lswi/lswx", -1, -1, 4, out);
  __asm__ volatile("li r29,0x1234\n\tli r30,-2\n\tlis r31,0x7654\n\tstmw r29,4(%0)\n\t"
                   "li r0,6\n\tmtxer r0\n\tstswx r29,0,%1\n\tstswi r30,%2,5"
                   :
                   : "b"(buffer), "b"(buffer + 32), "b"(buffer + 48)
                   : "r0", "r29", "r30", "r31", "xer", "memory");
  dump("stmw/stswx/stswi", 0, 8);
}
#endif

void guest_main(const void *fdt) {
  if (report_begin(fdt, "load-store") != 0) return;
  loads();
  stores();
  reservations();
  zero_block();
#ifdef __BIG_ENDIAN__
  multiple_and_string();
#endif
  report_end();
}
