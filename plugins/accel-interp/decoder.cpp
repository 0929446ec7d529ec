#include "decoder.hpp"

#include <algorithm>
#include <iterator>

#include "insn_groups.hpp"

namespace mosaic::interp {

DecodeTable::DecodeTable() {
  std::fill(std::begin(primary_), std::end(primary_), &illegal_instruction);
  std::fill(std::begin(op19_), std::end(op19_), &illegal_instruction);
  std::fill(std::begin(op31_), std::end(op31_), &illegal_instruction);
  std::fill(std::begin(op30_), std::end(op30_), &illegal_instruction);
  std::fill(std::begin(op58_), std::end(op58_), &illegal_instruction);
  std::fill(std::begin(op62_), std::end(op62_), &illegal_instruction);
  std::fill(std::begin(op59_), std::end(op59_), &illegal_instruction);
  std::fill(std::begin(op63_), std::end(op63_), &illegal_instruction);
  std::fill(std::begin(op4_), std::end(op4_), &illegal_instruction);
  std::fill(std::begin(op60_), std::end(op60_), &illegal_instruction);
}

void DecodeTable::primary(unsigned opcode, Handler handler) { primary_[opcode] = handler; }
void DecodeTable::op19(unsigned xo, Handler handler) { op19_[xo] = handler; }
void DecodeTable::op31(unsigned xo, Handler handler) { op31_[xo] = handler; }
void DecodeTable::op31_with_oe(unsigned xo9, Handler handler) {
  op31_[xo9] = handler;
  op31_[xo9 | 0x200] = handler;
}
void DecodeTable::op30(unsigned xo4, Handler handler) { op30_[xo4] = handler; }
void DecodeTable::op58(unsigned xo, Handler handler) { op58_[xo] = handler; }
void DecodeTable::op62(unsigned xo, Handler handler) { op62_[xo] = handler; }
void DecodeTable::op59(unsigned xo10, Handler handler) { op59_[xo10] = handler; }
void DecodeTable::op63(unsigned xo10, Handler handler) { op63_[xo10] = handler; }
void DecodeTable::op59_a_form(unsigned xo5, Handler handler) {
  for (unsigned high = 0; high < 32; ++high) op59_[(high << 5) | xo5] = handler;
}
void DecodeTable::op63_a_form(unsigned xo5, Handler handler) {
  for (unsigned high = 0; high < 32; ++high) op63_[(high << 5) | xo5] = handler;
}
void DecodeTable::op4(unsigned xo11, Handler handler) { op4_[xo11] = handler; }
void DecodeTable::op4_va_form(unsigned xo6, Handler handler) {
  for (unsigned high = 0; high < 32; ++high) op4_[(high << 6) | xo6] = handler;
}
void DecodeTable::op4_vc_form(unsigned xo10, Handler handler) {
  op4_[xo10] = handler;
  op4_[xo10 | 0x400] = handler;
}
void DecodeTable::op60_xx2(unsigned xo9, Handler handler) { op60_[xo9] = handler; }
void DecodeTable::op60_xx3(unsigned xo8, Handler handler) {
  op60_[xo8 << 1] = handler;
  op60_[(xo8 << 1) | 1] = handler;
}
void DecodeTable::op60_xx3_rc(unsigned xo7, Handler handler) {
  for (unsigned rc = 0; rc < 2; ++rc) op60_xx3((rc << 7) | xo7, handler);
}
void DecodeTable::op60_xx4(unsigned xo2, Handler handler) {
  for (unsigned high = 0; high < 32; ++high) {
    for (unsigned low = 0; low < 4; ++low) op60_[(high << 4) | (xo2 << 2) | low] = handler;
  }
}

Handler DecodeTable::lookup(std::uint32_t word) const {
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

}  // namespace

DecodedInsn decode(std::uint32_t word) {
  DecodedInsn insn;
  insn.handler = decode_table().lookup(word);
  insn.word = word;
  insn.rt = static_cast<std::uint8_t>(bits(word, 6, 10));
  insn.ra = static_cast<std::uint8_t>(bits(word, 11, 15));
  insn.rb = static_cast<std::uint8_t>(bits(word, 16, 20));
  insn.record = word & 1;
  const unsigned opcode = word >> 26;
  const auto displacement = static_cast<std::int16_t>(word & 0xffff);
  if (opcode == 58 || opcode == 62) {
    insn.imm = displacement & ~0x3;  // DS-form: the low two bits are the extended opcode
  } else if (opcode == 10 || (opcode >= 24 && opcode <= 29)) {
    insn.imm = word & 0xffff;  // cmpli and the logical immediates take UI
  } else {
    insn.imm = displacement;
  }
  return insn;
}

}  // namespace mosaic::interp
