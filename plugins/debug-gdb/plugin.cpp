// The GDB remote-stub debugger plugin.
#include "gdb_server.hpp"
#include "mosaic/plugin.hpp"

namespace {

std::unique_ptr<mosaic::Debugger> create_gdb_stub(const mosaic::DebuggerSetup& setup) {
  const auto& options = setup.options;
  options.expect_keys({"type", "port", "address", "wait-for-attach"});
  mosaic::gdb::ServerOptions server;
  server.port = static_cast<unsigned>(options.child("port").as_uint(0, 65535, 1234));
  server.address = options.child("address").as_string("127.0.0.1");
  server.wait_for_attach = options.child("wait-for-attach").as_bool(false);
  boost::system::error_code error;
  boost::asio::ip::make_address(server.address, error);
  if (error) options.child("address").fail("expected an IPv4 or IPv6 address");
  return std::make_unique<mosaic::gdb::GdbServer>(server, setup.host.logger("gdb"));
}

}  // namespace

MOSAIC_PLUGIN(debugger, "gdb", "0.1.0", "GDB remote serial protocol stub", create_gdb_stub)
