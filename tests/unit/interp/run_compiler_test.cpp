// Compiled runs (run_compiler.hpp) against the interpreter: random loops of
// every instruction a run may hold (recording forms, loads and stores in and
// out of the soft TLB too), run by a vCPU that compiles each run at
// its first execution and by one that never compiles, must leave the same
// registers, CR, XER, nip and retired count, in both byte orders and both
// computation modes, whole and cut short by an instruction limit.
#include <algorithm>
#include <array>
#include <optional>
#include <random>
#include <vector>

#include "cpu_fixture.hpp"

namespace mosaic::interp::test {
namespace {

constexpr std::uint32_t kSystemCallHypervisor = 0x44000022;  // sc 1
constexpr std::size_t kDataAddress = 0x8000;                   // loads and stores stay above
constexpr unsigned kCounter = 3;                              // the loop's counter, which the body leaves alone
// Loads address RAM through these, which the body leaves alone too: four
// pointers into RAM and a small offset; update forms walk a fifth pointer
// on by a displacement or a step below 16, so that it stays in RAM.
constexpr unsigned kFirstPointer = 20, kPointers = 4, kOffset = 24, kWalker = 25, kStep = 26;

class RunCompilerTest : public CpuFixture {
 protected:
  RunCompilerTest() { compiled.decode_cache().compile_hot_runs(1); }
  void SetUp() override {
    if (!compiled.decode_cache().run_compiler().compiles()) GTEST_SKIP() << "this host compiles no runs";
  }

  void place(std::uint64_t address, const std::vector<std::uint32_t>& words, bool little_endian) {
    for (std::uint32_t word : words) {
      poke<std::uint32_t>(address, word, little_endian);
      address += 4;
    }
  }

  static void run(Cpu& vcpu) {
    std::atomic<bool> stop{false};
    std::atomic<bool> external{false};
    vcpu.run(stop, external);
  }

  static void expect_same_state(Cpu& expected, Cpu& actual) {
    for (unsigned r = 0; r < 32; ++r) EXPECT_EQ(actual.state.gpr[r], expected.state.gpr[r]) << "r" << r;
    EXPECT_EQ(actual.state.cr, expected.state.cr);
    EXPECT_EQ(actual.state.ctr, expected.state.ctr);
    EXPECT_EQ(actual.state.xer(), expected.state.xer());
    EXPECT_EQ(actual.state.nip, expected.state.nip);
    EXPECT_EQ(actual.instructions_retired(), expected.instructions_retired());
    EXPECT_EQ(actual.exit().reason, expected.exit().reason);
  }

  // The interpreter alone, on the same memory.
  Cpu& interpreted = cpu;
  Cpu compiled{memory_system};
};

// Values that reach the edges: zero divisors, the most negative dividends
// over -1, shift amounts past the width, words with their sign bit set, a
// CTR whose low word becomes zero (a 32-bit mode bdnz falls through).
std::uint64_t register_value(std::mt19937_64& random) {
  static constexpr std::array<std::uint64_t, 11> kEdges = {
      0, 1, ~std::uint64_t{0}, std::uint64_t{1} << 63, 0x80000000, 0xffffffff, 0x7fffffff, 63, 64, 32,
      (std::uint64_t{1} << 32) + 1};
  const std::uint64_t pick = random() % 4;
  if (pick == 0) return kEdges[random() % kEdges.size()];
  if (pick == 1) return random() % 128;
  return random();
}

// One random instruction a run may hold; it never writes the counter.
std::uint32_t run_instruction(std::mt19937_64& random) {
  using namespace encode;
  const auto reg = [&] { return static_cast<unsigned>(random() % 32); };
  const auto target = [&] {
    unsigned r;
    do r = reg(); while (r == kCounter || (r >= kFirstPointer && r <= kStep));
    return r;
  };
  const auto pointer = [&] { return kFirstPointer + static_cast<unsigned>(random() % kPointers); };
  const auto imm = [&] { return static_cast<std::int32_t>(random() % 65536) - 32768; };
  const auto rc = [&] { return random() % 3 == 0; };
  const auto field_and_l = [&] { return static_cast<unsigned>(random() % 8) << 2 | static_cast<unsigned>(random() % 2); };
  static constexpr std::array<unsigned, 8> kLogical = {28, 444, 316, 124, 476, 284, 60, 412};
  static constexpr std::array<unsigned, 4> kShifts = {24, 536, 27, 539};
  static constexpr std::array<unsigned, 9> kArithmetic = {266, 40, 104, 233, 235, 489, 457, 491, 459};
  static constexpr std::array<unsigned, 6> kUnary = {954, 922, 986, 26, 58, 506};
  static constexpr std::array<unsigned, 8> kCarrying = {10, 8, 138, 136, 202, 200, 234, 232};
  static constexpr std::array<unsigned, 3> kCarryingImmediate = {12, 13, 8};  // addic, addic., subfic
  static constexpr std::array<unsigned, 5> kLoads = {34, 40, 42, 32, 58};       // lbz, lhz, lha, lwz, ld/lwa
  static constexpr std::array<unsigned, 6> kIndexedLoads = {87, 279, 343, 23, 341, 21};
  switch (random() % 19) {
    case 0: return d_form(14 + static_cast<unsigned>(random() % 2), target(), reg(), imm());  // addi, addis
    case 1: return d_form(7, target(), reg(), imm());                                          // mulli
    case 2: return d_form(24 + static_cast<unsigned>(random() % 6), reg(), target(), imm());   // ori ... andis.
    case 3: return d_form(10 + static_cast<unsigned>(random() % 2), field_and_l(), reg(), imm());  // cmpli, cmpi
    case 4: return m_form(21, reg(), target(), reg(), reg(), reg(), rc());                      // rlwinm
    case 5: return md_form(reg(), target(), static_cast<unsigned>(random() % 64), static_cast<unsigned>(random() % 64),
                           static_cast<unsigned>(random() % 3), rc());                         // rldicl, rldicr, rldic
    case 6: return op31(reg(), target(), reg(), kLogical[random() % kLogical.size()], rc());
    case 7: return op31(reg(), target(), reg(), kShifts[random() % kShifts.size()], rc());
    case 8: return xo_form(target(), reg(), reg(), kArithmetic[random() % kArithmetic.size()], false, rc());
    case 9: {
      const unsigned xo = kUnary[random() % kUnary.size()];
      return op31(reg(), target(), 0, xo, xo != 506 && rc());  // popcntd has no Rc
    }
    case 10: return d_form(kCarryingImmediate[random() % 3], target(), reg(), imm());
    case 11: return xo_form(target(), reg(), reg(), kCarrying[random() % kCarrying.size()], false, rc());
    case 12: return random() % 2 ? op31(reg(), target(), reg(), 824, rc())                           // srawi
                                 : sradi(target(), reg(), static_cast<unsigned>(random() % 64), rc());
    case 13: {
      const unsigned opcode = kLoads[random() % kLoads.size()];
      const std::int32_t displacement = static_cast<std::int32_t>(random() % 8192) - 4096;
      if (opcode == 58) return ds_form(58, target(), pointer(), displacement, random() % 2 ? 0 : 2);
      return d_form(opcode, target(), pointer(), displacement);
    }
    case 14: {  // (RA|0) + RB: a pointer plus the offset, or a pointer alone
      const bool from_zero = random() % 4 == 0;
      return op31(target(), from_zero ? 0 : pointer(), from_zero ? pointer() : kOffset,
                  kIndexedLoads[random() % kIndexedLoads.size()]);
    }
    case 15: {  // lbzu ... ldu, lbzux ... ldux
      static constexpr std::array<unsigned, 4> kUpdateLoads = {35, 41, 43, 33};
      static constexpr std::array<unsigned, 6> kIndexedUpdateLoads = {119, 311, 375, 55, 373, 53};
      const auto step = static_cast<std::int32_t>(random() % 4) * 4;
      switch (random() % 3) {
        case 0: return d_form(kUpdateLoads[random() % kUpdateLoads.size()], target(), kWalker, step);
        case 1: return ds_form(58, target(), kWalker, step, 1);
        default: return op31(target(), kWalker, kStep, kIndexedUpdateLoads[random() % kIndexedUpdateLoads.size()]);
      }
    }
    case 16: {  // stb, sth, stw, std; stbx ... stdx
      static constexpr std::array<unsigned, 3> kStores = {38, 44, 36};
      static constexpr std::array<unsigned, 4> kIndexedStores = {215, 407, 151, 149};
      const std::int32_t displacement = static_cast<std::int32_t>(random() % 8192) - 4096;
      switch (random() % 3) {
        case 0: return d_form(kStores[random() % kStores.size()], reg(), pointer(), displacement);
        case 1: return ds_form(62, reg(), pointer(), displacement, 0);
        default: return op31(reg(), pointer(), kOffset, kIndexedStores[random() % kIndexedStores.size()]);
      }
    }
    case 17: {  // stbu ... stdu, stbux ... stdux
      static constexpr std::array<unsigned, 3> kUpdateStores = {39, 45, 37};
      static constexpr std::array<unsigned, 4> kIndexedUpdateStores = {247, 439, 183, 181};
      const auto step = static_cast<std::int32_t>(random() % 4) * 4;
      switch (random() % 3) {
        case 0: return d_form(kUpdateStores[random() % kUpdateStores.size()], reg(), kWalker, step);
        case 1: return ds_form(62, reg(), kWalker, step, 1);
        default: return op31(reg(), kWalker, kStep, kIndexedUpdateStores[random() % kIndexedUpdateStores.size()]);
      }
    }
    default: return op31(field_and_l(), reg(), reg(), random() % 2 ? 0 : 32);  // cmp, cmpl
  }
}

// A loop of `length` random instructions, some followed by a forward branch
// over the next one (conditional on a random CR bit or CTR, or always),
// counted down in r3 by addi, cmpdi and bne, or in CTR by bdnz (from r3,
// by mtctr before the loop), then sc 1.
std::vector<std::uint32_t> random_loop(std::mt19937_64& random, std::size_t length, bool counted_by_ctr) {
  using namespace encode;
  std::vector<std::uint32_t> words;
  if (counted_by_ctr) words.push_back(op31(kCounter, 9, 0, 467));  // mtctr r3
  const auto start = static_cast<std::int32_t>(words.size());
  for (std::size_t i = 0; i < length; ++i) {
    words.push_back(run_instruction(random));
    if (i + 1 < length && random() % 6 == 0) {  // never over the counting
      // If set, if clear, always; and decrementing CTR: if not zero, if
      // zero, if not zero and the CR bit clear (not while CTR counts).
      static constexpr std::array<unsigned, 6> kBo = {12, 4, 20, 16, 18, 0};
      const std::size_t choices = counted_by_ctr ? 3 : kBo.size();
      words.push_back(random() % 4 == 0 ? i_form(8, false, false)
                                        : b_form(kBo[random() % choices], static_cast<unsigned>(random() % 32), 8,
                                                 false, false));
    }
  }
  const auto back = [&] { return (start - static_cast<std::int32_t>(words.size())) * 4; };
  if (counted_by_ctr) {
    words.push_back(b_form(16, 0, back(), false, false));  // bdnz to the loop's start
  } else {
    words.push_back(d_form(14, kCounter, kCounter, -1));  // addi r3,r3,-1
    words.push_back(d_form(11, 1, kCounter, 0));          // cmpdi r3,0
    words.push_back(b_form(4, 2, back(), false, false));  // bne to the loop's start
  }
  words.push_back(kSystemCallHypervisor);
  return words;
}

TEST_F(RunCompilerTest, CompiledRunsLeaveTheStateTheInterpreterLeaves) {
  std::mt19937_64 random(2026);
  // Data for the loads and stores, above the code.
  for (std::size_t address = kDataAddress; address < kRamBytes; ++address) ram[address] = static_cast<std::byte>(random());
  for (int program = 0; program < 400; ++program) {
    SCOPED_TRACE(testing::Message() << "program " << program);
    const bool little_endian = program % 2 == 1;
    const bool thirty_two_bit = program % 4 >= 2;
    const std::vector<std::uint32_t> loop = random_loop(random, 1 + random() % 30, program % 5 >= 3);
    place(kCodeAddress, loop, little_endian);
    std::uint64_t msr = ppc::msr::kSixtyFour;
    if (little_endian) msr |= ppc::msr::kLittleEndian;
    if (thirty_two_bit) msr &= ~ppc::msr::kSixtyFour;
    std::array<std::uint64_t, 32> registers;
    for (auto& value : registers) value = register_value(random);
    registers[kCounter] = 1 + random() % 400;
    for (unsigned i = 0; i < kPointers; ++i) registers[kFirstPointer + i] = 0x10000 + random() % 0xe0000;
    registers[kOffset] = random() % 4096;
    registers[kWalker] = 0x10000 + random() % 0x10000;
    registers[kStep] = random() % 16;
    const auto cr = static_cast<std::uint32_t>(random());
    const std::uint64_t ctr = register_value(random);
    const bool summary_overflow = random() % 2 == 1;
    const bool carry = random() % 2 == 1;
    // Half the programs end at an instruction limit, as a deterministic
    // quantum does, most likely inside a compiled run.
    const std::optional<std::uint64_t> limit = program % 3 == 0 ? std::optional(random() % 4000) : std::nullopt;
    // Both start from the same data and must leave the same.
    const std::vector<std::byte> data_before(ram.begin() + kDataAddress, ram.end());
    std::vector<std::byte> data_interpreted;
    for (Cpu* vcpu : {&interpreted, &compiled}) {
      std::copy(data_before.begin(), data_before.end(), ram.begin() + kDataAddress);
      vcpu->decode_cache().clear();
      vcpu->set_msr(msr);
      vcpu->state.gpr = registers;
      vcpu->state.cr = cr;
      vcpu->state.ctr = ctr;
      vcpu->state.xer_so = summary_overflow;
      vcpu->state.xer_ca = carry;
      vcpu->state.nip = kCodeAddress;
      vcpu->set_instruction_limit(limit ? vcpu->instructions_retired() + *limit : ~std::uint64_t{0});
      run(*vcpu);
      if (vcpu == &interpreted) data_interpreted.assign(ram.begin() + kDataAddress, ram.end());
    }
    expect_same_state(interpreted, compiled);
    EXPECT_TRUE(std::equal(data_interpreted.begin(), data_interpreted.end(), ram.begin() + kDataAddress));
    // Every load stays in RAM: an MMIO exit would leave a replay pending.
    ASSERT_NE(interpreted.exit().reason, ExitReason::mmio);
    if (HasFailure()) return;
  }
  EXPECT_GT(compiled.decode_cache().run_compiler().compiled_runs(), 400u);
  EXPECT_EQ(interpreted.decode_cache().run_compiler().compiled_runs(), 0u);
}

// A store, itself in a compiled run and hitting the soft TLB, over the
// last word of another compiled run: the store leaves its run for the
// interpreter's, which forgets the other run's first entry with the word,
// so the next execution runs the new word.
TEST_F(RunCompilerTest, AStoreOverAWordOfACompiledRunIsExecutedNextTime) {
  using namespace encode;
  const std::uint32_t add_two = d_form(14, 6, 6, 2), add_hundred = d_form(14, 6, 6, 100);
  place(kCodeAddress, {d_form(14, 5, 5, 1), d_form(14, 7, 7, 3), add_two, kSystemCallHypervisor}, false);
  // stw r8,0(r9); addi r10,r10,1: a compiled run whose store reaches code
  place(0x2000, {d_form(36, 8, 9, 0), d_form(14, 10, 10, 1), kSystemCallHypervisor}, false);
  const auto run_at = [&](std::uint64_t address) {
    compiled.state.nip = address;
    run(compiled);
    ASSERT_EQ(compiled.exit().reason, ExitReason::hypercall);
  };
  const auto store_at_the_last_word = [&](std::uint32_t word) {
    compiled.state.gpr[8] = word;
    compiled.state.gpr[9] = kCodeAddress + 8;
    run_at(0x2000);
  };
  run_at(kCodeAddress);
  EXPECT_EQ(compiled.state.gpr[6], 2u);
  // The same word, to fill the soft TLB: the first store misses it.
  store_at_the_last_word(add_two);
  run_at(kCodeAddress);
  EXPECT_EQ(compiled.state.gpr[6], 4u);

  store_at_the_last_word(add_hundred);
  run_at(kCodeAddress);
  EXPECT_EQ(compiled.state.gpr[6], 104u);
  EXPECT_EQ(compiled.state.gpr[5], 3u);
  // The first run, the store's, and the first run again after each store.
  EXPECT_EQ(compiled.decode_cache().run_compiler().compiled_runs(), 4u);
}

}  // namespace
}  // namespace mosaic::interp::test
