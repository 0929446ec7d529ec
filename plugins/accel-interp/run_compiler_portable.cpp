// RunCompiler on hosts other than x86-64: there is no code generator, so no
// word starts a run and the interpreter runs everything.
#include "run_compiler.hpp"

namespace mosaic::interp {

struct RunCompiler::Impl {};

RunCompiler::RunCompiler() = default;
RunCompiler::~RunCompiler() = default;

std::size_t RunCompiler::run_length(std::span<const std::uint32_t>, std::size_t) const { return 0; }

ChainedHandler RunCompiler::compile(std::span<const std::uint32_t>, std::size_t, const RunLayout&, bool,
                                    ChainedHandler) {
  return nullptr;
}

bool RunCompiler::full() const { return false; }
bool RunCompiler::compiles() const { return false; }
void RunCompiler::reset() {}
std::size_t RunCompiler::compiled_runs() const { return 0; }

}  // namespace mosaic::interp
