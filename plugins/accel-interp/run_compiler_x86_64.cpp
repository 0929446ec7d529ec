// RunCompiler for x86-64 hosts: each run becomes one stretch of host code
// (run_emitter_x86_64.hpp) in a per-vCPU code space.
#include <sys/mman.h>

#include <cstddef>

#include <xbyak/xbyak_util.h>

#include "run_compiler.hpp"
#include "run_emitter_x86_64.hpp"

namespace mosaic::interp {

namespace {

constexpr std::size_t kCodeSpaceBytes = std::size_t{16} << 20;
// A run's code is far below this; compile() stops when less is left.
constexpr std::size_t kRoomPerRun = 8192;

}  // namespace

using x86_64::Emitter;
using x86_64::fixed_point;
using x86_64::fixed_point_load;
using x86_64::fixed_point_store;
using x86_64::run_branch;

struct RunCompiler::Impl {
  // Reserved at the first compilation: most vCPUs of the tests never compile.
  bool reserve_space();

  std::byte* space = nullptr;
  bool refused = false;  // the host would not map executable memory
  std::size_t used = 0;
  bool full = false;
  std::size_t runs = 0;
  bool has_popcnt = false;
  bool has_lzcnt = false;
};

bool RunCompiler::Impl::reserve_space() {
  if (space != nullptr) return true;
  // Writable and executable at once: runs are compiled while others run,
  // and the code space belongs to this vCPU's thread alone.
  void* mapped = mmap(nullptr, kCodeSpaceBytes, PROT_READ | PROT_WRITE | PROT_EXEC,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mapped == MAP_FAILED) {
    refused = true;
    return false;
  }
  space = static_cast<std::byte*>(mapped);
  return true;
}

RunCompiler::RunCompiler() : impl_(std::make_unique<Impl>()) {
  const Xbyak::util::Cpu host;
  impl_->has_popcnt = host.has(Xbyak::util::Cpu::tPOPCNT);
  impl_->has_lzcnt = host.has(Xbyak::util::Cpu::tLZCNT);
}

RunCompiler::~RunCompiler() {
  if (impl_->space != nullptr) munmap(impl_->space, kCodeSpaceBytes);
}

std::size_t RunCompiler::run_length(std::span<const std::uint32_t> words, std::size_t first_index) const {
  if (impl_->refused) return 0;
  std::size_t length = 0;
  while (length < words.size() && length + 1 < kMaxRun &&
         (fixed_point(words[length], nullptr, impl_->has_popcnt, impl_->has_lzcnt) ||
          fixed_point_load(words[length], nullptr, first_index + length) ||
          fixed_point_store(words[length], nullptr, first_index + length))) {
    ++length;
  }
  if (length < words.size() && run_branch(words[length], first_index + length)) ++length;
  return length;
}

ChainedHandler RunCompiler::compile(std::span<const std::uint32_t> words, std::size_t first_index,
                                    const RunLayout& layout, bool little_endian, ChainedHandler interpret) {
  const std::size_t length = run_length(words, first_index);
  if (length == 0 || impl_->full || !impl_->reserve_space()) return nullptr;
  if (kCodeSpaceBytes - impl_->used < kRoomPerRun) {
    impl_->full = true;
    return nullptr;
  }
  try {
    Emitter emit(kRoomPerRun, impl_->space + impl_->used, layout, little_endian, first_index, interpret);
    std::size_t index = first_index;
    for (const std::uint32_t word : words.first(length)) {
      if (!fixed_point(word, &emit, impl_->has_popcnt, impl_->has_lzcnt) && !fixed_point_load(word, &emit, index) &&
          !fixed_point_store(word, &emit, index)) {
        emit.branch_from(*run_branch(word, index), index, first_index);
        break;
      }
      ++index;
    }
    if (index == first_index + length) emit.go_on_at(index, first_index);
    emit.emit_exits();
    impl_->used += (emit.getSize() + 15) & ~std::size_t{15};
    ++impl_->runs;
    return reinterpret_cast<ChainedHandler>(const_cast<std::uint8_t*>(emit.getCode()));
  } catch (const Xbyak::Error&) {
    // The run did not fit its room (it cannot, by kMaxRun): left to the
    // interpreter.
    return nullptr;
  }
}

bool RunCompiler::full() const { return impl_->full; }

bool RunCompiler::compiles() const { return !impl_->refused; }

void RunCompiler::reset() {
  impl_->used = 0;
  impl_->full = false;
}

std::size_t RunCompiler::compiled_runs() const { return impl_->runs; }

}  // namespace mosaic::interp
