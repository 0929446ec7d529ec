// Which instructions a run may hold, and their host code (see
// run_emitter_x86_64.hpp). Fields in the ISA's MSB-0 numbering (bits()).
#include <limits>

#include "decode_cache.hpp"
#include "run_emitter_x86_64.hpp"

namespace mosaic::interp::x86_64 {

namespace {

bool fits_signed_32(i64 value) {
  return value >= std::numeric_limits<std::int32_t>::min() && value <= std::numeric_limits<std::int32_t>::max();
}

}  // namespace

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

// Loads: D, DS and X forms, with and without update (see Emitter::load).
bool fixed_point_load(std::uint32_t word, Emitter* emit, std::size_t index) {
  const unsigned opcode = word >> 26;
  const unsigned rt = bits(word, 6, 10), ra = bits(word, 11, 15), rb = bits(word, 16, 20);
  LoadForm form;
  i64 displacement = sign_extend(word & 0xffff, 16);
  switch (opcode) {
    case 34: case 35: form = {1, false, false, opcode == 35}; break;  // lbz, lbzu
    case 40: case 41: form = {2, false, false, opcode == 41}; break;  // lhz, lhzu
    case 42: case 43: form = {2, true, false, opcode == 43}; break;   // lha, lhau
    case 32: case 33: form = {4, false, false, opcode == 33}; break;  // lwz, lwzu
    case 58:                                                          // ld, ldu, lwa (DS form)
      if ((word & 3) == 3) return false;
      form = {(word & 3) == 2 ? 4u : 8u, (word & 3) == 2, false, (word & 3) == 1};
      displacement = sign_extend(word & 0xfffc, 16);
      break;
    case 31:
      displacement = 0;
      if ((word & 1) != 0) return false;
      switch (bits(word, 21, 30)) {
        case 87: case 119: form = {1, false, true, bits(word, 21, 30) == 119}; break;   // lbzx, lbzux
        case 279: case 311: form = {2, false, true, bits(word, 21, 30) == 311}; break;  // lhzx, lhzux
        case 343: case 375: form = {2, true, true, bits(word, 21, 30) == 375}; break;   // lhax, lhaux
        case 23: case 55: form = {4, false, true, bits(word, 21, 30) == 55}; break;     // lwzx, lwzux
        case 341: case 373: form = {4, true, true, bits(word, 21, 30) == 373}; break;   // lwax, lwaux
        case 21: case 53: form = {8, false, true, bits(word, 21, 30) == 53}; break;     // ldx, ldux
        default: return false;
      }
      break;
    default: return false;
  }
  // The invalid update forms (Book I 3.3.2) are left to the interpreter.
  if (form.update && (ra == 0 || ra == rt)) return false;
  if (emit) emit->load(form, rt, ra, displacement, rb, index);
  return true;
}

// Stores: D, DS and X forms, with and without update (see Emitter::store).
bool fixed_point_store(std::uint32_t word, Emitter* emit, std::size_t index) {
  const unsigned opcode = word >> 26;
  const unsigned rs = bits(word, 6, 10), ra = bits(word, 11, 15), rb = bits(word, 16, 20);
  LoadForm form;
  i64 displacement = sign_extend(word & 0xffff, 16);
  switch (opcode) {
    case 38: case 39: form = {1, false, false, opcode == 39}; break;  // stb, stbu
    case 44: case 45: form = {2, false, false, opcode == 45}; break;  // sth, sthu
    case 36: case 37: form = {4, false, false, opcode == 37}; break;  // stw, stwu
    case 62:                                                          // std, stdu (DS form)
      if ((word & 3) > 1) return false;
      form = {8, false, false, (word & 3) == 1};
      displacement = sign_extend(word & 0xfffc, 16);
      break;
    case 31: {
      displacement = 0;
      if ((word & 1) != 0) return false;
      const unsigned xo = bits(word, 21, 30);
      switch (xo) {
        case 215: case 247: form = {1, false, true, xo == 247}; break;  // stbx, stbux
        case 407: case 439: form = {2, false, true, xo == 439}; break;  // sthx, sthux
        case 151: case 183: form = {4, false, true, xo == 183}; break;  // stwx, stwux
        case 149: case 181: form = {8, false, true, xo == 181}; break;  // stdx, stdux
        default: return false;
      }
      break;
    }
    default: return false;
  }
  // The invalid update forms (RA = 0) are left to the interpreter.
  if (form.update && ra == 0) return false;
  if (emit) emit->store(form, rs, ra, displacement, rb, index);
  return true;
}

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

}  // namespace mosaic::interp::x86_64
