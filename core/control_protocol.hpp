// The control socket's protocol, apart from the socket: JSON lines close to
// QEMU's QMP. A request is {"execute": NAME, "arguments": {...}, "id": ...};
// the reply is {"return": ...} or {"error": {"class": ..., "desc": ...}},
// with the request's id. Events are {"event": NAME, "data": {...},
// "timestamp": {...}}. Nothing here knows PowerPC or sockets.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "mosaic/machine.hpp"

namespace mosaic::core {

// What the commands act on: the running VM (vm.cpp), or a fake in tests.
class VmControl {
 public:
  virtual ~VmControl() = default;
  virtual bool paused() const = 0;
  virtual void stop() = 0;  // pause; no effect when paused
  virtual void cont() = 0;  // resume; no effect when running
  virtual void powerdown() = 0;
  virtual void reset() = 0;
  virtual void quit() = 0;
  virtual std::vector<VcpuStatus> vcpus() = 0;
  struct DeviceInfo {
    std::string type;
    std::string plugin;
  };
  virtual std::vector<DeviceInfo> devices() const = 0;
  // Writes a snapshot to `path` (the VM keeps its run state); throws
  // std::runtime_error with what went wrong.
  virtual void snapshot_save(const std::string& path) = 0;
  // Moves the running guest onto the accelerator `name`; throws
  // std::runtime_error with what went wrong.
  virtual void switch_accelerator(const std::string& name) = 0;
};

class ControlProtocol {
 public:
  // Longer request lines are refused (the rest of the line is skipped).
  static constexpr std::size_t kMaxLine = 64 * 1024;

  explicit ControlProtocol(VmControl& vm) : vm_(vm) {}

  // The greeting a client gets when it connects.
  static std::string greeting(std::string_view version);
  // One request line (without its newline) to its reply line.
  std::string handle(std::string_view line);
  // The reply to a line longer than kMaxLine.
  static std::string oversized_reply();
  // An event line.
  static std::string event(std::string_view name, const nlohmann::json& data = nlohmann::json::object());

  // The commands, in the order query-commands lists them.
  static const std::vector<std::string>& command_names();

 private:
  nlohmann::json execute(const std::string& name, const nlohmann::json& arguments);

  VmControl& vm_;
};

}  // namespace mosaic::core
