#include "decoder.hpp"

#include <algorithm>
#include <iterator>

#include "chained_dispatch.hpp"
#include "insn_groups.hpp"

namespace mosaic::interp {

DecodeTable::DecodeTable() {
  std::fill(std::begin(primary_), std::end(primary_), chain<&illegal_instruction>);
  std::fill(std::begin(op19_), std::end(op19_), chain<&illegal_instruction>);
  std::fill(std::begin(op31_), std::end(op31_), chain<&illegal_instruction>);
  std::fill(std::begin(op30_), std::end(op30_), chain<&illegal_instruction>);
  std::fill(std::begin(op58_), std::end(op58_), chain<&illegal_instruction>);
  std::fill(std::begin(op62_), std::end(op62_), chain<&illegal_instruction>);
  std::fill(std::begin(op59_), std::end(op59_), chain<&illegal_instruction>);
  std::fill(std::begin(op63_), std::end(op63_), chain<&illegal_instruction>);
  std::fill(std::begin(op4_), std::end(op4_), chain<&illegal_instruction>);
  std::fill(std::begin(op60_), std::end(op60_), chain<&illegal_instruction>);
}

void DecodeTable::primary(unsigned opcode, Handlers handlers) { primary_[opcode] = handlers; }
void DecodeTable::op19(unsigned xo, Handlers handlers) { op19_[xo] = handlers; }
void DecodeTable::op31(unsigned xo, Handlers handlers) { op31_[xo] = handlers; }
void DecodeTable::op31_with_oe(unsigned xo9, Handlers handlers) {
  op31_[xo9] = handlers;
  op31_[xo9 | 0x200] = handlers;
}
void DecodeTable::op30(unsigned xo4, Handlers handlers) { op30_[xo4] = handlers; }
void DecodeTable::op58(unsigned xo, Handlers handlers) { op58_[xo] = handlers; }
void DecodeTable::op62(unsigned xo, Handlers handlers) { op62_[xo] = handlers; }
void DecodeTable::op59(unsigned xo10, Handlers handlers) { op59_[xo10] = handlers; }
void DecodeTable::op63(unsigned xo10, Handlers handlers) { op63_[xo10] = handlers; }
void DecodeTable::op59_a_form(unsigned xo5, Handlers handlers) {
  for (unsigned high = 0; high < 32; ++high) op59_[(high << 5) | xo5] = handlers;
}
void DecodeTable::op63_a_form(unsigned xo5, Handlers handlers) {
  for (unsigned high = 0; high < 32; ++high) op63_[(high << 5) | xo5] = handlers;
}
void DecodeTable::op4(unsigned xo11, Handlers handlers) { op4_[xo11] = handlers; }
void DecodeTable::op4_va_form(unsigned xo6, Handlers handlers) {
  for (unsigned high = 0; high < 32; ++high) op4_[(high << 6) | xo6] = handlers;
}
void DecodeTable::op4_vc_form(unsigned xo10, Handlers handlers) {
  op4_[xo10] = handlers;
  op4_[xo10 | 0x400] = handlers;
}
void DecodeTable::op60_xx2(unsigned xo9, Handlers handlers) { op60_[xo9] = handlers; }
void DecodeTable::op60_xx3(unsigned xo8, Handlers handlers) {
  op60_[xo8 << 1] = handlers;
  op60_[(xo8 << 1) | 1] = handlers;
}
void DecodeTable::op60_xx3_rc(unsigned xo7, Handlers handlers) {
  for (unsigned rc = 0; rc < 2; ++rc) op60_xx3((rc << 7) | xo7, handlers);
}
void DecodeTable::op60_xx4(unsigned xo2, Handlers handlers) {
  for (unsigned high = 0; high < 32; ++high) {
    for (unsigned low = 0; low < 4; ++low) op60_[(high << 4) | (xo2 << 2) | low] = handlers;
  }
}

Handlers DecodeTable::lookup(std::uint32_t word) const {
  switch (const unsigned opcode = word >> 26) {
    case 19: return op19_[bits(word, 21, 30)];
    case 30: return op30_[bits(word, 27, 30)];
    case 31: return op31_[bits(word, 21, 30)];
    case 4: return op4_[bits(word, 21, 31)];
    case 59: return op59_[bits(word, 21, 30)];
    case 60: return op60_[bits(word, 21, 29)];
    case 63: return op63_[bits(word, 21, 30)];
    case 58: return op58_[bits(word, 30, 31)];
    case 62: return op62_[bits(word, 30, 31)];
    default: return primary_[opcode];
  }
}

namespace {

const DecodeTable& decode_table() {
  static const DecodeTable table = [] {
    DecodeTable built;
    register_integer_instructions(built);
    register_rotate_shift_instructions(built);
    register_load_store_instructions(built);
    register_branch_instructions(built);
    register_system_instructions(built);
    register_spr_instructions(built);
    register_transactional_memory_instructions(built);
    register_float_instructions(built);
    register_vmx_instructions(built);
    register_vmx_crypto_instructions(built);
    register_bcd_instructions(built);
    register_vsx_instructions(built);
    return built;
  }();
  return table;
}

// MD and MDS forms (Book I 3.3.14.2): the mask each form applies, and for
// MD, whose SH has its high bit apart (sh5, bit 30), the whole amount in rb.
// The 6-bit MB or ME field keeps its high bit apart too (bit 26).
void prepare_doubleword_rotate(std::uint32_t word, DecodedInsn& insn) {
  const unsigned bound = bits(word, 21, 25) | (bits(word, 26, 26) << 5);
  if (bits(word, 27, 29) == 4) {  // MDS: rldcl (bits 27:30 = 8), rldcr (9); the amount is in RB
    insn.imm = static_cast<std::int64_t>(bits(word, 30, 30) == 0 ? rotate_mask(bound, 63) : rotate_mask(0, bound));
    return;
  }
  const unsigned shift = bits(word, 16, 20) | (bits(word, 30, 30) << 5);
  insn.rb = static_cast<std::uint8_t>(shift);
  std::uint64_t mask = 0;
  switch (bits(word, 27, 29)) {
    case 0: mask = rotate_mask(bound, 63); break;          // rldicl
    case 1: mask = rotate_mask(0, bound); break;           // rldicr
    case 2: case 3: mask = rotate_mask(bound, 63 - shift); break;  // rldic, rldimi
    default: break;  // not an instruction: decoded as illegal
  }
  insn.imm = static_cast<std::int64_t>(mask);
}

}  // namespace

DecodedInsn decode(std::uint32_t word) {
  DecodedInsn insn;
  Handlers handlers = decode_table().lookup(word);
  if (handlers.choose != nullptr) handlers = handlers.choose(word);
  insn.handler = handlers.plain;
  insn.chained = handlers.chained;
  insn.word = word;
  insn.rt = static_cast<std::uint8_t>(bits(word, 6, 10));
  insn.ra = static_cast<std::uint8_t>(bits(word, 11, 15));
  insn.rb = static_cast<std::uint8_t>(bits(word, 16, 20));
  insn.record = word & 1;
  const unsigned opcode = word >> 26;
  const auto displacement = static_cast<std::int16_t>(word & 0xffff);
  if (opcode == 18) {
    insn.imm = (static_cast<std::int32_t>(word << 6) >> 6) & ~std::int32_t{3};  // I-form: LI || 0b00
  } else if (opcode == 16) {
    insn.imm = displacement & ~0x3;  // B-form: BD || 0b00
  } else if (opcode == 58 || opcode == 62) {
    insn.imm = displacement & ~0x3;  // DS-form: the low two bits are the extended opcode
  } else if (opcode == 10 || (opcode >= 24 && opcode <= 29)) {
    insn.imm = word & 0xffff;  // cmpli and the logical immediates take UI
  } else if (opcode == 20 || opcode == 21 || opcode == 23) {
    insn.imm = static_cast<std::int64_t>(rotate_mask(bits(word, 21, 25) + 32, bits(word, 26, 30) + 32));
  } else if (opcode == 30) {
    prepare_doubleword_rotate(word, insn);
  } else {
    insn.imm = displacement;
  }
  return insn;
}

ChainedHandler fused_chained(std::uint32_t word, std::uint32_t next_word) {
  // bc: primary 16; BO_0 = 0 tests the condition, BO_2 = 1 leaves CTR.
  constexpr std::uint32_t kBranchConditional = 16;
  const unsigned bo = bits(next_word, 6, 10);
  const bool branch_on_cr_bit_alone =
      next_word >> 26 == kBranchConditional && (next_word & 3) == 0 && (bo & 0x14) == 0x04;
  if (!branch_on_cr_bit_alone) return nullptr;
  Handlers handlers = decode_table().lookup(word);
  if (handlers.choose != nullptr) handlers = handlers.choose(word);
  return handlers.then_branch;
}

}  // namespace mosaic::interp
