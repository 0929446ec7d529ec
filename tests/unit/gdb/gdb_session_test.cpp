// The RSP command layer against a fake DebugTarget: real packets in, the
// exact replies a gdb client would read out.
#include <gtest/gtest.h>

#include <map>

#include <spdlog/sinks/null_sink.h>

#include "gdb_session.hpp"
#include "register_map.hpp"

namespace {

using namespace mosaic;
using namespace mosaic::gdb;

class FakeTarget final : public DebugTarget {
 public:
  FakeTarget() : memory(0x10000, std::byte{0}) {
    for (auto& registers : vcpus) registers.msr = ppc::msr::kSixtyFour;
  }
  std::size_t vcpu_count() const override { return vcpus.size(); }
  DebugFeatures debug_features() const override { return features; }
  void stop_all() override { ++stops; }
  void resume_all(std::optional<std::size_t> step) override {
    ++resumes;
    last_step = step;
  }
  void on_debug_stop(std::function<void(std::size_t, const DebugExit&)>) override {}
  void set_debug(const GuestDebug& debug) override { applied = debug; }
  ppc::Registers registers(std::size_t vcpu) override { return vcpus.at(vcpu); }
  void set_registers(std::size_t vcpu, const ppc::Registers& registers) override { vcpus.at(vcpu) = registers; }
  // Effective page 0xc000000000000000 + n maps to real page n; nothing else.
  std::optional<std::uint64_t> debug_translate(std::size_t, std::uint64_t ea) override {
    if ((ea >> 60) != 0xc || (ea & 0x0fffffffffffffff) >= memory.size()) return std::nullopt;
    return ea & 0x0fffffffffffffff;
  }
  bool read_physical(std::uint64_t address, std::span<std::byte> out) override {
    if (address + out.size() > memory.size()) return false;
    std::copy_n(memory.begin() + static_cast<std::ptrdiff_t>(address), out.size(), out.begin());
    return true;
  }
  bool write_physical(std::uint64_t address, std::span<const std::byte> in) override {
    if (address + in.size() > memory.size()) return false;
    std::copy(in.begin(), in.end(), memory.begin() + static_cast<std::ptrdiff_t>(address));
    return true;
  }

  void end_run(std::string reason) override { ended = std::move(reason); }

  std::array<ppc::Registers, 2> vcpus{};
  DebugFeatures features{true, 2, 1, true};
  std::string ended;
  std::vector<std::byte> memory;
  GuestDebug applied;
  int stops = 0, resumes = 0;
  std::optional<std::size_t> last_step;
};

class GdbSessionTest : public ::testing::Test {
 protected:
  GdbSessionTest()
      : session(target, [this](std::string bytes) { sent += bytes; },
                std::make_shared<spdlog::logger>("gdb-test", std::make_shared<spdlog::sinks::null_sink_mt>())) {}

  // Sends one packet and returns the payload of the reply ("" if none).
  std::string exchange(const std::string& payload) {
    sent.clear();
    session.receive(encode_packet(payload));
    std::vector<RspEvent> events;
    RspDecoder decoder;
    decoder.feed(sent, events);
    for (const auto& event : events) {
      if (event.kind == RspEvent::Kind::packet) return event.payload;
    }
    return "<no reply>";
  }

  FakeTarget target;
  std::string sent;
  GdbSession session;
};

TEST_F(GdbSessionTest, AdvertisesFeaturesAndServesTheTargetDescription) {
  EXPECT_NE(exchange("qSupported:multiprocess+;swbreak+").find("qXfer:features:read+"), std::string::npos);
  const std::string first = exchange("qXfer:features:read:target.xml:0,40");
  ASSERT_EQ(first[0], 'm');
  EXPECT_EQ(first.substr(1), target_description().substr(0, 0x40));
  EXPECT_EQ(exchange("qXfer:features:read:target.xml:100000,40"), "l");
  EXPECT_NE(target_description().find("org.gnu.gdb.power.core"), std::string::npos);
}

TEST_F(GdbSessionTest, AcknowledgesUntilNoAckMode) {
  session.receive(encode_packet("qC"));
  EXPECT_EQ(sent.front(), '+');
  EXPECT_EQ(exchange("QStartNoAckMode"), "OK");
  sent.clear();
  session.receive(encode_packet("qC"));
  EXPECT_EQ(sent.front(), '$');
}

TEST_F(GdbSessionTest, RegistersFollowTheGuestsByteOrder) {
  target.vcpus[0].gpr[1] = 0x0102030405060708;
  target.vcpus[0].nip = 0xc000000000001234;
  target.vcpus[0].cr = 0x22000044;
  std::string all = exchange("g");
  // Core, FPU, 32 vector registers with VSCR and VRSAVE, 32 VSX halves.
  ASSERT_EQ(all.size(), 2u * (32 * 8 + 32 * 8 + 8 * 4 + 4 * 3 + 32 * 16 + 4 * 2 + 32 * 8));
  EXPECT_EQ(all.substr(16, 16), "0102030405060708");  // big-endian guest
  EXPECT_EQ(exchange("p40"), "c000000000001234");
  EXPECT_EQ(exchange("p42"), "22000044");

  target.vcpus[0].msr |= ppc::msr::kLittleEndian;
  EXPECT_EQ(exchange("p1"), "0807060504030201");
  EXPECT_EQ(exchange("P1=1100000000000000"), "OK");
  EXPECT_EQ(target.vcpus[0].gpr[1], 0x11u);
  EXPECT_EQ(exchange("p999"), "E22");
  EXPECT_EQ(exchange("P1=11"), "E22");  // wrong size
  // vr2 (gdb's register 73) is one 128-bit number in the target's order.
  target.vcpus[0].vr[2] = {0x0001020304050607, 0x08090a0b0c0d0e0f};
  EXPECT_EQ(exchange("p49"), "0f0e0d0c0b0a09080706050403020100");
  target.vcpus[0].msr &= ~ppc::msr::kLittleEndian;
  EXPECT_EQ(exchange("p49"), "000102030405060708090a0b0c0d0e0f");
  EXPECT_EQ(exchange("P49=ffeeddccbbaa99887766554433221100"), "OK");
  EXPECT_EQ(target.vcpus[0].vr[2][0], 0xffeeddccbbaa9988u);
}

TEST_F(GdbSessionTest, MemoryGoesThroughTranslationAndUnmappedAddressesFail) {
  target.memory[0x1000] = std::byte{0xde};
  target.memory[0x1001] = std::byte{0xad};
  EXPECT_EQ(exchange("mc000000000001000,2"), "dead");
  EXPECT_EQ(exchange("m1000,2"), "E14");
  // A read running off the mapped range returns the mapped part; one far
  // longer than a packet returns what fits.
  EXPECT_EQ(exchange("mc00000000000fffe,4"), "0000");
  EXPECT_EQ(exchange("mc000000000000000,100000").size() % 2, 0u);
  EXPECT_LT(exchange("mc000000000000000,100000").size(), 0x100000u);
  EXPECT_EQ(exchange("mc000000000001000"), "E22");
  EXPECT_EQ(exchange("mc00000000000zzzz,2"), "E22");
  EXPECT_EQ(exchange("Mc000000000002000,2:beef"), "OK");
  EXPECT_EQ(target.memory[0x2001], std::byte{0xef});
  EXPECT_EQ(exchange("Mc000000000002000,2:be"), "E22");  // length mismatch
  EXPECT_EQ(exchange("Xc000000000003000,1:#"), "OK");  // sent escaped on the wire
  EXPECT_EQ(target.memory[0x3000], std::byte{'#'});
}

TEST_F(GdbSessionTest, BreakpointsAndWatchpointsReachTheTargetWithinItsLimits) {
  EXPECT_EQ(exchange("Z0,c000000000000100,4"), "OK");
  EXPECT_EQ(target.applied.software_breakpoints, std::vector<std::uint64_t>{0xc000000000000100});
  EXPECT_EQ(exchange("Z1,c000000000000200,4"), "OK");
  EXPECT_EQ(exchange("Z1,c000000000000300,4"), "OK");
  EXPECT_EQ(exchange("Z1,c000000000000400,4"), "E28");  // two hardware slots
  EXPECT_EQ(exchange("Z2,c000000000000800,8"), "OK");
  ASSERT_EQ(target.applied.watchpoints.size(), 1u);
  EXPECT_EQ(target.applied.watchpoints[0].length, 8u);
  EXPECT_EQ(exchange("z0,c000000000000100,4"), "OK");
  EXPECT_TRUE(target.applied.software_breakpoints.empty());
  EXPECT_EQ(exchange("Z9,0,0"), "");
  EXPECT_EQ(exchange("Z0"), "E22");
}

TEST_F(GdbSessionTest, ContinueThenStopReportsTheReasonAndThread) {
  sent.clear();
  session.receive(encode_packet("c"));
  EXPECT_EQ(target.resumes, 1);
  EXPECT_TRUE(session.running());
  sent.clear();
  session.report_stop(1, DebugExit{DebugCause::software_breakpoint, 0xc000000000000100});
  EXPECT_NE(sent.find("T05swbreak:;thread:2;"), std::string::npos) << sent;
  EXPECT_EQ(exchange("qC"), "QC2");

  session.receive(encode_packet("vCont;s:1;c"));
  EXPECT_EQ(target.last_step, std::optional<std::size_t>(0));
  sent.clear();
  session.receive("\x03");
  EXPECT_NE(sent.find("T02"), std::string::npos) << sent;
  EXPECT_FALSE(session.running());
}

// KVM-HV cannot single-step: gdb must hear so instead of the guest running on.
TEST_F(GdbSessionTest, StepsAreRefusedWhenTheAcceleratorCannotStep) {
  target.features.single_step = false;
  EXPECT_EQ(exchange("vCont?"), "vCont;c;C");
  const std::uint64_t nip = target.vcpus[0].nip;
  EXPECT_EQ(exchange("sc000000000000100"), "E95");
  EXPECT_EQ(exchange("vCont;s:1;c"), "E95");
  EXPECT_EQ(target.resumes, 0);
  EXPECT_EQ(target.vcpus[0].nip, nip);
  EXPECT_FALSE(session.running());
  target.features.single_step = true;
  EXPECT_EQ(exchange("vCont?"), "vCont;c;C;s;S");
}

TEST_F(GdbSessionTest, ThreadsAreVcpusAndBadThreadsAreRefused) {
  EXPECT_EQ(exchange("qfThreadInfo"), "m1,2");
  EXPECT_EQ(exchange("qsThreadInfo"), "l");
  EXPECT_EQ(exchange("Hg2"), "OK");
  target.vcpus[1].gpr[0] = 7;
  EXPECT_EQ(exchange("p0"), "0000000000000007");
  EXPECT_EQ(exchange("Hg9"), "E03");
  EXPECT_EQ(exchange("T1"), "OK");
  EXPECT_EQ(exchange("T3"), "E03");
}

TEST_F(GdbSessionTest, MalformedInputGetsProtocolAnswersAndStateSurvives) {
  sent.clear();
  session.receive("$g#00");
  EXPECT_EQ(sent, "-");
  EXPECT_EQ(exchange("qUnknownThing"), "");
  EXPECT_EQ(exchange("vFlashErase:0,1"), "");
  EXPECT_EQ(exchange(""), "");
  EXPECT_EQ(exchange("vCont;x"), "E22");
  EXPECT_EQ(exchange("qC"), "QC1");
}

TEST_F(GdbSessionTest, DetachClearsDebugStateAndResumes) {
  exchange("Z0,c000000000000100,4");
  EXPECT_EQ(exchange("D"), "OK");
  EXPECT_TRUE(target.applied.software_breakpoints.empty());
  EXPECT_EQ(target.resumes, 1);
}

TEST_F(GdbSessionTest, KillEndsTheRunWithoutAReply) {
  EXPECT_EQ(exchange("k"), "<no reply>");
  EXPECT_EQ(target.ended, "killed by the debugger");
  // The session no longer drives the target: further commands are refused.
  EXPECT_EQ(exchange("g"), "E22");
}

}  // namespace
