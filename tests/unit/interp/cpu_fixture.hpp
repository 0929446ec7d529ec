// A Cpu over 1 MiB of RAM in 64-bit, big-endian real mode, executing one
// instruction word at a time, plus encoders for the instruction forms the
// tests use (Power ISA 2.07 Book I 1.6). The HPT storage stays empty: the
// tests run untranslated.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "cpu.hpp"
#include "decoder.hpp"
#include "hash_table_storage.hpp"
#include "mosaic/guest_memory.hpp"

namespace mosaic::interp::test {

class CpuFixture : public ::testing::Test {
 protected:
  static constexpr std::uint64_t kRamBytes = std::uint64_t{1} << 20;
  static constexpr std::uint64_t kCodeAddress = 0x1000;

  CpuFixture() {
    cpu.set_msr(ppc::msr::kSixtyFour);
    cpu.state.nip = kCodeAddress;
  }

  // Decodes and executes `word` at state.nip, advancing nip as the run
  // loop does when the handler falls through.
  Flow execute(std::uint32_t word) {
    const DecodedInsn insn = decode(word);
    const Flow flow = insn.handler(cpu, insn);
    if (flow == Flow::next) cpu.state.nip = (cpu.state.nip + 4) & cpu.address_mask();
    return flow;
  }

  void set_32_bit_mode() { cpu.set_msr(cpu.state.msr & ~ppc::msr::kSixtyFour); }
  void set_little_endian() { cpu.set_msr(cpu.state.msr | ppc::msr::kLittleEndian); }
  void enable_floating_point() { cpu.set_msr(cpu.state.msr | ppc::msr::kFloatingPoint); }

  // Guest RAM accessors in an explicit byte order.
  template <class T>
  void poke(std::uint64_t address, T value, bool little_endian = false) {
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      const unsigned shift = 8 * (little_endian ? i : sizeof(T) - 1 - i);
      ram.at(address + i) = static_cast<std::byte>(static_cast<std::uint64_t>(value) >> shift);
    }
  }
  template <class T>
  T peek(std::uint64_t address, bool little_endian = false) const {
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
      const unsigned shift = 8 * (little_endian ? i : sizeof(T) - 1 - i);
      value |= std::uint64_t{std::to_integer<std::uint8_t>(ram.at(address + i))} << shift;
    }
    return static_cast<T>(value);
  }

  // The interrupt a handler delivered: nip at the vector, SRR0 at the
  // instruction.
  void expect_program_interrupt(std::uint64_t cause, std::uint64_t instruction_address = kCodeAddress) const {
    EXPECT_EQ(cpu.state.nip, 0x700u);
    EXPECT_EQ(cpu.state.srr0, instruction_address);
    EXPECT_NE(cpu.state.srr1 & cause, 0u);
  }

  std::vector<std::byte> ram = std::vector<std::byte>(kRamBytes);
  GuestMemory memory{ram.data(), ram.size()};
  std::atomic<std::uint64_t> generation{0};
  HashTableStorage hash_page_table{generation};
  CodeInvalidations code_invalidations{kRamBytes};
  MemorySystem memory_system{memory, hash_page_table, {}, generation, code_invalidations};
  Cpu cpu{memory_system};
};

// --- Instruction encoders. Register and field numbers go in as the ISA
// numbers them; each returns the big-endian instruction word. ---
namespace encode {

constexpr std::uint32_t field(std::uint32_t value, unsigned last_bit, unsigned width) {
  return (value & ((1u << width) - 1)) << (31 - last_bit);
}

constexpr std::uint32_t d_form(unsigned op, unsigned rt, unsigned ra, std::int32_t imm) {
  return field(op, 5, 6) | field(rt, 10, 5) | field(ra, 15, 5) | field(static_cast<std::uint32_t>(imm), 31, 16);
}
constexpr std::uint32_t ds_form(unsigned op, unsigned rt, unsigned ra, std::int32_t ds, unsigned xo) {
  return field(op, 5, 6) | field(rt, 10, 5) | field(ra, 15, 5) | (static_cast<std::uint32_t>(ds) & 0xfffc) |
         field(xo, 31, 2);
}
constexpr std::uint32_t x_form(unsigned op, unsigned rt, unsigned ra, unsigned rb, unsigned xo, bool rc = false) {
  return field(op, 5, 6) | field(rt, 10, 5) | field(ra, 15, 5) | field(rb, 20, 5) | field(xo, 30, 10) | rc;
}
constexpr std::uint32_t op31(unsigned rt, unsigned ra, unsigned rb, unsigned xo, bool rc = false) {
  return x_form(31, rt, ra, rb, xo, rc);
}
constexpr std::uint32_t xo_form(unsigned rt, unsigned ra, unsigned rb, unsigned xo9, bool oe, bool rc) {
  return field(31, 5, 6) | field(rt, 10, 5) | field(ra, 15, 5) | field(rb, 20, 5) | field(oe, 21, 1) |
         field(xo9, 30, 9) | rc;
}
constexpr std::uint32_t m_form(unsigned op, unsigned rs, unsigned ra, unsigned sh, unsigned mb, unsigned me,
                               bool rc = false) {
  return field(op, 5, 6) | field(rs, 10, 5) | field(ra, 15, 5) | field(sh, 20, 5) | field(mb, 25, 5) |
         field(me, 30, 5) | rc;
}
// MD form: sh and mb are 6 bits, their high bit stored apart (sh5 in bit
// 30, mb5 in bit 26).
constexpr std::uint32_t md_form(unsigned rs, unsigned ra, unsigned sh, unsigned mb, unsigned xo3, bool rc = false) {
  return field(30, 5, 6) | field(rs, 10, 5) | field(ra, 15, 5) | field(sh, 20, 5) | field(mb, 25, 5) |
         field(mb >> 5, 26, 1) | field(xo3, 29, 3) | field(sh >> 5, 30, 1) | rc;
}
constexpr std::uint32_t mds_form(unsigned rs, unsigned ra, unsigned rb, unsigned mb, unsigned xo4, bool rc = false) {
  return field(30, 5, 6) | field(rs, 10, 5) | field(ra, 15, 5) | field(rb, 20, 5) | field(mb, 25, 5) |
         field(mb >> 5, 26, 1) | field(xo4, 30, 4) | rc;
}
constexpr std::uint32_t sradi(unsigned ra, unsigned rs, unsigned sh, bool rc = false) {
  return field(31, 5, 6) | field(rs, 10, 5) | field(ra, 15, 5) | field(sh, 20, 5) | field(413, 29, 9) |
         field(sh >> 5, 30, 1) | rc;
}
constexpr std::uint32_t i_form(std::int32_t displacement, bool aa, bool lk) {
  return field(18, 5, 6) | (static_cast<std::uint32_t>(displacement) & 0x03fffffc) | field(aa, 30, 1) | lk;
}
constexpr std::uint32_t b_form(unsigned bo, unsigned bi, std::int32_t displacement, bool aa, bool lk) {
  return field(16, 5, 6) | field(bo, 10, 5) | field(bi, 15, 5) | (static_cast<std::uint32_t>(displacement) & 0xfffc) |
         field(aa, 30, 1) | lk;
}
constexpr std::uint32_t xl_form(unsigned bt, unsigned ba, unsigned bb, unsigned xo, bool lk = false) {
  return x_form(19, bt, ba, bb, xo, lk);
}
// mfocrf / mtocrf (one_field) and mfcr / mtcrf: FXM in bits 12:19.
constexpr std::uint32_t xfx_cr(unsigned rt, unsigned fxm, unsigned xo, bool one_field) {
  return field(31, 5, 6) | field(rt, 10, 5) | field(one_field, 11, 1) | field(fxm, 19, 8) | field(xo, 30, 10);
}
// isel RT,RA,RB,BC (A form, extended opcode 15).
constexpr std::uint32_t isel(unsigned rt, unsigned ra, unsigned rb, unsigned bc) {
  return field(31, 5, 6) | field(rt, 10, 5) | field(ra, 15, 5) | field(rb, 20, 5) | field(bc, 25, 5) |
         field(15, 30, 5);
}

}  // namespace encode

}  // namespace mosaic::interp::test
