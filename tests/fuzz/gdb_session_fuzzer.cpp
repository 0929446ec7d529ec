// A whole gdb remote-protocol session: arbitrary client bytes in pieces,
// interleaved with vCPU stops and a disconnect, through the real
// GdbSession against a two-vCPU target whose memory is fenced RAM and whose
// translation is the SDK's hash walk over a small HPT. Every reply must be
// a well-formed packet (or an ack), and the session must stay in bounds.
#include <cstdint>
#include <cstdlib>
#include <string>

#include <spdlog/sinks/null_sink.h>

#include "fuzz_input.hpp"
#include "gdb_session.hpp"
#include "guarded_ram.hpp"
#include "mosaic/ppc_hash.hpp"
#include "support/vector_hash_page_table.hpp"

namespace {

using namespace mosaic;

constexpr std::uint64_t kRamBytes = 1 << 20;

class FencedTarget final : public DebugTarget {
 public:
  explicit FencedTarget(GuestMemory& memory) : memory_(memory) {
    table_.allocate(ppc::HashPageTable::kMinOrder);
  }
  std::size_t vcpu_count() const override { return vcpus_.size(); }
  DebugFeatures debug_features() const override { return {true, 2, 1, true}; }
  void stop_all() override { running_ = false; }
  void resume_all(std::optional<std::size_t> step) override {
    if (step && *step >= vcpus_.size()) std::abort();  // the stub must name a vCPU that exists
    running_ = true;
  }
  void on_debug_stop(std::function<void(std::size_t, const DebugExit&)>) override {}
  void set_debug(const GuestDebug& debug) override {
    if (debug.software_breakpoints.size() > 4096 || debug.watchpoints.size() > 4096) std::abort();
  }
  ppc::Registers registers(std::size_t vcpu) override { return vcpus_.at(vcpu); }
  void set_registers(std::size_t vcpu, const ppc::Registers& registers) override { vcpus_.at(vcpu) = registers; }
  std::optional<std::uint64_t> debug_translate(std::size_t vcpu, std::uint64_t effective_address) override {
    return ppc::debug_translate(vcpus_.at(vcpu), table_, page_sizes_, effective_address);
  }
  bool read_physical(std::uint64_t address, std::span<std::byte> out) override { return memory_.read(address, out); }
  bool write_physical(std::uint64_t address, std::span<const std::byte> in) override {
    return memory_.write(address, in);
  }
  void end_run(std::string) override {}

  // Relocation on for vCPU 1, with one segment and one page mapped.
  void map_one_page(fuzz::FuzzInput& input) {
    vcpus_[1].msr = ppc::msr::kSixtyFour | ppc::msr::kDataRelocate | ppc::msr::kInstructionRelocate;
    vcpus_[1].slb[0] = {input.take<std::uint64_t>() | ppc::slb::kValid, input.take<std::uint64_t>()};
    const std::uint64_t ptex = input.take<std::uint16_t>() % (std::uint64_t{1} << ppc::HashPageTable::kMinOrder >> 4);
    table_.write_hpte(ptex, {input.take<std::uint64_t>() | ppc::hpte::kValid, input.take<std::uint32_t>()});
  }

 private:
  GuestMemory& memory_;
  testing::VectorHashPageTable table_;
  std::vector<ppc::SegmentPageSizes> page_sizes_{{12, 0x000, {{12, 0x0}, {16, 0x7}, {24, 0x38}}},
                                                 {16, 0x110, {{16, 0x1}, {24, 0x8}}},
                                                 {24, 0x100, {{24, 0x0}}}};
  std::array<ppc::Registers, 2> vcpus_{};
  bool running_ = false;
};

// What the stub sends is acks ('+'/'-') and well-formed packets only.
void check_sent(const std::string& bytes) {
  gdb::RspDecoder decoder;
  std::vector<gdb::RspEvent> events;
  decoder.feed(bytes, events);
  for (const auto& event : events) {
    if (event.kind != gdb::RspEvent::Kind::packet && event.kind != gdb::RspEvent::Kind::ack &&
        event.kind != gdb::RspEvent::Kind::nack) {
      std::abort();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static fuzz::GuardedRam ram(kRamBytes);
  static const auto log = std::make_shared<spdlog::logger>("gdb", std::make_shared<spdlog::sinks::null_sink_mt>());
  ram.clear();
  fuzz::FuzzInput input(data, size);
  FencedTarget target(ram.memory());
  if (input.take_bool()) target.map_one_page(input);
  std::string sent;
  gdb::GdbSession session(target, [&sent](std::string bytes) { sent += bytes; }, log);
  while (!input.empty()) {
    const std::uint8_t op = input.take<std::uint8_t>();
    if (op < 0xe0) {
      // Client bytes; most inputs are whole packets (the seeds are recorded
      // sessions), the framing having a fuzzer of its own.
      const auto bytes = input.take_bytes(1 + op);
      session.receive(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    } else if (op < 0xf8) {
      const std::size_t vcpu = input.take<std::uint8_t>() % 2;
      session.report_stop(vcpu, DebugExit{static_cast<DebugCause>(input.take<std::uint8_t>() % 4),
                                          input.take<std::uint64_t>()});
    } else {
      session.disconnect();
    }
  }
  check_sent(sent);
  return 0;
}
