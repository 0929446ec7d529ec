// RunCompiler for x86-64 hosts: each run becomes one stretch of host code
// in a per-vCPU code space, emitted with Xbyak. The code is entered as a
// chained handler (System V: rdi the Cpu, rsi the run's first entry, rdx the
// chain's budget end) and leaves by jumping to the chained handler of the
// entry the guest goes on with, so it needs no stack. Guest GPRs stay in
// memory: every instruction loads its operands and stores its result.
#include "run_compiler.hpp"

#include <sys/mman.h>

#include <cstddef>
#include <limits>
#include <list>
#include <optional>

#define XBYAK_NO_OP_NAMES
#include <xbyak/xbyak.h>
#include <xbyak/xbyak_util.h>

#include "decode_cache.hpp"
#include "mosaic/ppc.hpp"
#include "soft_tlb.hpp"

namespace mosaic::interp {

namespace {

using u64 = std::uint64_t;
using i64 = std::int64_t;

constexpr std::size_t kCodeSpaceBytes = std::size_t{16} << 20;
// A run's code is far below this; compile() stops when less is left.
constexpr std::size_t kRoomPerRun = 8192;
constexpr int kEntryBytes = sizeof(DecodedInsn);
constexpr int kChainedOffset = offsetof(DecodedInsn, chained);

std::int64_t sign_extend(std::uint64_t value, unsigned bits_wide) {
  const unsigned unused = 64 - bits_wide;
  return static_cast<std::int64_t>(value << unused) >> unused;
}

bool fits_signed_32(i64 value) {
  return value >= std::numeric_limits<std::int32_t>::min() && value <= std::numeric_limits<std::int32_t>::max();
}

// The relative branch ending a run, to the entry at page index `target`:
// taken when CR bit `bit` equals `when` (if `conditional`) and, if it
// decrements CTR, when the new CTR is zero or not as `when_ctr_zero` says.
struct RunBranch {
  bool conditional = false;
  unsigned bit = 0;
  bool when = false;
  bool decrements_ctr = false;
  bool when_ctr_zero = false;
  std::size_t target = 0;
};

// The branch `word` at page index `index`, if it can end a run: AA = LK = 0
// and a target in the same page.
std::optional<RunBranch> run_branch(std::uint32_t word, std::size_t index) {
  const unsigned opcode = word >> 26;
  if ((word & 3) != 0 || (opcode != 16 && opcode != 18)) return std::nullopt;
  RunBranch branch;
  i64 displacement = 0;
  if (opcode == 18) {
    displacement = sign_extend(word & 0x03fffffc, 26);
  } else {
    const unsigned bo = bits(word, 6, 10);
    branch.decrements_ctr = (bo & 0x04) == 0;
    branch.when_ctr_zero = (bo & 0x02) != 0;
    branch.conditional = (bo & 0x10) == 0;
    branch.bit = bits(word, 11, 15);
    branch.when = (bo & 0x08) != 0;
    displacement = sign_extend(word & 0xfffc, 16);
  }
  const i64 target = static_cast<i64>(index) + displacement / 4;
  if (target < 0 || target >= static_cast<i64>(kInsnsPerPage)) return std::nullopt;
  branch.target = static_cast<std::size_t>(target);
  return branch;
}

class Emitter : public Xbyak::CodeGenerator {
 public:
  Emitter(std::size_t room, void* at, const RunLayout& layout, bool little_endian, std::size_t first_index,
          ChainedHandler interpret)
      : CodeGenerator(room, at), layout_(layout), little_endian_(little_endian), first_index_(first_index),
        interpret_(interpret) {
    setDefaultJmpNEAR(true);
  }

  // Displacement 0 with `indexed`: RB is added instead.
  void load(unsigned target, unsigned ra, bool indexed, i64 displacement, unsigned rb, unsigned size,
            bool sign_extend, std::size_t index);
  // The way out to the entry at `index`, where the interpreter goes on
  // (a load that missed the soft TLB runs there in full).
  const Xbyak::Label& exit_to(std::size_t index) { return exits_.emplace_back(Xbyak::Label{}, index).first; }
  void emit_exits();

  void compare(unsigned field, bool is_signed, bool doublewords, unsigned ra, std::optional<i64> immediate,
               unsigned rb);
  void record(unsigned target);
  void add_carrying(unsigned target, bool record);
  void shift_right_algebraic(unsigned target, unsigned source, unsigned amount, bool word, bool record);
  void prepare_cr_field();
  void write_cr_field(unsigned field, bool is_signed);
  void branch_from(const RunBranch& branch, std::size_t branch_index, std::size_t first_index);
  void go_on_at(std::size_t index, std::size_t first_index);

  Xbyak::Address gpr(unsigned r) const { return qword[rdi + static_cast<int>(layout_.gpr + 8 * r)]; }
  Xbyak::Address gpr_word(unsigned r) const { return dword[rdi + static_cast<int>(layout_.gpr + 8 * r)]; }
  Xbyak::Address gpr_byte(unsigned r) const { return byte[rdi + static_cast<int>(layout_.gpr + 8 * r)]; }
  Xbyak::Address gpr_halfword(unsigned r) const { return word[rdi + static_cast<int>(layout_.gpr + 8 * r)]; }
  Xbyak::Address cr() const { return dword[rdi + static_cast<int>(layout_.cr)]; }
  Xbyak::Address ctr() const { return qword[rdi + static_cast<int>(layout_.ctr)]; }
  Xbyak::Address xer_so() const { return byte[rdi + static_cast<int>(layout_.xer_so)]; }
  Xbyak::Address xer_ca() const { return byte[rdi + static_cast<int>(layout_.xer_ca)]; }
  // The byte of the MSR that holds SF, its top bit (the host is little-endian).
  Xbyak::Address msr_sf_byte() const {
    static_assert(ppc::msr::kSixtyFour == std::uint64_t{1} << 63);
    return byte[rdi + static_cast<int>(layout_.msr + 7)];
  }

 private:
  const RunLayout& layout_;
  bool little_endian_;
  std::size_t first_index_;
  ChainedHandler interpret_;
  std::list<std::pair<Xbyak::Label, std::size_t>> exits_;
};

// Fixed-point loads without update (D, DS and X forms): the soft TLB's hit
// inline, a miss leaves the run at the load's entry. Emits when `emit` is
// set; says whether a run may hold `word` (at page index `index`).
bool fixed_point_load(std::uint32_t word, Emitter* emit, std::size_t index) {
  const unsigned opcode = word >> 26;
  const unsigned rt = bits(word, 6, 10), ra = bits(word, 11, 15), rb = bits(word, 16, 20);
  unsigned size = 0;
  bool sign = false;
  bool indexed = false;
  i64 displacement = sign_extend(word & 0xffff, 16);
  switch (opcode) {
    case 34: size = 1; break;               // lbz
    case 40: size = 2; break;               // lhz
    case 42: size = 2; sign = true; break;  // lha
    case 32: size = 4; break;               // lwz
    case 58:                                // ld, lwa (DS form)
      if ((word & 3) == 1 || (word & 3) == 3) return false;
      size = (word & 3) == 0 ? 8 : 4;
      sign = (word & 3) == 2;
      displacement = sign_extend(word & 0xfffc, 16);
      break;
    case 31:
      indexed = true;
      displacement = 0;
      if ((word & 1) != 0) return false;
      switch (bits(word, 21, 30)) {
        case 87: size = 1; break;                // lbzx
        case 279: size = 2; break;               // lhzx
        case 343: size = 2; sign = true; break;  // lhax
        case 23: size = 4; break;                // lwzx
        case 341: size = 4; sign = true; break;  // lwax
        case 21: size = 8; break;                // ldx
        default: return false;
      }
      break;
    default: return false;
  }
  if (emit) emit->load(rt, ra, indexed, displacement, rb, size, sign, index);
  return true;
}

// Emits the fixed-point instruction `word` when `emit` is set, and says
// whether a run may hold it. One function for both, so that what a run takes
// and what is emitted cannot disagree.
bool fixed_point(std::uint32_t word, Emitter* emit, bool has_popcnt, bool has_lzcnt) {
  const unsigned opcode = word >> 26;
  const unsigned rt = bits(word, 6, 10), ra = bits(word, 11, 15), rb = bits(word, 16, 20);
  const i64 si = sign_extend(word & 0xffff, 16);
  const u64 ui = word & 0xffff;
  // Rc, in the forms that have one (elsewhere bit 31 is part of a field).
  const bool record = (opcode == 21 || opcode == 30 || opcode == 31) && (word & 1) != 0;
  using namespace Xbyak::util;
  // The result in rax goes to GPR `target`, and with Rc to CR0 as well.
  const auto store = [&](unsigned target) {
    emit->mov(emit->gpr(target), rax);
    if (record) emit->record(target);
  };
  switch (opcode) {
    case 14: case 15: {  // addi, addis (li, lis with RA = 0)
      if (!emit) return true;
      const i64 addend = opcode == 15 ? si * 65536 : si;
      if (ra == 0) {
        emit->mov(emit->gpr(rt), static_cast<int>(addend));
      } else if (ra == rt) {
        if (addend != 0) emit->add(emit->gpr(rt), static_cast<int>(addend));
      } else {
        emit->mov(rax, emit->gpr(ra));
        if (addend != 0) emit->add(rax, static_cast<int>(addend));
        store(rt);
      }
      return true;
    }
    case 12: case 13: case 8:  // addic, addic., subfic: RA (or not RA) + SI (+ 1), setting CA
      if (!emit) return true;
      emit->mov(rax, emit->gpr(ra));
      if (opcode == 8) emit->not_(rax);
      emit->mov(rcx, si);
      emit->mov(r8d, opcode == 8 ? 1 : 0);
      emit->add_carrying(rt, opcode == 13);
      return true;
    case 7:  // mulli
      if (!emit) return true;
      emit->imul(rax, emit->gpr(ra), static_cast<int>(si));
      store(rt);
      return true;
    case 24: case 25: case 26: case 27: case 28: case 29: {  // ori, oris, xori, xoris, andi., andis.
      if (!emit) return true;
      // RA from RS (the rt field). Bit 31 belongs to UI here; andi. and
      // andis. always record.
      const u64 value = opcode & 1 ? ui << 16 : ui;
      if (value == 0 && rt == ra && opcode < 28) return true;  // nop
      emit->mov(rax, emit->gpr(rt));
      emit->mov(ecx, static_cast<std::uint32_t>(value));  // zero-extended
      if (opcode < 26) emit->or_(rax, rcx); else if (opcode < 28) emit->xor_(rax, rcx); else emit->and_(rax, rcx);
      emit->mov(emit->gpr(ra), rax);
      if (opcode >= 28) emit->record(ra);
      return true;
    }
    case 10: case 11:  // cmpli, cmpi
      if (bits(word, 9, 9) != 0) return false;
      if (emit) {
        emit->compare(bits(word, 6, 8), opcode == 11, bits(word, 10, 10) != 0, ra,
                      opcode == 11 ? si : static_cast<i64>(ui), 0);
      }
      return true;
    case 21: {  // rlwinm: the word rotated, in both halves, under MASK(mb + 32, me + 32)
      if (!emit) return true;
      const unsigned mb = bits(word, 21, 25), me = bits(word, 26, 30);
      const u64 mask = rotate_mask(mb + 32, me + 32);
      emit->mov(eax, emit->gpr_word(rt));
      if (rb != 0) emit->rol(eax, static_cast<std::uint8_t>(rb));
      if ((mask >> 32) != 0) {
        emit->mov(ecx, eax);
        emit->shl(rcx, 32);
        emit->or_(rax, rcx);
        emit->mov(rcx, mask);
        emit->and_(rax, rcx);
      } else if (mask != 0xffffffff) {
        emit->and_(eax, static_cast<std::uint32_t>(mask));
      }
      store(ra);
      return true;
    }
    case 30: {  // rldicl, rldicr, rldic: the doubleword rotated under a mask
      const unsigned form = bits(word, 27, 29);
      if (form > 2) return false;
      if (!emit) return true;
      const unsigned shift = rb | (bits(word, 30, 30) << 5);
      const unsigned bound = bits(word, 21, 25) | (bits(word, 26, 26) << 5);
      const u64 mask = form == 0 ? rotate_mask(bound, 63) : form == 1 ? rotate_mask(0, bound)
                                                                        : rotate_mask(bound, 63 - shift);
      emit->mov(rax, emit->gpr(rt));
      if (shift != 0) emit->rol(rax, static_cast<std::uint8_t>(shift));
      if (mask != ~u64{0}) {
        if (fits_signed_32(static_cast<i64>(mask))) {
          emit->and_(rax, static_cast<std::uint32_t>(mask));
        } else {
          emit->mov(rcx, mask);
          emit->and_(rax, rcx);
        }
      }
      store(ra);
      return true;
    }
    case 31: break;
    default: return false;
  }

  // Primary 31. XO-form arithmetic with OE = 0 (bit 21 is part of xo here).
  const unsigned xo = bits(word, 21, 30);
  switch (xo) {
    case 266: case 40:  // add, subf (RB - RA)
      if (!emit) return true;
      if (xo == 266) {
        emit->mov(rax, emit->gpr(ra));
        emit->add(rax, emit->gpr(rb));
      } else {
        emit->mov(rax, emit->gpr(rb));
        emit->sub(rax, emit->gpr(ra));
      }
      store(rt);
      return true;
    case 104:  // neg
      if (!emit) return true;
      emit->mov(rax, emit->gpr(ra));
      emit->neg(rax);
      store(rt);
      return true;
    case 233:  // mulld
      if (!emit) return true;
      emit->mov(rax, emit->gpr(ra));
      emit->imul(rax, emit->gpr(rb));
      store(rt);
      return true;
    case 235:  // mullw: the 64-bit product of the signed low words
      if (!emit) return true;
      emit->movsxd(rax, emit->gpr_word(ra));
      emit->movsxd(rcx, emit->gpr_word(rb));
      emit->imul(rax, rcx);
      store(rt);
      return true;
    case 457: case 489: case 459: case 491: {  // divdu, divd, divwu, divw
      if (!emit) return true;
      // An undefined quotient (a zero divisor, or the most negative
      // dividend over -1) is 0, as the interpreter makes it; the word forms
      // zero-extend their quotient. rdx, the budget end, waits in r8.
      const bool doubleword = xo == 457 || xo == 489;
      const bool is_signed = xo == 489 || xo == 491;
      Xbyak::Label undefined, done;
      const Xbyak::Reg& divisor = doubleword ? static_cast<const Xbyak::Reg&>(rcx) : ecx;
      const Xbyak::Reg& dividend = doubleword ? static_cast<const Xbyak::Reg&>(rax) : eax;
      emit->mov(divisor, doubleword ? emit->gpr(rb) : emit->gpr_word(rb));
      emit->mov(dividend, doubleword ? emit->gpr(ra) : emit->gpr_word(ra));
      emit->test(divisor, divisor);
      emit->jz(undefined);
      emit->mov(r8, rdx);
      if (is_signed) {
        Xbyak::Label divide;
        emit->cmp(divisor, -1);
        emit->jne(divide);
        if (doubleword) {
          emit->mov(r9, std::numeric_limits<i64>::min());
          emit->cmp(rax, r9);
        } else {
          emit->cmp(eax, 0x80000000);
        }
        emit->je(undefined);
        emit->L(divide);
        if (doubleword) emit->cqo(); else emit->cdq();
        emit->idiv(divisor);
      } else {
        emit->xor_(edx, edx);
        emit->div(divisor);
      }
      emit->mov(rdx, r8);
      emit->jmp(done);
      emit->L(undefined);
      emit->xor_(eax, eax);
      emit->L(done);
      store(rt);
      return true;
    }
    case 10: case 8: case 138: case 136: case 202: case 200: case 234: case 232: {
      // addc, subfc, adde, subfe, addze, subfze, addme, subfme: RA or not
      // RA, plus RB, 0 or -1, plus 0, 1 or CA, setting CA.
      if (!emit) return true;
      const bool complement = xo == 8 || xo == 136 || xo == 200 || xo == 232;
      emit->mov(rax, emit->gpr(ra));
      if (complement) emit->not_(rax);
      if (xo == 10 || xo == 8 || xo == 138 || xo == 136) emit->mov(rcx, emit->gpr(rb));
      else if (xo == 202 || xo == 200) emit->xor_(ecx, ecx);
      else emit->mov(rcx, -1);
      if (xo == 10) emit->xor_(r8d, r8d);
      else if (xo == 8) emit->mov(r8d, 1);
      else emit->movzx(r8d, emit->xer_ca());
      emit->add_carrying(rt, record);
      return true;
    }
    case 0: case 32:  // cmp, cmpl
      if (bits(word, 9, 9) != 0 || record) return false;
      if (emit) emit->compare(bits(word, 6, 8), xo == 0, bits(word, 10, 10) != 0, ra, std::nullopt, rb);
      return true;
    default: break;
  }

  // X-form logical, shift and count instructions: RA from RS (the rt field).
  const unsigned rs = rt;
  switch (xo) {
    case 28: case 444: case 316: case 124: case 476: case 284:  // and, or, xor, nor, nand, eqv
      if (!emit) return true;
      emit->mov(rax, emit->gpr(rs));
      if (xo == 28 || xo == 476) emit->and_(rax, emit->gpr(rb));
      if (xo == 444 || xo == 124) {
        if (rb != rs) emit->or_(rax, emit->gpr(rb));
      }
      if (xo == 316 || xo == 284) emit->xor_(rax, emit->gpr(rb));
      if (xo == 124 || xo == 476 || xo == 284) emit->not_(rax);
      store(ra);
      return true;
    case 60: case 412:  // andc, orc
      if (!emit) return true;
      emit->mov(rax, emit->gpr(rb));
      emit->not_(rax);
      if (xo == 60) emit->and_(rax, emit->gpr(rs)); else emit->or_(rax, emit->gpr(rs));
      store(ra);
      return true;
    case 954: case 922: case 986:  // extsb, extsh, extsw
      if (!emit) return true;
      if (xo == 954) emit->movsx(rax, emit->gpr_byte(rs));
      if (xo == 922) emit->movsx(rax, emit->gpr_halfword(rs));
      if (xo == 986) emit->movsxd(rax, emit->gpr_word(rs));
      store(ra);
      return true;
    case 26: case 58:  // cntlzw, cntlzd
      if (!has_lzcnt) return false;
      if (!emit) return true;
      if (xo == 26) emit->lzcnt(eax, emit->gpr_word(rs)); else emit->lzcnt(rax, emit->gpr(rs));
      store(ra);
      return true;
    case 506:  // popcntd
      if (!has_popcnt || record) return false;
      if (!emit) return true;
      emit->popcnt(rax, emit->gpr(rs));
      store(ra);
      return true;
    case 824:  // srawi
      if (!emit) return true;
      emit->shift_right_algebraic(ra, rs, rb, true, record);
      return true;
    case 826: case 827:  // sradi (XS-form: sh5 in bit 30, read as xo's low bit)
      if (!emit) return true;
      emit->shift_right_algebraic(ra, rs, rb | (bits(word, 30, 30) << 5), false, record);
      return true;
    case 27: case 539: case 24: case 536: {  // sld, srd, slw, srw
      if (!emit) return true;
      // RB's low 7 (doubleword) or 6 (word) bits: an amount with its top
      // bit set shifts everything out; the host masks the amount to its
      // low 6 or 5 bits.
      const bool doubleword = xo == 27 || xo == 539;
      const bool left = xo == 27 || xo == 24;
      emit->mov(rcx, emit->gpr(rb));
      const Xbyak::Reg& value = doubleword ? static_cast<const Xbyak::Reg&>(rax) : eax;
      emit->mov(value, doubleword ? emit->gpr(rs) : emit->gpr_word(rs));
      if (left) emit->shl(value, cl); else emit->shr(value, cl);
      emit->xor_(r8d, r8d);
      emit->test(cl, doubleword ? 0x40 : 0x20);
      if (doubleword) emit->cmovnz(rax, r8); else emit->cmovnz(eax, r8d);
      store(ra);
      return true;
    }
    default: return false;
  }
}

// CR field `field` = LT, GT, EQ from comparing RA (or its low word, sign- or
// zero-extended) with RB or the immediate, and SO from XER.
void Emitter::compare(unsigned field, bool is_signed, bool doublewords, unsigned ra, std::optional<i64> immediate,
                      unsigned rb) {
  const auto load = [&](const Xbyak::Reg64& to, unsigned r) {
    if (doublewords) mov(to, gpr(r));
    else if (is_signed) movsxd(to, gpr_word(r));
    else mov(to.cvt32(), gpr_word(r));
  };
  load(rax, ra);
  if (!immediate) load(rcx, rb);
  prepare_cr_field();
  // A word immediate is the same number as its extended low word.
  if (immediate) cmp(rax, static_cast<int>(*immediate)); else cmp(rax, rcx);
  write_cr_field(field, is_signed);
}

// CR0 from the result just written to GPR `target` compared with 0: the
// whole doubleword in 64-bit mode, the sign-extended low word in 32-bit
// mode (as record_cr0).
void Emitter::record(unsigned target) {
  mov(rcx, gpr(target));
  movsxd(rax, ecx);
  test(msr_sf_byte(), 0x80);
  cmovz(rcx, rax);
  prepare_cr_field();
  test(rcx, rcx);
  write_cr_field(0, true);
}

// GPR `target` = rax + rcx + r8 (0 or 1), CA = the carry out of bit 0 in
// 64-bit mode, out of bit 32 in 32-bit mode (as the interpreter's
// add_extended); then CR0 when `record`.
void Emitter::add_carrying(unsigned target, bool record_cr0) {
  mov(r9d, eax);
  mov(r10d, ecx);
  add(r9, r10);
  add(r9, r8);
  shr(r9, 32);  // the carry out of the low words
  add(rax, r8);
  setc(r10b);
  add(rax, rcx);
  setc(r11b);
  or_(r10b, r11b);
  movzx(r10d, r10b);
  test(msr_sf_byte(), 0x80);
  cmovz(r10d, r9d);
  mov(xer_ca(), r10b);
  mov(gpr(target), rax);
  if (record_cr0) record(target);
}

// GPR `target` = GPR `source` (its low word sign-extended, for srawi)
// shifted right by `amount` with copies of its sign; CA = it is negative
// and a 1 bit was shifted out.
void Emitter::shift_right_algebraic(unsigned target, unsigned source, unsigned amount, bool word, bool record_cr0) {
  if (word) movsxd(rax, gpr_word(source)); else mov(rax, gpr(source));
  mov(rcx, rax);
  if (amount != 0) sar(rax, static_cast<std::uint8_t>(amount));
  mov(gpr(target), rax);
  xor_(r8d, r8d);
  if (amount != 0) {
    mov(r9, (std::uint64_t{1} << amount) - 1);
    test(rcx, r9);
    setnz(r8b);
    test(rcx, rcx);
    sets(r9b);
    and_(r8b, r9b);
  }
  mov(xer_ca(), r8b);
  if (record_cr0) record(target);
}

// Before the comparison: r8d starts as no bit, r9d-r11d hold LT, GT, EQ.
void Emitter::prepare_cr_field() {
  xor_(r8d, r8d);
  mov(r9d, 8);
  mov(r10d, 4);
  mov(r11d, 2);
}

// After the comparison, from its flags: CR field `field` = LT, GT, EQ and
// XER[SO]. Uses eax and r8d-r11d.
void Emitter::write_cr_field(unsigned field, bool is_signed) {
  if (is_signed) {
    cmovl(r8d, r9d);
    cmovg(r8d, r10d);
  } else {
    cmovb(r8d, r9d);
    cmova(r8d, r10d);
  }
  cmove(r8d, r11d);
  movzx(eax, xer_so());
  or_(r8d, eax);
  const unsigned shift = 28 - 4 * field;
  mov(eax, cr());
  and_(eax, ~(std::uint32_t{0xf} << shift));
  if (shift != 0) shl(r8d, static_cast<std::uint8_t>(shift));
  or_(eax, r8d);
  mov(cr(), eax);
}

// EA = (RA|0) + displacement or RB, masked to 32 bits in 32-bit mode; on a
// soft-TLB hit (SoftTlb::find_read: the slot of the EA, tagged with the page
// of the last byte) the value in the guest's byte order goes to GPR
// `target`.
void Emitter::load(unsigned target, unsigned ra, bool indexed, i64 displacement, unsigned rb, unsigned size,
                   bool sign, std::size_t index) {
  if (ra == 0) xor_(eax, eax); else mov(rax, gpr(ra));
  if (indexed) add(rax, gpr(rb));
  else if (displacement != 0) add(rax, static_cast<int>(displacement));
  mov(ecx, eax);
  test(msr_sf_byte(), 0x80);
  cmovz(rax, rcx);
  mov(r9, qword[rdi + static_cast<int>(layout_.soft_tlb)]);
  lea(r10, ptr[rax + static_cast<int>(size - 1)]);
  and_(r10, ~static_cast<int>(kTlbPageMask));
  mov(r11, rax);
  shr(r11, kTlbPageShift);
  and_(r11d, static_cast<std::uint32_t>(SoftTlb::kEntries - 1));
  shl(r11d, 4);
  static_assert(SoftTlb::kReadEntryBytes == 16);
  const auto table = static_cast<int>(SoftTlb::read_table_offset());
  cmp(r10, qword[r9 + r11 + table]);
  jne(exit_to(index));
  add(rax, qword[r9 + r11 + table + 8]);
  switch (size) {
    case 1: movzx(ecx, byte[rax]); break;
    case 2:
      movzx(ecx, word[rax]);
      if (!little_endian_) rol(cx, 8);
      if (sign) movsx(rcx, cx);
      break;
    case 4:
      mov(ecx, dword[rax]);
      if (!little_endian_) bswap(ecx);
      if (sign) movsxd(rcx, ecx);
      break;
    default:
      mov(rcx, qword[rax]);
      if (!little_endian_) bswap(rcx);
      break;
  }
  mov(gpr(target), rcx);
}

void Emitter::emit_exits() {
  for (auto& [label, index] : exits_) {
    L(label);
    if (index != first_index_) {
      go_on_at(index, first_index_);
    } else {
      mov(rax, reinterpret_cast<std::uintptr_t>(interpret_));
      jmp(rax);
    }
  }
}

// Goes on with the entry at page index `index`, as a fall-through does.
void Emitter::go_on_at(std::size_t index, std::size_t first_index) {
  const auto step = static_cast<int>((static_cast<i64>(index) - static_cast<i64>(first_index)) * kEntryBytes);
  if (step != 0) add(rsi, step);
  jmp(qword[rsi + kChainedOffset]);
}

// As Cpu::chain_taken and the chained bc: taken, the chain goes on at the
// target with one instruction less of budget; backward (or to itself) only
// while budget is left, else the branch's own entry runs it (and ends the
// chain there), so a CTR decrement is only stored once the branch is
// decided here.
void Emitter::branch_from(const RunBranch& branch, std::size_t branch_index, std::size_t first_index) {
  Xbyak::Label not_taken, out_of_budget;
  if (branch.decrements_ctr) {
    // The new CTR in r8; it is tested in the mode's width (address_mask).
    mov(r8, ctr());
    sub(r8, 1);
    mov(ecx, r8d);
    test(msr_sf_byte(), 0x80);
    cmovnz(rcx, r8);
    test(rcx, rcx);
    if (branch.when_ctr_zero) jnz(not_taken, T_NEAR); else jz(not_taken, T_NEAR);
  }
  if (branch.conditional) {
    test(cr(), std::uint32_t{1} << (31 - branch.bit));
    if (branch.when) jz(not_taken, T_NEAR); else jnz(not_taken, T_NEAR);
  }
  const i64 shift = (static_cast<i64>(branch.target) - static_cast<i64>(branch_index)) * kEntryBytes;
  if (branch.target <= branch_index) {
    lea(r9, ptr[rsi + static_cast<int>((branch_index - first_index) * kEntryBytes)]);
    mov(r10, rdx);
    sub(r10, r9);
    cmp(r10, kEntryBytes);
    jl(out_of_budget, T_NEAR);
  }
  if (branch.decrements_ctr) mov(ctr(), r8);
  add(rdx, static_cast<int>(shift - kEntryBytes));
  go_on_at(branch.target, first_index);
  if (branch.conditional || branch.decrements_ctr) {
    L(not_taken);
    if (branch.decrements_ctr) mov(ctr(), r8);
    go_on_at(branch_index + 1, first_index);
  }
  if (branch.target <= branch_index) {
    L(out_of_budget);
    go_on_at(branch_index, first_index);
  }
}

}  // namespace

struct RunCompiler::Impl {
  // Reserved at the first compilation: most vCPUs of the tests never compile.
  bool reserve_space();

  std::byte* space = nullptr;
  bool refused = false;  // the host would not map executable memory
  std::size_t used = 0;
  bool full = false;
  std::size_t runs = 0;
  bool has_popcnt = false;
  bool has_lzcnt = false;
};

bool RunCompiler::Impl::reserve_space() {
  if (space != nullptr) return true;
  // Writable and executable at once: runs are compiled while others run,
  // and the code space belongs to this vCPU's thread alone.
  void* mapped = mmap(nullptr, kCodeSpaceBytes, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapped == MAP_FAILED) {
    refused = true;
    return false;
  }
  space = static_cast<std::byte*>(mapped);
  return true;
}

RunCompiler::RunCompiler() : impl_(std::make_unique<Impl>()) {
  const Xbyak::util::Cpu host;
  impl_->has_popcnt = host.has(Xbyak::util::Cpu::tPOPCNT);
  impl_->has_lzcnt = host.has(Xbyak::util::Cpu::tLZCNT);
}

RunCompiler::~RunCompiler() {
  if (impl_->space != nullptr) munmap(impl_->space, kCodeSpaceBytes);
}

std::size_t RunCompiler::run_length(std::span<const std::uint32_t> words, std::size_t first_index) const {
  if (impl_->refused) return 0;
  std::size_t length = 0;
  while (length < words.size() && length + 1 < kMaxRun &&
         (fixed_point(words[length], nullptr, impl_->has_popcnt, impl_->has_lzcnt) ||
          fixed_point_load(words[length], nullptr, first_index + length))) {
    ++length;
  }
  if (length < words.size() && run_branch(words[length], first_index + length)) ++length;
  return length;
}

ChainedHandler RunCompiler::compile(std::span<const std::uint32_t> words, std::size_t first_index,
                                    const RunLayout& layout, bool little_endian, ChainedHandler interpret) {
  const std::size_t length = run_length(words, first_index);
  if (length == 0 || impl_->full || !impl_->reserve_space()) return nullptr;
  if (kCodeSpaceBytes - impl_->used < kRoomPerRun) {
    impl_->full = true;
    return nullptr;
  }
  try {
    Emitter emit(kRoomPerRun, impl_->space + impl_->used, layout, little_endian, first_index, interpret);
    std::size_t index = first_index;
    for (const std::uint32_t word : words.first(length)) {
      if (!fixed_point(word, &emit, impl_->has_popcnt, impl_->has_lzcnt) && !fixed_point_load(word, &emit, index)) {
        emit.branch_from(*run_branch(word, index), index, first_index);
        break;
      }
      ++index;
    }
    if (index == first_index + length) emit.go_on_at(index, first_index);
    emit.emit_exits();
    impl_->used += (emit.getSize() + 15) & ~std::size_t{15};
    ++impl_->runs;
    return reinterpret_cast<ChainedHandler>(const_cast<std::uint8_t*>(emit.getCode()));
  } catch (const Xbyak::Error&) {
    // The run did not fit its room (it cannot, by kMaxRun): left to the
    // interpreter.
    return nullptr;
  }
}

bool RunCompiler::full() const { return impl_->full; }

bool RunCompiler::compiles() const { return !impl_->refused; }

void RunCompiler::reset() {
  impl_->used = 0;
  impl_->full = false;
}

std::size_t RunCompiler::compiled_runs() const { return impl_->runs; }

}  // namespace mosaic::interp
