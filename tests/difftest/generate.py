"""Random test cases for the differential tester (scripts/difftest).

A case is a random initial register state and a short sequence of random
register-to-register instructions (Power ISA 2.07, what a POWER8 runs). The
same seed always gives the same cases. Instructions whose result is
architecturally undefined for some operands get fix-up instructions around
them, so that every case has one correct final state:
  - divides: the divisor (and for the extended forms the dividend) is first
    forced into a range where the quotient exists, or the result register is
    overwritten afterwards (OV stays checked);
  - the word divides and mulhw/mulhwu leave RT[0:31] undefined: cleared
    afterwards; their Rc=1 forms leave CR0 undefined in 64-bit mode: not used;
  - mfxer is not used: XER's reserved bits, which mtxer may set, read back
    implementation-defined (the guest masks them in the final XER too);
  - single-precision arithmetic needs operands representable in single
    format: each is rounded with frsp first;
  - fctid* and fctiw* leave FPRF undefined: cleared afterwards; fctiw*
    leave FRT[0:31] undefined: cleared afterwards;
  - FPSCR[NI] (non-IEEE mode) is never set, nor the reserved bit 52;
  - no FP exception is ever enabled (VE, OE, UE, ZE, XE): the ISA then
    leaves the target unchanged, which QEMU 7.2 does not do when MSR[FE0,FE1]
    = 0 (it writes the default NaN and its FPRF);
  - fnmadd/fnmsub round before negating (Book I 4.6.5.2), QEMU 7.2 after:
    under a directed rounding mode the two differ by one ulp. So a case either
    rounds to nearest or towards zero throughout (and may use them), or may
    round in any mode and does not use them;
  - the estimates (fre, frsqrte) are not used: their precision is the
    implementation's.
Other fix-ups step around QEMU 7.2's departures from the ISA's FPSCR rules,
each exactly where it shows (see the comments at each):
  - FX is set only when an exception bit goes from 0 to 1; QEMU sets it
    whenever it raises one, and not on mtfsb1. The two agree while FX is set
    whenever an exception bit is: the initial FPSCR is so, and fix-ups
    restore it after each FPSCR write that could break it;
  - FR is never set by QEMU: not compared, and cleared before mffs or mcrfs
    copies it;
  - fcmpu/fcmpo clear FI, and fcmpo on a NaN sets C;
  - fcfids, fcfidu and fcfidus leave FPRF unchanged: cleared after them;
  - a single-format denormal result is classified as a normal double: C
    (the only FPRF bit that differs) is cleared when the result is one.
"""

import random
import struct

import vector_kinds

# r1 holds the state block while a sequence runs (tests/difftest/run_case.S).
GPRS = [0] + list(range(2, 32))

# The state block: 8-byte words, laid out as in tests/difftest/guest.c.
# The scratch words after the VRs are where fix-ups spill the registers
# they borrow; the guest clears them before comparing.
STATE_WORDS = 32 + 4 + 32 + 64 + 4
CR_WORD, XER_WORD, FPSCR_WORD, VSCR_WORD = 32, 33, 34, 35
FPR_WORD, VR_WORD, SCRATCH_WORD = 36, 68, 132
# The scratch word that a register or the FPSCR is copied through.
IMAGE_WORD = SCRATCH_WORD + 3

# The XER bits a POWER8 defines: SO, OV, CA and the string byte count.
XER_DEFINED = 0xE000007F
# The FPSCR bits the initial state sets: all but FEX and VX (summaries the
# hardware computes), the reserved bit 52, the exception enables and NI.
FPSCR_INITIAL = 0x9FFFF703
FPSCR_FX = 0x80000000
# The exception bits: OX, UX, ZX, XX, the VX* causes.
FPSCR_EXCEPTIONS = 0x1FF80700
# FPSCR[FR] (bit 45): QEMU 7.2 never sets it, so no FR is compared (the
# guest masks it in the final FPSCR, and it is cleared before it is copied).
FPSCR_FR_BIT = 45
# mtfsb0/mtfsb1 never touch FEX, VX (set by the hardware), bit 52, the
# enables or NI.
FPSCR_BITS_NOT_SET = (33, 34, 52, 56, 57, 58, 59, 60, 61)

DOUBLE_SPECIALS = [0x0000000000000000, 0x8000000000000000, 0x7FF0000000000000, 0xFFF0000000000000,
                   0x7FF8000000000000, 0xFFF8000000000001, 0x7FF0000000000001, 0xFFF4000000000000,
                   0x0000000000000001, 0x800FFFFFFFFFFFFF, 0x0010000000000000, 0x7FEFFFFFFFFFFFFF,
                   0x3FF0000000000000, 0xBFF0000000000000, 0x41E0000000000000, 0xC1E0000000000000,
                   0x43E0000000000000, 0xC3E0000000000000, 0x41DFFFFFFFC00000, 0x3FE0000000000000,
                   0x36A0000000000000, 0x47EFFFFFE0000000, 0x380FFFFFC0000000, 0x4330000000000000]


def xo_form(rt, ra, rb, oe, xo, rc):
    return (31 << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (oe << 10) | (xo << 1) | rc


def x_form(op, rt, ra, rb, xo, rc=0):
    return (op << 26) | (rt << 21) | (ra << 16) | (rb << 11) | (xo << 1) | rc


def d_form(op, rt, ra, imm):
    return (op << 26) | (rt << 21) | (ra << 16) | (imm & 0xFFFF)


def m_form(op, rs, ra, sh, mb, me, rc):
    return (op << 26) | (rs << 21) | (ra << 16) | (sh << 11) | (mb << 6) | (me << 1) | rc


def md_mask_field(mb):
    # The 6-bit mb/me field is stored as mb[1:5] || mb[0].
    return ((mb & 31) << 6) | ((mb >> 5) << 5)


def md_form(rs, ra, sh, mb, xo, rc):
    return (30 << 26) | (rs << 21) | (ra << 16) | ((sh & 31) << 11) | md_mask_field(mb) | (xo << 2) | ((sh >> 5) << 1) | rc


def mds_form(rs, ra, rb, mb, xo, rc):
    return (30 << 26) | (rs << 21) | (ra << 16) | (rb << 11) | md_mask_field(mb) | (xo << 1) | rc


# Fix-up instructions, by what they do.
def li(rt, value):
    return d_form(14, rt, 0, value)


def clear_high_word(r):  # rldicl r,r,0,32
    return md_form(r, r, 0, 32, 0, 0)


def rotate_left(r, n):  # rldicl r,r,n,0
    return md_form(r, r, n, 0, 0, 0)


def ori(r, value):
    return d_form(24, r, r, value)


def oris(r, value):
    return d_form(25, r, r, value)


def rlwinm(ra, rs, sh, mb, me):
    return m_form(21, rs, ra, sh, mb, me, 0)


def fpr_store(frs, word):  # stfd frs,8*word(r1)
    return d_form(54, frs, 1, 8 * word)


def fpr_load(frt, word):  # lfd frt,8*word(r1)
    return d_form(50, frt, 1, 8 * word)


def gpr_store(rs, word):  # std rs,8*word(r1)
    return d_form(62, rs, 1, 8 * word)


def gpr_load(rt, word):  # ld rt,8*word(r1)
    return d_form(58, rt, 1, 8 * word)


def mtfsb0(bit):
    return x_form(63, bit - 32, 0, 0, 70)


def mtfsb1(bit):
    return x_form(63, bit - 32, 0, 0, 38)


def mtfsf(flm, frb):
    return (63 << 26) | (flm << 17) | (frb << 11) | (711 << 1)


def clear_fpr_high_word(frt):
    """FRT[0:31] := 0, through the scratch words (the guest is
    little-endian: the high word is the second)."""
    return [fpr_store(frt, IMAGE_WORD), gpr_store(0, SCRATCH_WORD), li(0, 0),
            d_form(36, 0, 1, 8 * IMAGE_WORD + 4),  # stw r0
            fpr_load(frt, IMAGE_WORD), gpr_load(0, SCRATCH_WORD)]


def clear_fprf():  # mtfsb0 47 (C); mtfsfi 4,0 (FPCC)
    return [mtfsb0(47), x_form(63, 4 << 2, 0, 0, 134)]


# Fix-ups that depend on the values the sequence computed borrow r0, r2 and
# f0 (spilled to the scratch words) and change only the FPSCR bits they
# mean to: they are branch-free and write neither CR nor XER.
def borrowing_r0_r2_f0(words):
    spill = [gpr_store(0, SCRATCH_WORD), gpr_store(2, SCRATCH_WORD + 1), fpr_store(0, SCRATCH_WORD + 2)]
    restore = [fpr_load(0, SCRATCH_WORD + 2), gpr_load(2, SCRATCH_WORD + 1), gpr_load(0, SCRATCH_WORD)]
    return spill + words + restore


def fpscr_to_r2():  # mffs f0, through the scratch word
    return [x_form(63, 0, 0, 0, 583), fpr_store(0, IMAGE_WORD), gpr_load(2, IMAGE_WORD)]


def r2_to_fpscr(flm):
    return [gpr_store(2, IMAGE_WORD), fpr_load(0, IMAGE_WORD), mtfsf(flm, 0)]


def set_fx_if_any_exception():
    """FX |= (any exception bit set): the FPSCR as if each set exception
    bit had been raised by an instruction."""
    return borrowing_r0_r2_f0(fpscr_to_r2() + [
        rlwinm(0, 2, 0, 3, 12),                              # r0 = OX..VXVC
        m_form(20, 2, 0, 0, 21, 23, 0),                      # rlwimi r0,r2,0,21,23: | VXSOFT..VXCVI
        xo_form(0, 0, 0, 0, 104, 0),                         # neg r0,r0: high word all ones iff r0 != 0
        md_form(0, 0, 32, 32, 0, 0),                         # rldicl r0,r0,32,32
        rlwinm(0, 0, 0, 0, 0),                               # r0 = FX or 0
        x_form(31, 2, 2, 0, 444),                            # or r2,r2,r0
    ] + r2_to_fpscr(0x80))


def clear_class_if_single_denormal(frt):
    """FPSCR[C] := 0 when FRT holds a single-format denormal, |x| in
    (0, 2^-126)."""
    return borrowing_r0_r2_f0([
        fpr_store(frt, IMAGE_WORD), gpr_load(2, IMAGE_WORD),
        md_form(2, 2, 0, 1, 0, 0),                           # rldicl r2,r2,0,1: |x|
        xo_form(0, 2, 0, 0, 104, 0),                         # neg r0,r2: negative iff x != 0
        md_form(2, 2, 12, 52, 0, 0),                         # rldicl r2,r2,12,52: the exponent field
        d_form(14, 2, 2, -0x381),                            # negative iff below 2^-126's (0x381)
        x_form(31, 2, 2, 0, 28),                             # and r2,r2,r0: negative iff denormal
        md_form(2, 2, 1, 63, 0, 0),                          # rldicl r2,r2,1,63: 1 iff denormal
        md_form(2, 0, 16, 47, 1, 0),                         # rldicr r0,r2,16,47: C's place
    ] + fpscr_to_r2() + [
        x_form(31, 2, 2, 0, 60),                             # andc r2,r2,r0
    ] + r2_to_fpscr(0x10))


def suffix(oe, rc):
    return ("o" if oe else "") + ("." if rc else "")


class Generator:
    def __init__(self, seed):
        self.rng = random.Random(seed)
        # Whether the current case may round towards +/-infinity (and so
        # does not use fnmadd/fnmsub).
        self.directed_rounding = False

    def gpr(self):
        return self.rng.choice(GPRS)

    def two_distinct(self):
        a, b = self.rng.sample(GPRS, 2)
        return a, b

    def bit(self):
        return self.rng.getrandbits(1)

    # --- Register values: biased towards the edges where carries,
    # overflows, shifts and compares change behaviour. ---
    def value(self):
        r = self.rng
        choice = r.randrange(10)
        if choice == 0:
            return r.choice([0, 1, 2, 0xFFFFFFFFFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000,
                             0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0xFFFFFFFF80000000, 0xFFFFFFFF7FFFFFFF])
        if choice == 1:
            return r.randrange(128)
        if choice == 2:
            return (-r.randrange(1, 128)) & 0xFFFFFFFFFFFFFFFF
        if choice == 3:
            v = r.getrandbits(32)
            return v | (0xFFFFFFFF00000000 if v >> 31 else 0)
        if choice == 4:
            return r.getrandbits(32)
        return r.getrandbits(64)

    def double(self):
        r = self.rng
        choice = r.randrange(8)
        if choice == 0:
            return r.choice(DOUBLE_SPECIALS)
        if choice == 1:  # an integer, for the conversions
            v = r.choice([r.randrange(-1000, 1000), r.getrandbits(33) - (1 << 32), r.getrandbits(65) - (1 << 64)])
            return struct.unpack("<Q", struct.pack("<d", float(v)))[0]
        if choice == 2:  # representable in single format
            return struct.unpack("<Q", struct.pack("<d", struct.unpack("<f", struct.pack("<I", r.getrandbits(32)))[0]))[0]
        if choice == 3:  # exponent near the middle: operations rarely overflow
            return (r.getrandbits(1) << 63) | ((1023 + r.randrange(-60, 60)) << 52) | r.getrandbits(52)
        if choice == 4:  # mantissa with only a few significant bits: exact results, ties
            return (r.getrandbits(1) << 63) | ((1023 + r.randrange(-4, 4)) << 52) | (r.getrandbits(4) << 48)
        return r.getrandbits(64)

    def state(self):
        r = self.rng
        words = [0] * STATE_WORDS
        for g in GPRS:
            words[g] = self.value()
        words[CR_WORD] = r.getrandbits(32)
        words[XER_WORD] = r.getrandbits(32) & XER_DEFINED
        words[FPSCR_WORD] = r.getrandbits(32) & FPSCR_INITIAL if r.randrange(2) else r.randrange(4)
        if words[FPSCR_WORD] & FPSCR_EXCEPTIONS:
            # FX as if the exception bits had been raised by instructions.
            # The ISA sets FX only when an exception bit goes from 0 to 1;
            # QEMU 7.2 sets it whenever it raises one, already set or not.
            # With FX already set the two agree.
            words[FPSCR_WORD] |= FPSCR_FX
        if not self.directed_rounding:
            words[FPSCR_WORD] &= ~2
        for i in range(32):
            words[FPR_WORD + i] = self.double()
        for i in range(64):
            words[VR_WORD + i] = r.getrandbits(64)
        return words

    # --- The instruction kinds. Each returns (kind, words). ---
    def xo_arith(self, name, xo, has_rb=True):
        oe, rc = self.bit(), self.bit()
        rb = self.gpr() if has_rb else 0
        return name + suffix(oe, rc), [xo_form(self.gpr(), self.gpr(), rb, oe, xo, rc)]

    def multiply_high(self, name, xo, word):
        rt = self.gpr()
        rc = 0 if word else self.bit()
        words = [xo_form(rt, self.gpr(), self.gpr(), 0, xo, rc)]
        if word:
            words.append(clear_high_word(rt))
        return name + suffix(0, rc), words

    def divide(self, name, xo, word, extended, signed):
        r = self.rng
        rt = self.gpr()
        ra, rb = self.two_distinct()
        oe = self.bit()
        rc = 0 if word else self.bit()
        pre = []
        post = []
        if r.randrange(2):
            # The result may be undefined: overwrite it, and do not record.
            rc = 0
            post.append(li(rt, 0))
            if extended and signed and not word:
                # QEMU 7.2 misses divdeo's overflow when the quotient is in
                # [2^63, 2^64), e.g. 0x93a364dbfc36ece2 || 0^64 over
                # 0x8ca927ae339b242f: OV is only checked on defined quotients.
                oe = 0
        elif not extended:
            # Divisor's low bits 10: neither 0 nor -1, as a word or doubleword.
            pre = [md_form(rb, rb, 0, 61, 1, 0), ori(rb, 2)]
        elif word and not signed:
            # RA[32:63] < 2^31 <= RB[32:63].
            pre = [m_form(21, ra, ra, 0, 1, 31, 0), oris(rb, 0x8000)]
        elif word:
            # |RA[32:63]| < 2^15 and 2^29 <= RB[32:63] < 2^30.
            pre = [x_form(31, ra, ra, 16, 824), m_form(21, rb, rb, 0, 2, 31, 0), oris(rb, 0x2000)]
        elif not signed:
            # RA < 2^63 <= RB.
            pre = [md_form(ra, ra, 0, 1, 0, 0), rotate_left(rb, 1), ori(rb, 1), rotate_left(rb, 63)]
        else:
            # |RA| < 2^47 and 2^61 <= RB < 2^62.
            pre = [(31 << 26) | (ra << 21) | (ra << 16) | (16 << 11) | (413 << 2),
                   md_form(rb, rb, 0, 2, 0, 0), rotate_left(rb, 3), ori(rb, 1), rotate_left(rb, 61)]
        if word:
            post.insert(0, clear_high_word(rt))
        return name + suffix(oe, rc), pre + [xo_form(rt, ra, rb, oe, xo, rc)] + post, len(pre)

    def d_arith(self, name, op):
        return name, [d_form(op, self.gpr(), self.gpr(), self.rng.getrandbits(16))]

    def d_logical(self, name, op):
        return name, [d_form(op, self.gpr(), self.gpr(), self.rng.getrandbits(16))]

    def x_logical(self, name, xo, has_rb=True, has_rc=True):
        rc = self.bit() if has_rc else 0
        rb = self.gpr() if has_rb else 0
        return name + suffix(0, rc), [x_form(31, self.gpr(), self.gpr(), rb, xo, rc)]

    def compare(self, name, xo):
        bf, l = self.rng.randrange(8), self.bit()
        return name + ("d" if l else "w"), [x_form(31, (bf << 2) | l, self.gpr(), self.gpr(), xo)]

    def compare_immediate(self, name, op):
        bf, l = self.rng.randrange(8), self.bit()
        return name + ("d" if l else "w") + "i", [d_form(op, (bf << 2) | l, self.gpr(), self.rng.getrandbits(16))]

    def word_rotate(self, name, op):
        r = self.rng
        rc = self.bit()
        return name + suffix(0, rc), [m_form(op, self.gpr(), self.gpr(), r.randrange(32) if op != 23 else self.gpr(),
                                             r.randrange(32), r.randrange(32), rc)]

    def doubleword_rotate(self, name, xo):
        r = self.rng
        rc = self.bit()
        return name + suffix(0, rc), [md_form(self.gpr(), self.gpr(), r.randrange(64), r.randrange(64), xo, rc)]

    def doubleword_rotate_register(self, name, xo):
        rc = self.bit()
        return name + suffix(0, rc), [mds_form(self.gpr(), self.gpr(), self.gpr(), self.rng.randrange(64), xo, rc)]

    def srawi(self):
        rc = self.bit()
        return "srawi" + suffix(0, rc), [x_form(31, self.gpr(), self.gpr(), self.rng.randrange(32), 824, rc)]

    def sradi(self):
        rc, sh = self.bit(), self.rng.randrange(64)
        word = (31 << 26) | (self.gpr() << 21) | (self.gpr() << 16) | ((sh & 31) << 11) | (413 << 2) | ((sh >> 5) << 1) | rc
        return "sradi" + suffix(0, rc), [word]

    def isel(self):
        r = self.rng
        return "isel", [(31 << 26) | (self.gpr() << 21) | (self.gpr() << 16) | (self.gpr() << 11) | (r.randrange(32) << 6) | (15 << 1)]

    def cr_logical(self, name, xo):
        r = self.rng
        return name, [x_form(19, r.randrange(32), r.randrange(32), r.randrange(32), xo)]

    def mcrf(self):
        r = self.rng
        return "mcrf", [(19 << 26) | (r.randrange(8) << 23) | (r.randrange(8) << 18)]

    def mfcr(self):
        if self.bit():
            return "mfcr", [x_form(31, self.gpr(), 0, 0, 19)]
        fxm = 0x80 >> self.rng.randrange(8)
        return "mfocrf", [(31 << 26) | (self.gpr() << 21) | (1 << 20) | (fxm << 12) | (19 << 1)]

    def mtcrf(self):
        if self.bit():
            return "mtcrf", [(31 << 26) | (self.gpr() << 21) | (self.rng.getrandbits(8) << 12) | (144 << 1)]
        fxm = 0x80 >> self.rng.randrange(8)
        return "mtocrf", [(31 << 26) | (self.gpr() << 21) | (1 << 20) | (fxm << 12) | (144 << 1)]

    def mtxer(self):
        return "mtxer", [x_form(31, self.gpr(), 1, 0, 467)]

    # --- Floating point (Book I 4.6). ---
    def fpr(self):
        return self.rng.randrange(32)

    def fp_arith(self, name, op, xo, uses, single):
        """A-form: `uses` names the operand fields, of "abc"."""
        if name.startswith("fnm") and self.directed_rounding:
            name, xo = name[0] + name[3:], xo - 2  # fmadd or fmsub instead
        rc = self.bit()
        frt = self.fpr()
        operands = {f: (self.fpr() if f in uses else 0) for f in "abc"}
        pre = []
        if single:
            pre = [x_form(63, f, 0, f, 12) for f in sorted(set(operands[u] for u in uses))]
        word = (op << 26) | (frt << 21) | (operands["a"] << 16) | (operands["b"] << 11) | (operands["c"] << 6) | (xo << 1) | rc
        post = clear_class_if_single_denormal(frt) if single else []
        return name + suffix(0, rc), pre + [word] + post, len(pre)

    def fp_unary(self, name, op, xo, clear_fprf_after=False, two_operands=False, word_result=False, has_rc=True):
        rc = self.bit() if has_rc else 0
        frt = self.fpr()
        words = [x_form(op, frt, self.fpr() if two_operands else 0, self.fpr(), xo, rc)]
        if clear_fprf_after:
            words += clear_fprf()
        if word_result:
            words += clear_fpr_high_word(frt)
        if name == "frsp":
            words += clear_class_if_single_denormal(frt)
        return name + suffix(0, rc), words

    def fp_compare(self, name, xo):
        # fcmpu and fcmpo alter only FPCC and the exception bits of FPSCR
        # (Book I 4.6.8). QEMU 7.2 clears FI (its status check after the
        # compare sets FI from an inexact flag that a compare never raises),
        # and fcmpo on a NaN sets C as well (it writes the quiet-NaN class).
        # So FI is cleared first, and before fcmpo C is set.
        word = x_form(63, self.rng.randrange(8) << 2, self.fpr(), self.fpr(), xo)
        pre = [mtfsb0(46)] + ([mtfsb1(47)] if name == "fcmpo" else [])
        return name, pre + [word], len(pre)

    def fp_test(self, name, xo, two_operands):
        return name, [x_form(63, self.rng.randrange(8) << 2, self.fpr() if two_operands else 0, self.fpr(), xo)]

    def mffs(self):
        # FR cleared first: QEMU 7.2 never sets it, and mffs would copy it.
        rc = self.bit()
        return "mffs" + suffix(0, rc), [mtfsb0(FPSCR_FR_BIT), x_form(63, self.fpr(), 0, 0, 583, rc)], 1

    def mtfsf(self):
        # Not fields 5-7: the reserved bit 52, the enables, NI, and RN.
        rc = self.bit()
        fxm = self.rng.getrandbits(8) & 0xF8
        words = [(63 << 26) | (fxm << 17) | (self.fpr() << 11) | (711 << 1) | rc]
        if fxm & 0xF0:  # fields 0-3: FX from FRB, exception bits without FX
            words += set_fx_if_any_exception()
        return "mtfsf" + suffix(0, rc), words

    def mtfsfi(self):
        r = self.rng
        rc, bf, u = self.bit(), r.randrange(8), r.randrange(16)
        if bf == 5:
            u &= 7  # not the reserved bit 52
        if bf == 6:
            u = 0  # the enables
        if bf == 7:
            u &= 3 if self.directed_rounding else 1  # RN only
        words = [(63 << 26) | (bf << 23) | (u << 12) | (134 << 1) | rc]
        if bf in (0, 1, 2, 3, 5) and not (bf == 0 and u & 8):
            words += set_fx_if_any_exception()
        return "mtfsfi" + suffix(0, rc), words

    def mtfsb(self):
        r = self.rng
        rc, one = self.bit(), self.bit()
        excluded = FPSCR_BITS_NOT_SET + (() if self.directed_rounding else (62,))
        bt = r.choice([b for b in range(32, 64) if b not in excluded])
        exception_bit = FPSCR_EXCEPTIONS >> (63 - bt) & 1
        if one and exception_bit:
            # Setting an exception bit that was 0 sets FX (Book I 4.6.10);
            # QEMU 7.2's mtfsb1 does not. With FX already set whenever an
            # exception bit is, FX after it is 1: set it after, and do not
            # record FX in CR1 before that.
            rc = 0
        words = [x_form(63, bt - 32, 0, 0, 38 if one else 70, rc)]
        if one and exception_bit:
            words.append(mtfsb1(32))
        if bt == 32 and not one:
            words += set_fx_if_any_exception()
        return ("mtfsb1" if one else "mtfsb0") + suffix(0, rc), words

    def mcrfs(self):
        r = self.rng
        bf, bfa = r.randrange(8), r.randrange(8)
        pre = [mtfsb0(FPSCR_FR_BIT)] if bfa == 3 else []  # as for mffs
        post = set_fx_if_any_exception() if bfa == 0 else []  # FX and OX cleared
        return "mcrfs", pre + [(63 << 26) | (bf << 23) | (bfa << 18) | (64 << 1)] + post, len(pre)

    def fp_kinds(self):
        k = []
        for name, xo, uses in [("fadd", 21, "ab"), ("fsub", 20, "ab"), ("fmul", 25, "ac"), ("fdiv", 18, "ab"),
                               ("fsqrt", 22, "b"), ("fmadd", 29, "abc"), ("fmsub", 28, "abc"),
                               ("fnmadd", 31, "abc"), ("fnmsub", 30, "abc")]:
            k.append((2, lambda name=name, xo=xo, uses=uses: self.fp_arith(name, 63, xo, uses, False)))
            k.append((1, lambda name=name, xo=xo, uses=uses: self.fp_arith(name + "s", 59, xo, uses, True)))
        k.append((2, lambda: self.fp_arith("fsel", 63, 23, "abc", False)))
        for name, xo in [("fmr", 72), ("fneg", 40), ("fabs", 264), ("fnabs", 136), ("frsp", 12), ("fcfid", 846),
                         ("frin", 392), ("friz", 424), ("frip", 456), ("frim", 488)]:
            k.append((1, lambda name=name, xo=xo: self.fp_unary(name, 63, xo)))
        # QEMU 7.2 leaves FPRF unchanged on fcfids, fcfidu and fcfidus (the
        # ISA sets it, as for fcfid): it is cleared after them.
        k.append((1, lambda: self.fp_unary("fcfidu", 63, 974, clear_fprf_after=True)))
        for name, xo in [("fcfids", 846), ("fcfidus", 974)]:
            k.append((1, lambda name=name, xo=xo: self.fp_unary(name, 59, xo, clear_fprf_after=True)))
        for name, xo in [("fctid", 814), ("fctidz", 815), ("fctidu", 942), ("fctiduz", 943)]:
            k.append((1, lambda name=name, xo=xo: self.fp_unary(name, 63, xo, clear_fprf_after=True)))
        for name, xo in [("fctiw", 14), ("fctiwz", 15), ("fctiwu", 142), ("fctiwuz", 143)]:
            k.append((1, lambda name=name, xo=xo: self.fp_unary(name, 63, xo, clear_fprf_after=True,
                                                                word_result=True)))
        for name, xo in [("fmrgew", 966), ("fmrgow", 838)]:
            k.append((1, lambda name=name, xo=xo: self.fp_unary(name, 63, xo, two_operands=True, has_rc=False)))
        k.append((1, lambda: self.fp_unary("fcpsgn", 63, 8, two_operands=True)))
        k.append((2, lambda: self.fp_compare("fcmpu", 0)))
        k.append((2, lambda: self.fp_compare("fcmpo", 32)))
        k.append((1, lambda: self.fp_test("ftdiv", 128, True)))
        k.append((1, lambda: self.fp_test("ftsqrt", 160, False)))
        k += [(1, self.mffs), (1, self.mtfsf), (1, self.mtfsfi), (1, self.mtfsb), (1, self.mcrfs)]
        return k

    def kinds(self):
        """The kind table: (weight, generator) pairs. A generator returns
        (kind, words), or (kind, words, index of the tested word) when fix-ups
        come first."""
        k = []
        for name, xo in [("add", 266), ("addc", 10), ("adde", 138), ("subf", 40), ("subfc", 8), ("subfe", 136),
                         ("mullw", 235), ("mulld", 233)]:
            k.append((3, lambda name=name, xo=xo: self.xo_arith(name, xo)))
        for name, xo in [("addme", 234), ("addze", 202), ("subfme", 232), ("subfze", 200), ("neg", 104)]:
            k.append((2, lambda name=name, xo=xo: self.xo_arith(name, xo, has_rb=False)))
        for name, xo, word in [("mulhw", 75, True), ("mulhwu", 11, True), ("mulhd", 73, False), ("mulhdu", 9, False)]:
            k.append((2, lambda name=name, xo=xo, word=word: self.multiply_high(name, xo, word)))
        for name, xo, word, ext, signed in [("divw", 491, True, False, True), ("divwu", 459, True, False, False),
                                            ("divd", 489, False, False, True), ("divdu", 457, False, False, False),
                                            ("divwe", 427, True, True, True), ("divweu", 395, True, True, False),
                                            ("divde", 425, False, True, True), ("divdeu", 393, False, True, False)]:
            k.append((2, lambda name=name, xo=xo, word=word, ext=ext, signed=signed:
                      self.divide(name, xo, word, ext, signed)))
        for name, op in [("addi", 14), ("addis", 15), ("addic", 12), ("addic.", 13), ("subfic", 8), ("mulli", 7)]:
            k.append((2, lambda name=name, op=op: self.d_arith(name, op)))
        for name, op in [("andi.", 28), ("andis.", 29), ("ori", 24), ("oris", 25), ("xori", 26), ("xoris", 27)]:
            k.append((2, lambda name=name, op=op: self.d_logical(name, op)))
        for name, xo in [("and", 28), ("or", 444), ("xor", 316), ("nand", 476), ("nor", 124), ("eqv", 284),
                         ("andc", 60), ("orc", 412), ("slw", 24), ("srw", 536), ("sraw", 792), ("sld", 27),
                         ("srd", 539), ("srad", 794)]:
            k.append((2, lambda name=name, xo=xo: self.x_logical(name, xo)))
        for name, xo in [("extsb", 954), ("extsh", 922), ("extsw", 986), ("cntlzw", 26), ("cntlzd", 58)]:
            k.append((2, lambda name=name, xo=xo: self.x_logical(name, xo, has_rb=False)))
        for name, xo in [("popcntb", 122), ("popcntw", 378), ("popcntd", 506), ("prtyw", 154), ("prtyd", 186)]:
            k.append((1, lambda name=name, xo=xo: self.x_logical(name, xo, has_rb=False, has_rc=False)))
        for name, xo in [("cmpb", 508), ("bpermd", 252)]:
            k.append((1, lambda name=name, xo=xo: self.x_logical(name, xo, has_rc=False)))
        k.append((3, lambda: self.compare("cmp", 0)))
        k.append((3, lambda: self.compare("cmpl", 32)))
        k.append((2, lambda: self.compare_immediate("cmp", 11)))
        k.append((2, lambda: self.compare_immediate("cmpl", 10)))
        for name, op in [("rlwinm", 21), ("rlwnm", 23), ("rlwimi", 20)]:
            k.append((2, lambda name=name, op=op: self.word_rotate(name, op)))
        for name, xo in [("rldicl", 0), ("rldicr", 1), ("rldic", 2), ("rldimi", 3)]:
            k.append((2, lambda name=name, xo=xo: self.doubleword_rotate(name, xo)))
        for name, xo in [("rldcl", 8), ("rldcr", 9)]:
            k.append((2, lambda name=name, xo=xo: self.doubleword_rotate_register(name, xo)))
        k.append((2, self.srawi))
        k.append((2, self.sradi))
        k.append((3, self.isel))
        for name, xo in [("crand", 257), ("cror", 449), ("crxor", 193), ("crnand", 225), ("crnor", 33),
                         ("creqv", 289), ("crandc", 129), ("crorc", 417)]:
            k.append((1, lambda name=name, xo=xo: self.cr_logical(name, xo)))
        k.append((1, self.mcrf))
        k.append((2, self.mfcr))
        k.append((2, self.mtcrf))
        k.append((1, self.mtxer))
        return k


class Case:
    def __init__(self, index, state, instructions):
        self.index = index
        self.state = state
        self.instructions = instructions  # [(kind, [words], index of the tested word)]

    def words(self):
        return [w for _, ws, _ in self.instructions for w in ws]


def generate(seed, count, length, floating_point=True, vector=False):
    """`count` cases of `length` random instructions each (plus fix-ups).
    With `vector`, only the vector kinds of vector_kinds.py."""
    gen = Generator(seed)
    vectors = vector_kinds.VectorKinds(gen.rng) if vector else None
    if vector:
        kinds = vectors.kinds()
    else:
        kinds = gen.kinds() + (gen.fp_kinds() if floating_point else [])
    weights = [w for w, _ in kinds]
    makers = [m for _, m in kinds]
    cases = []
    for index in range(count):
        gen.directed_rounding = gen.rng.randrange(2) == 1
        state = gen.state()
        if vector:
            values, state[VSCR_WORD] = vectors.state_vectors()
            for i, value in enumerate(values):
                state[VR_WORD + 2 * i] = value & 0xFFFFFFFFFFFFFFFF
                state[VR_WORD + 2 * i + 1] = value >> 64
        instructions = []
        for _ in range(length):
            made = gen.rng.choices(makers, weights)[0]()
            instructions.append(made if len(made) == 3 else made + (0,))
        cases.append(Case(index, state, instructions))
    return cases


def assembly(cases):
    """The cases as assembly source: the initial states, and each sequence as
    a function in .text ending in blr (run_case.S calls it)."""
    out = ["# Generated by tests/difftest/generate.py.", "  .section .rodata", "  .balign 16",
           "  .globl difftest_initial", "difftest_initial:"]
    for case in cases:
        for i in range(0, STATE_WORDS, 4):
            out.append("  .quad " + ", ".join("0x%x" % w for w in case.state[i:i + 4]))
    out += ["  .balign 8", "  .globl difftest_count", "difftest_count:", "  .quad %d" % len(cases),
            "  .globl difftest_sequences", "difftest_sequences:"]
    out += ["  .quad difftest_sequence_%d" % case.index for case in cases]
    out += ["  .text"]
    for case in cases:
        out.append("difftest_sequence_%d:" % case.index)
        out += ["  .long 0x%08x" % w for w in case.words()]
        out.append("  blr")
    return "\n".join(out) + "\n"
