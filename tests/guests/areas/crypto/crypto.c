/* Vector crypto correctness guest (ISA 2.07B Book I chapter 6, "Vector
 * Exclusive-OR-based Instructions"): the AES round steps, the SHA-2 sigma
 * functions for every ST/SIX, the carry-less multiply-sums and vpermxor,
 * over a table of inputs that includes FIPS-197 Appendix C.1's states and
 * round keys. QEMU 7.2 implements all of them as the ISA says, so nothing
 * is left out. Vectors print as their two doublewords in memory order: the
 * low half first, as this guest is little-endian. */
#include "report.h"

typedef struct {
  uint64_t dw[2];
} __attribute__((aligned(16))) vec;

/* A register value as the ISA writes it, element 0 (the first AES state
 * byte) leftmost: in this little-endian guest, lvx puts the doubleword at
 * the higher address in the register's high half. */
#define Q(high, low) {{(low), (high)}}

static const vec vectors[] = {
    Q(0, 0),
    Q(0xffffffffffffffff, 0xffffffffffffffff),
    Q(0x0001020304050607, 0x08090a0b0c0d0e0f),
    Q(0x7e00c040ff01807f, 0xf010aa5502fe3f81),
    Q(0x0123456789abcdef, 0xfedcba9876543210),
    /* FIPS-197 C.1: round[1].start and round[1].k_sch. */
    Q(0x0010203040506070, 0x8090a0b0c0d0e0f0),
    Q(0xd6aa74fdd2af72fa, 0xdaa678f1d6ab76fe),
    /* The SHA-256 initial hash value words (FIPS-180-4 5.3.3). */
    Q(0x6a09e667bb67ae85, 0x3c6ef372a54ff53a),
    Q(0x8000000180000001, 0x0000000100000003),
};
#define VECTOR_COUNT (int)(sizeof(vectors) / sizeof(vectors[0]))

/* v0 = insn(v1, v2, v3); out = v0's doublewords. */
#define RUN(insn, a, b, c, out)                                                                            \
  do {                                                                                                     \
    vec result;                                                                                            \
    __asm__ volatile("lvx 1,0,%1\n\tlvx 2,0,%2\n\tlvx 3,0,%3\n\t" insn "\n\tstvx 0,0,%0"                    \
                     :                                                                                     \
                     : "b"(&result), "b"(a), "b"(b), "b"(c)                                                \
                     : "v0", "v1", "v2", "v3", "memory");                                                  \
    (out)[0] = result.dw[0];                                                                               \
    (out)[1] = result.dw[1];                                                                               \
  } while (0)

#define BINARY(insn)                                                                                       \
  for (int i = 0; i < VECTOR_COUNT; ++i)                                                                   \
    for (int j = 0; j < VECTOR_COUNT; ++j) {                                                               \
      uint64_t out[2];                                                                                     \
      RUN(insn, &vectors[i], &vectors[j], &vectors[(i + 2 * j + 1) % VECTOR_COUNT], out);                  \
      report_case(insn, i, j, 2, out);                                                                     \
    }

#define UNARY(insn)                                                                                        \
  for (int i = 0; i < VECTOR_COUNT; ++i) {                                                                 \
    uint64_t out[2];                                                                                       \
    RUN(insn, &vectors[i], &vectors[i], &vectors[i], out);                                                 \
    report_case(insn, i, -1, 2, out);                                                                      \
  }

static void aes(void) {
  BINARY("vcipher 0,1,2");
  BINARY("vcipherlast 0,1,2");
  BINARY("vncipher 0,1,2");
  BINARY("vncipherlast 0,1,2");
  UNARY("vsbox 0,1");
}

/* ST (0 or 1) and the four SIX bits, one element each. */
static void sha(void) {
  UNARY("vshasigmaw 0,1,0,0");
  UNARY("vshasigmaw 0,1,0,15");
  UNARY("vshasigmaw 0,1,0,5");
  UNARY("vshasigmaw 0,1,1,0");
  UNARY("vshasigmaw 0,1,1,15");
  UNARY("vshasigmaw 0,1,1,10");
  UNARY("vshasigmad 0,1,0,0");
  UNARY("vshasigmad 0,1,0,15");
  UNARY("vshasigmad 0,1,0,8");
  UNARY("vshasigmad 0,1,0,7");
  UNARY("vshasigmad 0,1,1,0");
  UNARY("vshasigmad 0,1,1,15");
  UNARY("vshasigmad 0,1,1,2");
}

static void carry_less(void) {
  BINARY("vpmsumb 0,1,2");
  BINARY("vpmsumh 0,1,2");
  BINARY("vpmsumw 0,1,2");
  BINARY("vpmsumd 0,1,2");
  BINARY("vpermxor 0,1,2,3");
}

/* A whole AES-128 encryption and decryption of FIPS-197 C.1 with its round
 * keys (round[r].k_sch): the ciphertext must be
 * 69c4e0d86a7b0430d8cdb78070b4c55a and the plaintext must come back. One
 * asm statement, so that the state stays in v0 throughout. */
static const vec round_keys[11] = {
    Q(0x0001020304050607, 0x08090a0b0c0d0e0f), Q(0xd6aa74fdd2af72fa, 0xdaa678f1d6ab76fe),
    Q(0xb692cf0b643dbdf1, 0xbe9bc5006830b3fe), Q(0xb6ff744ed2c2c9bf, 0x6c590cbf0469bf41),
    Q(0x47f7f7bc95353e03, 0xf96c32bcfd058dfd), Q(0x3caaa3e8a99f9deb, 0x50f3af57adf622aa),
    Q(0x5e390f7df7a69296, 0xa7553dc10aa31f6b), Q(0x14f9701ae35fe28c, 0x440adf4d4ea9c026),
    Q(0x47438735a41c65b9, 0xe016baf4aebf7ad2), Q(0x549932d1f0855768, 0x1093ed9cbe2c974e),
    Q(0x13111d7fe3944a17, 0xf307a78b4d2b30c5),
};
static const vec plaintext = Q(0x0011223344556677, 0x8899aabbccddeeff);

static void whole_cipher(void) {
  vec encrypted, decrypted;
  __asm__ volatile(
      "lvx 0,0,%2\n\t"
      "li 9,0\n\t lvx 1,9,%3\n\t li 9,16\n\t lvx 2,9,%3\n\t li 9,32\n\t lvx 3,9,%3\n\t"
      "li 9,48\n\t lvx 4,9,%3\n\t li 9,64\n\t lvx 5,9,%3\n\t li 9,80\n\t lvx 6,9,%3\n\t"
      "li 9,96\n\t lvx 7,9,%3\n\t li 9,112\n\t lvx 8,9,%3\n\t li 9,128\n\t lvx 9,9,%3\n\t"
      "li 9,144\n\t lvx 10,9,%3\n\t li 9,160\n\t lvx 11,9,%3\n\t"
      "vxor 0,0,1\n\t vcipher 0,0,2\n\t vcipher 0,0,3\n\t vcipher 0,0,4\n\t vcipher 0,0,5\n\t"
      "vcipher 0,0,6\n\t vcipher 0,0,7\n\t vcipher 0,0,8\n\t vcipher 0,0,9\n\t vcipher 0,0,10\n\t"
      "vcipherlast 0,0,11\n\t stvx 0,0,%0\n\t"
      "vxor 0,0,11\n\t vncipher 0,0,10\n\t vncipher 0,0,9\n\t vncipher 0,0,8\n\t vncipher 0,0,7\n\t"
      "vncipher 0,0,6\n\t vncipher 0,0,5\n\t vncipher 0,0,4\n\t vncipher 0,0,3\n\t vncipher 0,0,2\n\t"
      "vncipherlast 0,0,1\n\t stvx 0,0,%1"
      :
      : "b"(&encrypted), "b"(&decrypted), "b"(&plaintext), "b"(round_keys)
      : "r9", "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "memory");
  report_case("aes-128 encrypt", -1, -1, 2, encrypted.dw);
  report_case("aes-128 decrypt", -1, -1, 2, decrypted.dw);
}

void guest_main(const void *fdt) {
  if (report_begin(fdt, "crypto") != 0) return;
  aes();
  sha();
  carry_less();
  whole_cipher();
  report_end();
}
