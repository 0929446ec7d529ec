// One gdb client's conversation with the VM: the RSP commands, mapped onto
// the machine's DebugTarget. Not thread-safe: the server calls it from the
// I/O thread only (stop events are posted there).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/logger.h>

#include "mosaic/debugger.hpp"
#include "rsp_framing.hpp"

namespace mosaic::gdb {

class GdbSession {
 public:
  using Sender = std::function<void(std::string bytes)>;

  GdbSession(DebugTarget& target, Sender send, std::shared_ptr<spdlog::logger> log);

  // Bytes from the client.
  void receive(std::string_view bytes);
  // A vCPU stopped at a breakpoint, watchpoint or after a step.
  void report_stop(std::size_t vcpu, const DebugExit& exit);
  // The client went away: clear our breakpoints and let the guest run.
  void disconnect();
  bool running() const { return running_; }

 private:
  void handle_packet(const std::string& packet);
  std::string dispatch(const std::string& packet);
  void reply(std::string payload);

  std::string query(std::string_view packet);
  std::string set_thread(std::string_view packet);
  std::string read_registers();
  std::string write_registers(std::string_view hex);
  std::string read_one_register(std::string_view packet);
  std::string write_one_register(std::string_view packet);
  std::string read_memory(std::string_view packet);
  std::string write_memory(std::string_view packet, bool binary);
  std::string change_breakpoint(std::string_view packet, bool insert);
  std::optional<std::string> resume(std::string_view packet);
  std::optional<std::string> resume_with_actions(std::string_view actions);
  std::string stop_reply(std::size_t vcpu, std::string_view reason) const;

  // Copies up to bytes.size() bytes at `address` as `vcpu` sees it; returns
  // how many were copied before the first untranslated or non-RAM page.
  std::size_t access_virtual(std::size_t vcpu, std::uint64_t address, std::string& bytes, bool write);
  void apply_debug_state();

  DebugTarget& target_;
  Sender send_;
  std::shared_ptr<spdlog::logger> log_;
  RspDecoder decoder_;
  bool acknowledge_ = true;
  bool running_ = false;
  std::string last_packet_;  // resent on '-'
  std::size_t register_vcpu_ = 0;  // Hg
  std::size_t stopped_vcpu_ = 0;
  GuestDebug debug_;
};

}  // namespace mosaic::gdb
