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
  // Writes a snapshot of the paused VM to a path (vm.cpp).
  using SnapshotWriter = std::function<void(const std::string& path)>;
  // Moves the guest onto the named accelerator (vm.cpp).
  using AcceleratorSwitch = std::function<void(const std::string& name)>;

  MachineControl(Machine& machine, std::vector<DeviceInfo> devices, EventSink events, SnapshotWriter snapshot,
                 AcceleratorSwitch switch_accelerator);

  bool paused() const override;
  void stop() override;
  void cont() override;
  void powerdown() override;
  void reset() override;
  void quit() override;
  std::vector<VcpuStatus> vcpus() override { return machine_.vcpu_status(); }
  std::vector<DeviceInfo> devices() const override { return devices_; }
  // Pauses the vCPUs (unless paused already), writes, and resumes them.
  void snapshot_save(const std::string& path) override;
  void switch_accelerator(const std::string& name) override;

  // The run ended: the SHUTDOWN event, with why.
  void shutdown(const RunOutcome& outcome);

 private:
  Machine& machine_;
  std::vector<DeviceInfo> devices_;
  EventSink events_;
  SnapshotWriter snapshot_;
  AcceleratorSwitch switch_;
  mutable std::mutex mutex_;
  bool paused_ = false;
  bool reset_by_request_ = false;
};

}  // namespace mosaic::core
