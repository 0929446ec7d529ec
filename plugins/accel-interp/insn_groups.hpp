// Each instruction group registers its handlers in the decode table, as
// chain<&handler> or one of the other chained forms (chained_dispatch.hpp).
#pragma once

#include "chained_dispatch.hpp"
#include "decoder.hpp"

namespace mosaic::interp {

void register_integer_instructions(DecodeTable& table);
void register_rotate_shift_instructions(DecodeTable& table);
void register_load_store_instructions(DecodeTable& table);
void register_branch_instructions(DecodeTable& table);
void register_system_instructions(DecodeTable& table);
void register_spr_instructions(DecodeTable& table);
void register_transactional_memory_instructions(DecodeTable& table);  // insn_tm.cpp
void register_float_instructions(DecodeTable& table);  // insn_float.cpp
void register_vmx_instructions(DecodeTable& table);    // insn_vmx.cpp
void register_vmx_arithmetic_instructions(DecodeTable& table);  // insn_vmx_arith.cpp
void register_vmx_crypto_instructions(DecodeTable& table);  // insn_vmx_crypto.cpp
void register_bcd_instructions(DecodeTable& table);         // insn_bcd.cpp
void register_vsx_instructions(DecodeTable& table);    // insn_vsx.cpp
void register_vsx_float_instructions(DecodeTable& table);  // insn_vsx_float.cpp

// The handler of words no group claims: an illegal instruction.
Flow illegal_instruction(Cpu& cpu, const DecodedInsn& insn);

}  // namespace mosaic::interp
