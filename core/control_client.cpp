#include "control_client.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mosaic::core {

namespace {

constexpr int kFailed = 1;
constexpr int kUnusable = 2;

std::string read_line(boost::asio::local::stream_protocol::socket& socket, boost::asio::streambuf& buffer) {
  const std::size_t length = boost::asio::read_until(socket, buffer, '\n');
  std::string line(boost::asio::buffers_begin(buffer.data()), boost::asio::buffers_begin(buffer.data()) + length);
  buffer.consume(length);
  return line;
}

}  // namespace

int run_control_command(const std::string& socket_path, const std::string& command, const std::string& arguments) {
  using nlohmann::json;
  json request{{"execute", command}, {"id", 1}};
  if (!arguments.empty()) {
    try {
      request["arguments"] = json::parse(arguments);
    } catch (const json::parse_error& error) {
      fmt::print(stderr, "mosaic ctl: the arguments are not JSON: {}\n", error.what());
      return kUnusable;
    }
    if (!request["arguments"].is_object()) {
      fmt::print(stderr, "mosaic ctl: the arguments must be a JSON object\n");
      return kUnusable;
    }
  }
  try {
    boost::asio::io_context io;
    boost::asio::local::stream_protocol::socket socket(io);
    socket.connect(boost::asio::local::stream_protocol::endpoint(socket_path));
    boost::asio::streambuf buffer;
    read_line(socket, buffer);  // the greeting
    boost::asio::write(socket, boost::asio::buffer(request.dump() + "\n"));
    for (;;) {
      const json reply = json::parse(read_line(socket, buffer));
      if (reply.contains("event")) continue;  // events that arrive before the reply
      if (const auto error = reply.find("error"); error != reply.end()) {
        fmt::print(stderr, "mosaic ctl: {}: {}\n", error->value("class", "error"), error->value("desc", ""));
        return kFailed;
      }
      fmt::print("{}\n", reply.value("return", json::object()).dump());
      return 0;
    }
  } catch (const boost::system::system_error& error) {
    fmt::print(stderr, "mosaic ctl: {}: {}\n", socket_path, error.code().message());
    return kUnusable;
  } catch (const json::exception& error) {
    fmt::print(stderr, "mosaic ctl: {}: not a control socket reply: {}\n", socket_path, error.what());
    return kUnusable;
  }
}

}  // namespace mosaic::core
