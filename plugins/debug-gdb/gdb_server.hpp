// The TCP side of the gdb stub: listens on its own I/O thread, serves one
// client at a time (a second one is told so and closed), and routes the
// machine's debug stops to the session.
//
// Its own thread and io_context rather than the core's: Boost.Asio is
// header-only and plugins are built with hidden symbols, so a plugin's copy
// of Asio's per-thread state is not the core's; sockets of a plugin served
// by the core's io_context crash when the plugin's completion code runs.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <spdlog/logger.h>

#include "gdb_session.hpp"
#include "mosaic/debugger.hpp"

namespace mosaic::gdb {

struct ServerOptions {
  std::string address = "127.0.0.1";
  unsigned port = 1234;  // 0: any free port (the log says which)
  bool wait_for_attach = false;
};

class GdbServer final : public Debugger {
 public:
  GdbServer(ServerOptions options, std::shared_ptr<spdlog::logger> log);
  ~GdbServer() override;

  void attach(DebugTarget& target) override;

 private:
  void accept_next();
  void start_session(boost::asio::ip::tcp::socket socket);
  void read_next();
  void send(std::string bytes);
  void end_session();

  boost::asio::io_context io_;
  std::thread io_thread_;
  ServerOptions options_;
  std::shared_ptr<spdlog::logger> log_;
  DebugTarget* target_ = nullptr;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::optional<boost::asio::ip::tcp::socket> client_;
  std::unique_ptr<GdbSession> session_;
  std::array<char, 4096> read_buffer_{};
};

}  // namespace mosaic::gdb
