#include "machine_control.hpp"

namespace mosaic::core {

MachineControl::MachineControl(Machine& machine, std::vector<DeviceInfo> devices, EventSink events,
                               SnapshotWriter snapshot, AcceleratorSwitch switch_accelerator)
    : machine_(machine),
      devices_(std::move(devices)),
      events_(std::move(events)),
      snapshot_(std::move(snapshot)),
      switch_(std::move(switch_accelerator)) {
  machine_.on_reset([this] {
    bool requested = false;
    {
      std::lock_guard lock(mutex_);
      requested = std::exchange(reset_by_request_, false);
    }
    events_(ControlProtocol::event("RESET", {{"guest", !requested}}));
  });
}

bool MachineControl::paused() const {
  std::lock_guard lock(mutex_);
  return paused_;
}

void MachineControl::stop() {
  {
    std::lock_guard lock(mutex_);
    if (paused_) return;
    paused_ = true;
    machine_.pause();
  }
  events_(ControlProtocol::event("STOP"));
}

void MachineControl::cont() {
  {
    std::lock_guard lock(mutex_);
    if (!paused_) return;
    paused_ = false;
    machine_.resume();
  }
  events_(ControlProtocol::event("RESUME"));
}

void MachineControl::snapshot_save(const std::string& path) {
  std::lock_guard lock(mutex_);
  if (!paused_) machine_.pause();
  try {
    snapshot_(path);
  } catch (...) {
    if (!paused_) machine_.resume();
    throw;
  }
  if (!paused_) machine_.resume();
}

void MachineControl::switch_accelerator(const std::string& name) {
  // The run state carries over: a paused VM stays paused on the new one.
  std::lock_guard lock(mutex_);
  switch_(name);
}

void MachineControl::powerdown() {
  events_(ControlProtocol::event("POWERDOWN"));
  machine_.request_powerdown();
}

void MachineControl::reset() {
  {
    std::lock_guard lock(mutex_);
    reset_by_request_ = true;
  }
  machine_.request_reset();
}

void MachineControl::quit() {
  machine_.request_shutdown({RunOutcome::Kind::power_off, "quit (control socket)"});
}

void MachineControl::shutdown(const RunOutcome& outcome) {
  const char* reason = outcome.kind == RunOutcome::Kind::power_off    ? "shutdown"
                       : outcome.kind == RunOutcome::Kind::guest_panic ? "guest-panic"
                                                                       : "failure";
  events_(ControlProtocol::event("SHUTDOWN", {{"reason", reason}, {"message", outcome.message}}));
}

}  // namespace mosaic::core
