// Emitter's helpers for the instructions of a run (run_emitter_x86_64.hpp):
// CR fields, carries, loads through the soft TLB, and the ways out of the
// run.
#include "decode_cache.hpp"
#include "run_emitter_x86_64.hpp"
#include "soft_tlb.hpp"

namespace mosaic::interp::x86_64 {

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
// `target`, and with update the EA to RA.
void Emitter::load(const LoadForm& form, unsigned target, unsigned ra, i64 displacement, unsigned rb,
                   std::size_t index) {
  const unsigned size = form.size;
  const bool sign = form.sign_extend;
  effective_address(ra, form.indexed, displacement, rb);
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
  if (form.update) mov(r8, rax);
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
  if (form.update) mov(gpr(ra), r8);
}

void Emitter::effective_address(unsigned ra, bool indexed, i64 displacement, unsigned rb) {
  if (ra == 0) xor_(eax, eax); else mov(rax, gpr(ra));  // an update form has RA != 0
  if (indexed) add(rax, gpr(rb));
  else if (displacement != 0) add(rax, static_cast<int>(displacement));
  mov(ecx, eax);
  test(msr_sf_byte(), 0x80);
  cmovz(rax, rcx);
}

// The same EA; on a soft-TLB hit (SoftTlb::find_write) to a real page that
// holds no decoded code, the low `size` bytes of GPR `source` go to memory
// in the guest's byte order, and with update the EA to RA.
void Emitter::store(const LoadForm& form, unsigned source, unsigned ra, i64 displacement, unsigned rb,
                    std::size_t index) {
  effective_address(ra, form.indexed, displacement, rb);
  mov(r9, qword[rdi + static_cast<int>(layout_.soft_tlb)]);
  lea(r10, ptr[rax + static_cast<int>(form.size - 1)]);
  and_(r10, ~static_cast<int>(kTlbPageMask));
  mov(r11, rax);
  shr(r11, kTlbPageShift);
  and_(r11d, static_cast<std::uint32_t>(SoftTlb::kEntries - 1));
  shl(r11d, 5);
  static_assert(SoftTlb::kWriteEntryBytes == 32);
  const auto table = static_cast<int>(SoftTlb::write_table_offset());
  const Xbyak::Label& leave = exit_to(index);
  cmp(r10, qword[r9 + r11 + table]);
  jne(leave);
  mov(r10, rax);
  add(r10, qword[r9 + r11 + table + 16]);  // the real address
  shr(r10, kDecodePageShift);
  mov(rcx, reinterpret_cast<std::uintptr_t>(layout_.code_pages));
  cmp(byte[rcx + r10], 0);
  jne(leave);
  if (form.update) mov(r8, rax);
  add(rax, qword[r9 + r11 + table + 8]);  // the host address
  mov(rcx, gpr(source));
  switch (form.size) {
    case 1: mov(byte[rax], cl); break;
    case 2:
      if (!little_endian_) rol(cx, 8);
      mov(word[rax], cx);
      break;
    case 4:
      if (!little_endian_) bswap(ecx);
      mov(dword[rax], ecx);
      break;
    default:
      if (!little_endian_) bswap(rcx);
      mov(qword[rax], rcx);
      break;
  }
  if (form.update) mov(gpr(ra), r8);
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

}  // namespace mosaic::interp::x86_64
