// The control socket: a UNIX stream socket (mode 0600) that serves the
// control protocol on the core's I/O thread. Any number of clients may be
// connected; each gets the replies to its own requests, and every client
// gets every event.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <spdlog/logger.h>

#include "control_protocol.hpp"

namespace mosaic::core {

class ControlServer {
 public:
  // Binds and listens at once (a stale socket file is replaced); throws
  // SetupError naming the path. Serves once the io_context runs.
  ControlServer(boost::asio::io_context& io, const std::filesystem::path& path, VmControl& vm,
                std::shared_ptr<spdlog::logger> log);
  ~ControlServer();

  // Any thread: sends `line` (an event) to every connected client.
  void broadcast(std::string line);
  // Any thread but the I/O thread: stops accepting, and closes every
  // connection once what is queued for it (the last events) is written.
  void close();

 private:
  class Session;
  void accept();

  boost::asio::io_context& io_;
  std::filesystem::path path_;
  ControlProtocol protocol_;
  std::shared_ptr<spdlog::logger> log_;
  boost::asio::local::stream_protocol::acceptor acceptor_;
  std::mutex sessions_mutex_;
  std::vector<std::weak_ptr<Session>> sessions_;
};

}  // namespace mosaic::core
