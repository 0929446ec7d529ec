// The VM's run state as the control socket drives it: the Machine's verbs
// plus what the core tracks itself (paused or running, the devices), and
// the events each change sends to clients.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "control_protocol.hpp"
#include "mosaic/machine.hpp"

namespace mosaic::core {

class MachineControl final : public VmControl {
 public:
  using EventSink = std::function<void(std::string line)>;

  MachineControl(Machine& machine, std::vector<DeviceInfo> devices, EventSink events);

  bool paused() const override;
  void stop() override;
  void cont() override;
  void powerdown() override;
  void reset() override;
  void quit() override;
  std::vector<VcpuStatus> vcpus() override { return machine_.vcpu_status(); }
  std::vector<DeviceInfo> devices() const override { return devices_; }

  // The run ended: the SHUTDOWN event, with why.
  void shutdown(const RunOutcome& outcome);

 private:
  Machine& machine_;
  std::vector<DeviceInfo> devices_;
  EventSink events_;
  mutable std::mutex mutex_;
  bool paused_ = false;
  bool reset_by_request_ = false;
};

}  // namespace mosaic::core
