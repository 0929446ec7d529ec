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
// Chained dispatch (chained_dispatch.hpp) hands on, in registers, the
// instruction's entry and where the chain's budget ends (see
// Cpu::settle_chain).
using ChainedHandler = Flow (*)(Cpu& cpu, const DecodedInsn& insn, std::uintptr_t budget_end);

struct Handlers;
// Picks an instruction's handlers by its operand fields, at decode time.
using HandlerChooser = Handlers (*)(std::uint32_t word);

// What the opcode tables hold for an instruction: its handler, and the same
// handler followed by a jump to the next instruction's `chained` (see
// chained_dispatch.hpp), which the run loop's fast path calls; or, for an
// instruction specialised by its fields, what chooses them. An instruction
// that sets a CR field (a compare, a recording form) may also offer
// `then_branch`: it and a following bc that tests a CR bit alone, executed
// as one (see fused_chained).
struct Handlers {
  Handler plain = nullptr;
  ChainedHandler chained = nullptr;
  HandlerChooser choose = nullptr;
  ChainedHandler then_branch = nullptr;
};

struct DecodedInsn {
  Handler handler = nullptr;  // executes this instruction alone
  ChainedHandler chained = nullptr;  // executes it and, while it can, those after it
  std::uint32_t word = 0;
  std::uint8_t rt = 0;  // RT / RS / BO / BF field (bits 6:10)
  std::uint8_t ra = 0;  // RA / BI field (bits 11:15)
  std::uint8_t rb = 0;  // RB / SH field (bits 16:20)
  bool record = false;  // Rc (bit 31) for X/XO/M/MD forms
  // D/SI (sign-extended), DS (sign-extended, low 2 bits 0) or UI; a
  // branch's displacement (b: LI || 0b00, bc: BD || 0b00, sign-extended); for the
  // rotates (M, MD and MDS forms) their mask, and then rb holds MD's whole
  // 6-bit SH.
  std::int64_t imm = 0;
};

// Opcode tables the instruction groups fill in (see insn_groups.hpp).
class DecodeTable {
 public:
  DecodeTable();
  void primary(unsigned opcode, Handlers handlers);
  // Extended opcode of primary 19 or 31 (bits 21:30).
  void op19(unsigned xo, Handlers handlers);
  void op31(unsigned xo, Handlers handlers);
  // XO-form arithmetic: registers both OE = 0 and OE = 1.
  void op31_with_oe(unsigned xo9, Handlers handlers);
  // Primary 30 (rotate doubleword), indexed by bits 27:30.
  void op30(unsigned xo4, Handlers handlers);
  // Primary 58 / 62 (DS-form loads and stores), indexed by bits 30:31.
  void op58(unsigned xo, Handlers handlers);
  void op62(unsigned xo, Handlers handlers);
  // Primary 59 and 63 (floating point), indexed by bits 21:30. A-form
  // instructions (5-bit XO in bits 26:30) fill every value of bits 21:25.
  void op59(unsigned xo10, Handlers handlers);
  void op59_a_form(unsigned xo5, Handlers handlers);
  void op63(unsigned xo10, Handlers handlers);
  void op63_a_form(unsigned xo5, Handlers handlers);
  // Primary 4 (VMX), indexed by bits 21:31. VA-form (6-bit XO in bits
  // 26:31) fills every value of bits 21:25; VC-form (Rc in bit 21, XO in
  // bits 22:31) fills both values of Rc.
  void op4(unsigned xo11, Handlers handlers);
  void op4_va_form(unsigned xo6, Handlers handlers);
  void op4_vc_form(unsigned xo10, Handlers handlers);
  // Primary 60 (VSX), indexed by bits 21:29. XX2-form uses all nine bits;
  // XX3-form (8-bit XO in bits 21:28, AX in bit 29) fills both values of
  // bit 29; XX3 with Rc (bit 21, XO in bits 22:28) fills Rc and AX;
  // XX4-form (xxsel: bits 26:27 = 0b11) fills bits 21:25 and 28:29.
  void op60_xx2(unsigned xo9, Handlers handlers);
  void op60_xx3(unsigned xo8, Handlers handlers);
  void op60_xx3_rc(unsigned xo7, Handlers handlers);
  void op60_xx4(unsigned xo2, Handlers handlers);

  Handlers lookup(std::uint32_t word) const;

 private:
  Handlers primary_[64];
  Handlers op19_[1024];
  Handlers op31_[1024];
  Handlers op30_[16];
  Handlers op58_[4];
  Handlers op62_[4];
  Handlers op59_[1024];
  Handlers op63_[1024];
  Handlers op4_[2048];
  Handlers op60_[512];
};

DecodedInsn decode(std::uint32_t word);

// The chained handler that executes `word` and the bc right after it as
// one, when `word` offers one (Handlers::then_branch) and `next_word` is a
// bc with AA = LK = 0 that tests a CR bit and not CTR (beq, bne, blt, ...);
// otherwise nullptr. The fused handler reads the branch's operands from the
// next entry, which must then hold `next_word` decoded (DecodeCache keeps
// the two together).
ChainedHandler fused_chained(std::uint32_t word, std::uint32_t next_word);

// Field extraction in the ISA's MSB-0 bit numbering.
constexpr std::uint32_t bits(std::uint32_t word, unsigned first, unsigned last) {
  return (word >> (31 - last)) & ((1u << (last - first + 1)) - 1);
}

// MASK(mb, me) in MSB-0 numbering: ones from bit mb to bit me, wrapping
// around through bit 63 and bit 0 when mb > me (Book I 3.3.14).
constexpr std::uint64_t rotate_mask(unsigned mb, unsigned me) {
  const std::uint64_t from_mb = ~std::uint64_t{0} >> mb;
  const std::uint64_t to_me = ~std::uint64_t{0} << (63 - me);
  return mb <= me ? (from_mb & to_me) : (from_mb | to_me);
}

}  // namespace mosaic::interp
