#include "software_breakpoints.hpp"

#include <algorithm>
#include <cstring>

namespace mosaic::kvm {
namespace {

// The vCPUs fetch the patched word through their instruction caches:
// make the store visible to instruction fetch. (clang's builtin takes
// char pointers only.)
void sync_instruction_cache(std::byte* at) {
  char* start = reinterpret_cast<char*>(at);
  __builtin___clear_cache(start, start + sizeof(std::uint32_t));
}

}  // namespace

std::vector<std::uint64_t> SoftwareBreakpoints::apply(const std::vector<std::uint64_t>& addresses,
                                                      const ppc::Registers& state) {
  std::lock_guard lock(mutex_);
  for (auto it = planted_.begin(); it != planted_.end();) {
    if (std::find(addresses.begin(), addresses.end(), it->first) != addresses.end()) {
      ++it;
      continue;
    }
    restore(it->second);
    it = planted_.erase(it);
  }
  std::vector<std::uint64_t> unplaced;
  for (const std::uint64_t address : addresses) {
    if (planted_.contains(address)) continue;
    const auto real = translate_(state, address);
    std::byte* host = real ? memory_.host_pointer(*real, sizeof(std::uint32_t)) : nullptr;
    if (host == nullptr) {
      log_->warn("software breakpoint at {:#x} not set: the address maps to no RAM", address);
      unplaced.push_back(address);
      continue;
    }
    // Instructions are stored in the guest's byte order; a word keeps its
    // value in either order only by chance, so store as the guest reads.
    Planted planted{*real, 0};
    std::memcpy(&planted.original, host, sizeof planted.original);
    std::uint32_t trap = instruction_;
    const bool little = state.msr & ppc::msr::kLittleEndian;
    if (little != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)) trap = __builtin_bswap32(trap);
    std::memcpy(host, &trap, sizeof trap);
    sync_instruction_cache(host);
    planted_.emplace(address, planted);
    log_->debug("software breakpoint at {:#x}: real address {:#x}", address, *real);
  }
  return unplaced;
}

void SoftwareBreakpoints::restore(const Planted& planted) {
  std::byte* host = memory_.host_pointer(planted.real_address, sizeof(std::uint32_t));
  std::memcpy(host, &planted.original, sizeof planted.original);
  sync_instruction_cache(host);
}

void SoftwareBreakpoints::remove_all() {
  std::lock_guard lock(mutex_);
  for (const auto& [address, planted] : planted_) restore(planted);
  planted_.clear();
}

}  // namespace mosaic::kvm
