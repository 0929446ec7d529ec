// Vector crypto (insn_vmx_crypto.cpp): AES rounds against FIPS-197
// Appendix C.1, the SHA-2 sigma functions against FIPS-180-4, carry-less
// multiply-sum against polynomial identities. Every expected value comes
// from the standards or from a separate Python computation of their
// definitions (described at each constant), never from the interpreter.
#include <cstdint>
#include <string_view>

#include "cpu_fixture.hpp"
#include "insn_common.hpp"

namespace mosaic::interp::test {
namespace {

using namespace encode;
using u64 = std::uint64_t;
using u32 = std::uint32_t;

enum Vx : unsigned {
  kVcipher = 1288, kVcipherlast = 1289, kVncipher = 1352, kVncipherlast = 1353, kVsbox = 1480,
  kVshasigmaw = 1666, kVshasigmad = 1730, kVpmsumb = 1032, kVpmsumh = 1096, kVpmsumw = 1160, kVpmsumd = 1224,
};

constexpr u32 vx(unsigned xo, unsigned t, unsigned a, unsigned b) {
  return field(4, 5, 6) | field(t, 10, 5) | field(a, 15, 5) | field(b, 20, 5) | field(xo, 31, 11);
}
// vshasigma[wd] VRT,VRA,ST,SIX: ST in bit 16, SIX in bits 17:20.
constexpr u32 vshasigma(unsigned xo, unsigned t, unsigned a, unsigned st, unsigned six) {
  return vx(xo, t, a, (st << 4) | six);
}

// A register from 32 hex digits, element 0 (the first AES state byte) first.
constexpr Quadword hex(std::string_view digits) {
  Quadword value{};
  for (unsigned i = 0; i < 32; ++i) {
    const char c = digits[i];
    const u64 nibble = c <= '9' ? static_cast<u64>(c - '0') : static_cast<u64>(c - 'a' + 10);
    value[i / 16] |= nibble << (60 - 4 * (i % 16));
  }
  return value;
}

class VmxCryptoTest : public CpuFixture {
 protected:
  VmxCryptoTest() { cpu.set_msr(cpu.state.msr | msr_bit::kVector); }
  void run(u32 word) { ASSERT_EQ(execute(word), Flow::next); }
  Quadword& vr(unsigned i) { return cpu.state.vr[i]; }
};

// FIPS-197 Appendix C.1 (AES-128, key 000102...0f, plaintext 00112233...ff):
// round[1..10].k_sch and round[1..10].start of the cipher, and
// round[1..10].istart of the inverse cipher. Reproduced by an AES written
// out from FIPS-197 sections 5.1-5.3 in Python, whose output was checked
// against the Python `cryptography` package's AES.
constexpr std::string_view kPlaintext = "00112233445566778899aabbccddeeff";
constexpr std::string_view kCiphertext = "69c4e0d86a7b0430d8cdb78070b4c55a";
constexpr std::string_view kRoundKey[11] = {
    "000102030405060708090a0b0c0d0e0f", "d6aa74fdd2af72fadaa678f1d6ab76fe", "b692cf0b643dbdf1be9bc5006830b3fe",
    "b6ff744ed2c2c9bf6c590cbf0469bf41", "47f7f7bc95353e03f96c32bcfd058dfd", "3caaa3e8a99f9deb50f3af57adf622aa",
    "5e390f7df7a69296a7553dc10aa31f6b", "14f9701ae35fe28c440adf4d4ea9c026", "47438735a41c65b9e016baf4aebf7ad2",
    "549932d1f08557681093ed9cbe2c974e", "13111d7fe3944a17f307a78b4d2b30c5",
};
constexpr std::string_view kRound1Start = "00102030405060708090a0b0c0d0e0f0";
constexpr std::string_view kRound1SubBytes = "63cab7040953d051cd60e0e7ba70e18c";
constexpr std::string_view kRound2Start = "89d810e8855ace682d1843d8cb128fe4";
constexpr std::string_view kRound10Start = "bd6e7c3df2b5779e0b61216e8b10b689";
constexpr std::string_view kInverseRound1Start = "7ad5fda789ef4e272bca100b3d9ff59f";
constexpr std::string_view kInverseRound2Start = "54d990a16ba09ab596bbf40ea111702f";
constexpr std::string_view kInverseRound10Start = "6353e08c0960e104cd70b751bacad0e7";

TEST_F(VmxCryptoTest, VsboxIsSubBytesOfFips197RoundOne) {
  vr(1) = hex(kRound1Start);
  vr(2) = hex("ffffffffffffffffffffffffffffffff");  // bits 16:20 are reserved, not an operand
  run(vx(kVsbox, 3, 1, 0));
  EXPECT_EQ(vr(3), hex(kRound1SubBytes));
}

TEST_F(VmxCryptoTest, VcipherIsOneFips197Round) {
  vr(1) = hex(kRound1Start);
  vr(2) = hex(kRoundKey[1]);
  run(vx(kVcipher, 3, 1, 2));
  EXPECT_EQ(vr(3), hex(kRound2Start));
}

TEST_F(VmxCryptoTest, VcipherlastIsTheFinalRoundWithoutMixColumns) {
  vr(4) = hex(kRound10Start);
  vr(5) = hex(kRoundKey[10]);
  run(vx(kVcipherlast, 4, 4, 5));  // VRT may be VRA
  EXPECT_EQ(vr(4), hex(kCiphertext));
}

TEST_F(VmxCryptoTest, TenRoundsEncryptTheFips197Example) {
  vr(0) = hex(kPlaintext);
  vr(1) = hex(kRoundKey[0]);
  vr(0) = {vr(0)[0] ^ vr(1)[0], vr(0)[1] ^ vr(1)[1]};  // the initial AddRoundKey
  for (unsigned round = 1; round <= 10; ++round) {
    vr(1) = hex(kRoundKey[round]);
    run(vx(round == 10 ? kVcipherlast : kVcipher, 0, 0, 1));
  }
  EXPECT_EQ(vr(0), hex(kCiphertext));
}

TEST_F(VmxCryptoTest, VncipherIsOneFips197InverseRound) {
  vr(1) = hex(kInverseRound1Start);
  vr(2) = hex(kRoundKey[9]);
  run(vx(kVncipher, 3, 1, 2));
  EXPECT_EQ(vr(3), hex(kInverseRound2Start));
}

TEST_F(VmxCryptoTest, VncipherlastRecoversTheFips197Plaintext) {
  vr(1) = hex(kInverseRound10Start);
  vr(2) = hex(kRoundKey[0]);
  run(vx(kVncipherlast, 3, 1, 2));
  EXPECT_EQ(vr(3), hex(kPlaintext));
}

TEST_F(VmxCryptoTest, TenInverseRoundsDecryptTheFips197Example) {
  vr(0) = hex(kCiphertext);
  vr(1) = hex(kRoundKey[10]);
  vr(0) = {vr(0)[0] ^ vr(1)[0], vr(0)[1] ^ vr(1)[1]};
  for (int round = 9; round >= 0; --round) {
    vr(1) = hex(kRoundKey[round]);
    run(vx(round == 0 ? kVncipherlast : kVncipher, 0, 0, 1));
  }
  EXPECT_EQ(vr(0), hex(kPlaintext));
}

TEST_F(VmxCryptoTest, CryptoNeedsTheVectorFacility) {
  cpu.set_msr(cpu.state.msr & ~msr_bit::kVector);
  vr(3) = {1, 2};
  EXPECT_EQ(execute(vx(kVcipher, 3, 1, 2)), Flow::jump);
  EXPECT_EQ(cpu.state.nip, 0xf20u);
  EXPECT_EQ(vr(3), (Quadword{1, 2}));
}

// FIPS-180-4 4.1.2 (SHA-256) and 4.1.3 (SHA-512) functions applied to the
// initial hash values of 5.3.3 and 5.3.5, computed in Python from the
// standard's definitions (the same Python functions then hashed "abc" in
// one compression and matched hashlib.sha256).
constexpr Quadword kSha256Initial = {0x6a09e667bb67ae85, 0x3c6ef372a54ff53a};

TEST_F(VmxCryptoTest, VshasigmawLowerSigmaZeroAndOne) {
  vr(1) = kSha256Initial;
  run(vshasigma(kVshasigmaw, 2, 1, 0, 0b0000));  // sigma0 on every word
  EXPECT_EQ(vr(2), (Quadword{0xba0cf582f7bb5454, 0x5f298c939cadc81e}));
  run(vshasigma(kVshasigmaw, 3, 1, 0, 0b1111));  // sigma1 on every word
  EXPECT_EQ(vr(3), (Quadword{0xcfe5da3c22bcb334, 0xa7d84206041355f3}));
}

TEST_F(VmxCryptoTest, VshasigmawUpperSigmaPerWordSelection) {
  vr(1) = kSha256Initial;
  // SIX = 0b0101: words 0 and 2 take Sigma0, words 1 and 3 Sigma1.
  run(vshasigma(kVshasigmaw, 2, 1, 1, 0b0101));
  EXPECT_EQ(vr(2), (Quadword{0xce20b47e758db092, 0xaf47975aea3b0b78}));
}

TEST_F(VmxCryptoTest, VshasigmadUsesSixBitsZeroAndTwo) {
  vr(1) = {0x6a09e667f3bcc908, 0xbb67ae8584caa73b};
  run(vshasigma(kVshasigmad, 2, 1, 0, 0b0101));  // bit 0 = 0: sigma0; bit 2 = 0: sigma0
  EXPECT_EQ(vr(2), (Quadword{0x3dbae91951caa1df, 0xe77e7fb14ce80c74}));
  run(vshasigma(kVshasigmad, 3, 1, 0, 0b1010));  // sigma1 for both
  EXPECT_EQ(vr(3), (Quadword{0xc8c619e73ee44510, 0x8d379dfac596a3d8}));
  run(vshasigma(kVshasigmad, 4, 1, 1, 0b0010));  // Sigma0 then Sigma1
  EXPECT_EQ(vr(4), (Quadword{0x08c4db56aac80c2a, 0x77e26614cc6ac1cf}));
  run(vshasigma(kVshasigmad, 5, 1, 1, 0b1000));  // Sigma1 then Sigma0
  EXPECT_EQ(vr(5), (Quadword{0x259a6cc1643336ef, 0x26914f3b2fd5cca4}));
}

// --- Carry-less multiply-sum. ---

TEST_F(VmxCryptoTest, VpmsumdTimesOneIsTheOtherOperand) {
  vr(1) = {0xdeadbeefcafef00d, 0x0123456789abcdef};
  vr(2) = {1, 0};  // x^0 in doubleword 0, zero in doubleword 1
  run(vx(kVpmsumd, 3, 1, 2));
  EXPECT_EQ(vr(3), (Quadword{0, 0xdeadbeefcafef00d}));
}

// CRC-32C's generator P = 0x11EDC6F41 (RFC 3720 B.4); x^64 = P * Q + R
// with Q = 0x11F91CAF6 and R = 0x3AAB4576 (polynomial long division in
// Python, checked by multiplying back). The Barrett and folding constants
// of crc32c-vpmsum are built from exactly such quotients and remainders.
TEST_F(VmxCryptoTest, VpmsumdReproducesTheCrc32cDivisionIdentity) {
  vr(1) = {0x11edc6f41, 0};
  vr(2) = {0x11f91caf6, 0};
  run(vx(kVpmsumd, 3, 1, 2));
  EXPECT_EQ(vr(3), (Quadword{1, 0x3aab4576}));  // x^64 + R: R, and bit 64 set
}

TEST_F(VmxCryptoTest, VpmsumdSumsBothDoublewordProducts) {
  // (x^63)(x^63) = x^126 from the first pair; (x+1)(x+1) = x^2+1 from the second.
  vr(1) = {u64{1} << 63, 3};
  vr(2) = {u64{1} << 63, 3};
  run(vx(kVpmsumd, 3, 1, 2));
  EXPECT_EQ(vr(3), (Quadword{u64{1} << 62, 5}));
}

TEST_F(VmxCryptoTest, VpmsumbKnownBytePolynomials) {
  // Byte pairs (0,1): 0x03*0x03 ^ 0xff*0xff = 0x0005 ^ 0x5555; pairs (2,3):
  // 0x80*0x80 ^ 0 = 0x4000; the rest zero.
  vr(1) = hex("03ff8000000000000000000000000000");
  vr(2) = hex("03ff8011000000000000000000000000");
  run(vx(kVpmsumb, 3, 1, 2));
  EXPECT_EQ(vr(3), hex("55504000000000000000000000000000"));
}

TEST_F(VmxCryptoTest, VpmsumhAndVpmsumwKnownProducts) {
  // 0x8001 * 0x8001 = x^30 + 1 = 0x40000001, 0x1234 * x^4 = 0x12340.
  vr(1) = {0x8001123400000000, 0};
  vr(2) = {0x8001001000000000, 0};
  run(vx(kVpmsumh, 3, 1, 2));
  EXPECT_EQ(vr(3), (Quadword{0x4001234100000000, 0}));
  // 0x87654321 * 0x12345678 ^ 0xffffffff * 0x3 = 0x0962335d2b421179 (Python).
  vr(4) = {0x87654321ffffffff, 0};
  vr(5) = {0x1234567800000003, 0};
  run(vx(kVpmsumw, 6, 4, 5));
  EXPECT_EQ(vr(6), (Quadword{0x0962335d2b421179, 0}));
}

TEST_F(VmxCryptoTest, VpmsumwDistributesOverExclusiveOr) {
  // a*(b ^ c) = a*b ^ a*c in GF(2)[x], element by element.
  vr(1) = {0x9e3779b97f4a7c15, 0xf39cc0605cedc834};
  vr(2) = {0x0123456789abcdef, 0xfedcba9876543210};
  vr(3) = {0x5555aaaa3333cccc, 0x0f0f0f0ff0f0f0f0};
  vr(4) = {vr(2)[0] ^ vr(3)[0], vr(2)[1] ^ vr(3)[1]};
  run(vx(kVpmsumw, 5, 1, 2));
  run(vx(kVpmsumw, 6, 1, 3));
  run(vx(kVpmsumw, 7, 1, 4));
  EXPECT_EQ(vr(7), (Quadword{vr(5)[0] ^ vr(6)[0], vr(5)[1] ^ vr(6)[1]}));
  EXPECT_NE(vr(7), (Quadword{0, 0}));
}

}  // namespace
}  // namespace mosaic::interp::test
