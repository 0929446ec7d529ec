// Software breakpoints under KVM-HV: the instruction at the breakpoint is
// replaced by the one KVM reserves for the debugger (KVM_REG_PPC_DEBUG_INST),
// which exits with KVM_EXIT_DEBUG when the guest reaches it. Breakpoints are
// effective addresses; they are planted in the real page they map to when
// set, as gdb expects of a kernel that does not move its text.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include <spdlog/logger.h>

#include "mosaic/guest_memory.hpp"
#include "mosaic/ppc.hpp"

namespace mosaic::kvm {

class SoftwareBreakpoints {
 public:
  // Translates an effective address for the vCPU whose state is given.
  using Translate = std::function<std::optional<std::uint64_t>(const ppc::Registers&, std::uint64_t)>;

  SoftwareBreakpoints(GuestMemory& memory, Translate translate, std::shared_ptr<spdlog::logger> log)
      : memory_(memory), translate_(std::move(translate)), log_(std::move(log)) {}

  // The trap instruction, read from the first vCPU before any breakpoint.
  void set_instruction(std::uint32_t instruction) { instruction_ = instruction; }
  // Makes the planted set equal to `addresses`, translated with `state`.
  // Addresses that do not translate to RAM are left out, logged and returned.
  std::vector<std::uint64_t> apply(const std::vector<std::uint64_t>& addresses, const ppc::Registers& state);
  // Puts every original instruction back (before the VM goes away or resets).
  void remove_all();

 private:
  struct Planted {
    std::uint64_t real_address;
    std::uint32_t original;
  };
  void restore(const Planted& planted);

  GuestMemory& memory_;
  Translate translate_;
  std::shared_ptr<spdlog::logger> log_;
  std::uint32_t instruction_ = 0;
  std::mutex mutex_;
  std::map<std::uint64_t, Planted> planted_;  // by effective address
};

}  // namespace mosaic::kvm
