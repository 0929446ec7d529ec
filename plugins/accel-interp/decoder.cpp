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

Handler DecodeTable::lookup(std::uint32_t word) const {
  switch (const unsigned opcode = word >> 26) {
    case 19: return op19_[bits(word, 21, 30)];
    case 30: return op30_[bits(word, 27, 30)];
    case 31: return op31_[bits(word, 21, 30)];
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
