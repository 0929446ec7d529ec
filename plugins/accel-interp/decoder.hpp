// Instruction decoding: a word becomes a DecodedInsn holding its handler and
// its common operand fields, so that execution never re-decodes. Handlers
// are plain function pointers chosen through opcode tables (primary opcode,
// then the extended-opcode table of that primary opcode).
#pragma once

#include <cstdint>

namespace mosaic::interp {

class Cpu;
struct DecodedInsn;

// What the run loop does after a handler: fall through to the next word,
// fetch again at state.nip (branch, interrupt, context synchronisation), or
// return the exit the handler recorded.
enum class Flow : std::uint8_t { next, jump, exit };

using Handler = Flow (*)(Cpu& cpu, const DecodedInsn& insn);

struct DecodedInsn {
  Handler handler = nullptr;
  std::uint32_t word = 0;
  std::uint8_t rt = 0;  // RT / RS / BO / BF field (bits 6:10)
  std::uint8_t ra = 0;  // RA / BI field (bits 11:15)
  std::uint8_t rb = 0;  // RB / SH field (bits 16:20)
  bool record = false;  // Rc (bit 31) for X/XO/M/MD forms
  std::int64_t imm = 0;  // D/SI (sign-extended), DS (sign-extended, low 2 bits 0) or UI
};

// Opcode tables the instruction groups fill in (see insn_groups.hpp).
class DecodeTable {
 public:
  DecodeTable();
  void primary(unsigned opcode, Handler handler);
  // Extended opcode of primary 19 or 31 (bits 21:30).
  void op19(unsigned xo, Handler handler);
  void op31(unsigned xo, Handler handler);
  // XO-form arithmetic: registers both OE = 0 and OE = 1.
  void op31_with_oe(unsigned xo9, Handler handler);
  // Primary 30 (rotate doubleword), indexed by bits 27:30.
  void op30(unsigned xo4, Handler handler);
  // Primary 58 / 62 (DS-form loads and stores), indexed by bits 30:31.
  void op58(unsigned xo, Handler handler);
  void op62(unsigned xo, Handler handler);

  Handler lookup(std::uint32_t word) const;

 private:
  Handler primary_[64];
  Handler op19_[1024];
  Handler op31_[1024];
  Handler op30_[16];
  Handler op58_[4];
  Handler op62_[4];
};

DecodedInsn decode(std::uint32_t word);

// Field extraction in the ISA's MSB-0 bit numbering.
constexpr std::uint32_t bits(std::uint32_t word, unsigned first, unsigned last) {
  return (word >> (31 - last)) & ((1u << (last - first + 1)) - 1);
}

}  // namespace mosaic::interp
