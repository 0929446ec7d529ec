// The GDB remote-stub debugger plugin. This build validates its options and
// describes itself; the remote serial protocol is the debug-gdb issue's
// work, so a config that asks for it is refused at validation time rather
// than booting a guest that nobody can attach to.
#include <fmt/format.h>

#include "mosaic/plugin.hpp"

namespace {

std::unique_ptr<mosaic::Debugger> create_gdb_stub(const mosaic::DebuggerSetup& setup) {
  const auto& options = setup.options;
  options.expect_keys({"port", "address", "wait-for-attach"});
  options.child("port").as_uint(1, 65535, 1234);
  options.child("address").as_string("127.0.0.1");
  options.child("wait-for-attach").as_bool(false);
  options.fail("the GDB remote stub cannot serve sessions in this build yet");
}

}  // namespace

MOSAIC_PLUGIN(debugger, "gdb", "0.1.0", "GDB remote serial protocol stub", create_gdb_stub)
