"""The vector mode of the differential tester (scripts/difftest --vector):
VMX integer, permute, crypto and decimal instructions, and the VSX logical
and permute instructions on VSRs 32-63 (the VRs), over random VRs and VSCR.
The 32 VRs, VSCR and CR (for the compares' and decimal instructions' CR6)
are compared.

Operands whose result the ISA leaves undefined, or where QEMU 7.2 departs
from the ISA, are kept out:
  - vsl/vsr need the same shift count in every byte of VRB: vspltb copies
    the last byte over the others first;
  - VSCR bits other than NJ and SAT are reserved: mtvscr's operand is
    masked to those two first (QEMU keeps whatever is written);
  - bcdadd./bcdsub. operate on v24-v31 only, which start as valid signed
    packed decimals and which no other instruction writes; their results
    stay valid. QEMU 7.2 departs on invalid digits when the signs differ
    (it reports EQ, not the invalid-operand SO) and on adding two zeros of
    the same sign; the operands are always distinct registers, which keeps
    the second out in practice; the unit tests and tests/guests/areas/bcd
    cover invalid operands;
  - no vector floating point (NJ and the estimates are the implementation's
    choices where QEMU does not follow them).
"""

# v24-v31 hold packed decimals for bcdadd./bcdsub.
DECIMAL_REGISTERS = list(range(24, 32))
OTHER_REGISTERS = list(range(24))


def vx(xo, t, a, b):
    return (4 << 26) | (t << 21) | (a << 16) | (b << 11) | xo


def va(xo, t, a, b, c):
    return (4 << 26) | (t << 21) | (a << 16) | (b << 11) | (c << 6) | xo


def vc(xo, t, a, b, rc):
    return (4 << 26) | (t << 21) | (a << 16) | (b << 11) | (rc << 10) | xo


def xx3(xo8, t, a, b):
    """XX3 form on VSRs 32 + t, 32 + a, 32 + b (AX, BX, TX = 1)."""
    return (60 << 26) | (t << 21) | (a << 16) | (b << 11) | (xo8 << 3) | 0b111


# VX-form binary operations: (name, XO).
BINARY = [
    ("vaddubm", 0), ("vadduhm", 64), ("vadduwm", 128), ("vaddudm", 192), ("vaddubs", 512), ("vadduhs", 576),
    ("vadduws", 640), ("vaddsbs", 768), ("vaddshs", 832), ("vaddsws", 896), ("vaddcuw", 384), ("vadduqm", 256),
    ("vaddcuq", 320), ("vsububm", 1024), ("vsubuhm", 1088), ("vsubuwm", 1152), ("vsubudm", 1216),
    ("vsububs", 1536), ("vsubuhs", 1600), ("vsubuws", 1664), ("vsubsbs", 1792), ("vsubshs", 1856),
    ("vsubsws", 1920), ("vsubcuw", 1408), ("vsubuqm", 1280), ("vsubcuq", 1344),
    ("vmaxub", 2), ("vmaxsh", 322), ("vmaxsw", 386), ("vmaxud", 194), ("vminuh", 578), ("vminsb", 770),
    ("vminsd", 962), ("vminuw", 642), ("vavgub", 1026), ("vavgsh", 1346), ("vavguw", 1154), ("vavgsw", 1410),
    ("vrlb", 4), ("vrlh", 68), ("vrlw", 132), ("vrld", 196), ("vslb", 260), ("vslh", 324), ("vslw", 388),
    ("vsld", 1476), ("vsrb", 516), ("vsrw", 644), ("vsrd", 1732), ("vsrab", 772), ("vsraw", 900), ("vsrad", 964),
    ("vmuleub", 520), ("vmulesh", 840), ("vmuleuw", 648), ("vmuloub", 8), ("vmulosh", 328), ("vmulosw", 392),
    ("vmuluwm", 137), ("vsum4ubs", 1544), ("vsum4sbs", 1800), ("vsum4shs", 1608), ("vsum2sws", 1672),
    ("vsumsws", 1928),
    ("vand", 1028), ("vandc", 1092), ("vor", 1156), ("vxor", 1220), ("vnor", 1284), ("vorc", 1348),
    ("vnand", 1412), ("veqv", 1668), ("vslo", 1036), ("vsro", 1100),
    ("vmrghb", 12), ("vmrghh", 76), ("vmrghw", 140), ("vmrglb", 268), ("vmrglh", 332), ("vmrglw", 396),
    ("vmrgew", 1932), ("vmrgow", 1676),
    ("vpkuhum", 14), ("vpkuwum", 78), ("vpkudum", 1102), ("vpkuhus", 142), ("vpkuwus", 206), ("vpkudus", 1230),
    ("vpkshus", 270), ("vpkswus", 334), ("vpksdus", 1358), ("vpkshss", 398), ("vpkswss", 462),
    ("vpksdss", 1486), ("vpkpx", 782), ("vbpermq", 1356),
    ("vcipher", 1288), ("vcipherlast", 1289), ("vncipher", 1352), ("vncipherlast", 1353),
    ("vpmsumb", 1032), ("vpmsumh", 1096), ("vpmsumw", 1160), ("vpmsumd", 1224),
]
# The crypto instructions weigh more: they are what this mode is for.
HEAVY = {"vcipher", "vcipherlast", "vncipher", "vncipherlast", "vpmsumb", "vpmsumh", "vpmsumw", "vpmsumd"}
# VX-form with VRB only (VRA reserved, 0).
UNARY_B = [("vupkhsb", 526), ("vupklsb", 654), ("vupkhsh", 590), ("vupklsh", 718), ("vupkhsw", 1614),
           ("vupklsw", 1742), ("vupkhpx", 846), ("vupklpx", 974), ("vclzb", 1794), ("vclzh", 1858),
           ("vclzw", 1922), ("vclzd", 1986), ("vpopcntb", 1795), ("vpopcnth", 1859), ("vpopcntw", 1923),
           ("vpopcntd", 1987), ("vgbbd", 1292)]
# VA form: (name, XO).
THREE_OPERAND = [("vsel", 42), ("vperm", 43), ("vpermxor", 45), ("vaddeuqm", 60), ("vaddecuq", 61),
                 ("vsubeuqm", 62), ("vsubecuq", 63), ("vmladduhm", 34), ("vmhaddshs", 32), ("vmhraddshs", 33),
                 ("vmsumubm", 36), ("vmsummbm", 37), ("vmsumuhm", 38), ("vmsumuhs", 39), ("vmsumshm", 40),
                 ("vmsumshs", 41)]
# VC form (Rc sets CR6).
COMPARES = [("vcmpequb", 6), ("vcmpequh", 70), ("vcmpequw", 134), ("vcmpequd", 199), ("vcmpgtub", 518),
            ("vcmpgtuh", 582), ("vcmpgtuw", 646), ("vcmpgtud", 711), ("vcmpgtsb", 774), ("vcmpgtsh", 838),
            ("vcmpgtsw", 902), ("vcmpgtsd", 967)]
# VSX XX3 logical and merge operations on VSRs 32-63: (name, XO in bits 21:28).
VSX_BINARY = [("xxland", 130), ("xxlandc", 138), ("xxlor", 146), ("xxlxor", 154), ("xxlnor", 162),
              ("xxlorc", 170), ("xxlnand", 178), ("xxleqv", 186), ("xxmrghw", 18), ("xxmrglw", 50)]


class VectorKinds:
    def __init__(self, rng):
        self.rng = rng

    def vr(self):
        return self.rng.choice(OTHER_REGISTERS)

    def any_vr(self):
        return self.rng.randrange(32)

    # --- Values. ---
    def element_edges(self):
        r = self.rng
        width = r.choice([8, 16, 32, 64])
        edges = [0, 1, (1 << width) - 1, 1 << (width - 1), (1 << (width - 1)) - 1]
        value = 0
        for i in range(128 // width):
            value |= (r.choice(edges) if r.randrange(2) else r.getrandbits(width)) << (i * width)
        return value

    def vector_value(self):
        r = self.rng
        choice = r.randrange(4)
        if choice == 0:
            return self.element_edges()
        if choice == 1:  # a permute control or shift count: small bytes
            return sum(r.randrange(32) << (8 * i) for i in range(16))
        return r.getrandbits(128)

    def decimal_value(self):
        """A valid signed packed decimal: up to 31 digits, any sign code."""
        r = self.rng
        digits = r.choice([1, 3, 15, 30, 31, 31])
        value = 0
        for i in range(digits):
            value |= (9 if r.randrange(4) == 0 else r.randrange(10)) << (4 * (i + 1))
        if value == 0:
            value = 1 << 4  # never zero: see the module comment
        return value | r.choice([0xA, 0xB, 0xC, 0xD, 0xE, 0xF])

    def state_vectors(self):
        """The 32 VRs (as 128-bit values) and the initial VSCR."""
        values = [self.vector_value() for _ in range(24)] + [self.decimal_value() for _ in range(8)]
        vscr = self.rng.choice([0, 1, 0x10000, 0x10001])
        return values, vscr

    # --- The instruction kinds. ---
    def binary(self, name, xo):
        return name, [vx(xo, self.vr(), self.any_vr(), self.any_vr())]

    def unary_b(self, name, xo):
        return name, [vx(xo, self.vr(), 0, self.any_vr())]

    def three_operand(self, name, xo):
        return name, [va(xo, self.vr(), self.any_vr(), self.any_vr(), self.any_vr())]

    def compare(self, name, xo):
        return name + ("." if self.rng.randrange(2) else ""), [vc(xo, self.vr(), self.any_vr(), self.any_vr(),
                                                                  self.rng.randrange(2))]

    def vsldoi(self):
        return "vsldoi", [va(44, self.vr(), self.any_vr(), self.any_vr(), self.rng.randrange(16))]

    def shift_whole(self, name, xo):
        # The same shift count in every byte (else undefined): splat byte 15.
        rb = self.vr()
        return name, [vx(524, rb, 15, rb), vx(xo, self.vr(), self.any_vr(), rb)], 1

    def splat(self, name, xo, index_bits):
        return name, [vx(xo, self.vr(), self.rng.randrange(1 << index_bits), self.any_vr())]

    def splat_immediate(self, name, xo):
        return name, [vx(xo, self.vr(), self.rng.randrange(32), 0)]

    def vsbox(self):
        return "vsbox", [vx(1480, self.vr(), self.any_vr(), 0)]

    def sha_sigma(self, name, xo):
        return name, [vx(xo, self.vr(), self.any_vr(), self.rng.randrange(32))]

    def mfvscr(self):
        return "mfvscr", [vx(1540, self.vr(), 0, 0)]

    def mtvscr(self):
        # Only NJ and SAT (each halfword's low bit after vspltish 1).
        mask, source = self.rng.sample(OTHER_REGISTERS, 2)
        return "mtvscr", [vx(844, mask, 1, 0), vx(1028, source, source, mask), vx(1604, 0, 0, source)], 2

    def decimal(self, name, xo9):
        a, b = self.rng.sample(DECIMAL_REGISTERS, 2)
        ps = self.rng.randrange(2)
        word = (4 << 26) | (self.rng.choice(DECIMAL_REGISTERS) << 21) | (a << 16) | (b << 11) | (1 << 10) | (ps << 9) | xo9
        return name, [word]

    def vsx_binary(self, name, xo8):
        return name, [xx3(xo8, self.vr(), self.any_vr(), self.any_vr())]

    def xxpermdi(self):
        return "xxpermdi", [xx3((self.rng.randrange(4) << 5) | 10, self.vr(), self.any_vr(), self.any_vr())]

    def xxsldwi(self):
        return "xxsldwi", [xx3((self.rng.randrange(4) << 5) | 2, self.vr(), self.any_vr(), self.any_vr())]

    def xxspltw(self):
        t, b = self.vr(), self.any_vr()
        return "xxspltw", [(60 << 26) | (t << 21) | (self.rng.randrange(4) << 16) | (b << 11) | (164 << 2) | 0b11]

    def xxsel(self):
        t, a, b, c = self.vr(), self.any_vr(), self.any_vr(), self.any_vr()
        return "xxsel", [(60 << 26) | (t << 21) | (a << 16) | (b << 11) | (c << 6) | (3 << 4) | 0b1111]

    def kinds(self):
        k = []
        for name, xo in BINARY:
            k.append((4 if name in HEAVY else 1, lambda name=name, xo=xo: self.binary(name, xo)))
        for name, xo in UNARY_B:
            k.append((1, lambda name=name, xo=xo: self.unary_b(name, xo)))
        for name, xo in THREE_OPERAND:
            k.append((4 if name == "vpermxor" else 1, lambda name=name, xo=xo: self.three_operand(name, xo)))
        for name, xo in COMPARES:
            k.append((1, lambda name=name, xo=xo: self.compare(name, xo)))
        k.append((1, self.vsldoi))
        for name, xo in [("vsl", 452), ("vsr", 708)]:
            k.append((1, lambda name=name, xo=xo: self.shift_whole(name, xo)))
        for name, xo, bits in [("vspltb", 524, 4), ("vsplth", 588, 3), ("vspltw", 652, 2)]:
            k.append((1, lambda name=name, xo=xo, bits=bits: self.splat(name, xo, bits)))
        for name, xo in [("vspltisb", 780), ("vspltish", 844), ("vspltisw", 908)]:
            k.append((1, lambda name=name, xo=xo: self.splat_immediate(name, xo)))
        k.append((4, self.vsbox))
        for name, xo in [("vshasigmaw", 1666), ("vshasigmad", 1730)]:
            k.append((4, lambda name=name, xo=xo: self.sha_sigma(name, xo)))
        k.append((1, self.mfvscr))
        k.append((1, self.mtvscr))
        for name, xo9 in [("bcdadd.", 1), ("bcdsub.", 65)]:
            k.append((6, lambda name=name, xo9=xo9: self.decimal(name, xo9)))
        for name, xo8 in VSX_BINARY:
            k.append((1, lambda name=name, xo8=xo8: self.vsx_binary(name, xo8)))
        k += [(1, self.xxpermdi), (1, self.xxsldwi), (1, self.xxspltw), (1, self.xxsel)]
        return k
