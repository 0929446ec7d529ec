// The control socket's verbs (Machine): pause and resume, reset, a clean
// power-down request, and what each vCPU is doing.
#include "pseries_machine.hpp"

namespace mosaic::pseries {

void PseriesMachine::pause() { threads_->hold(); }

// A snapshot taken while paused left the devices quiesced: they go on too.
void PseriesMachine::resume() {
  phb_->resume_io();
  threads_->release();
}

void PseriesMachine::request_reset() {
  threads_->shutdown({RunOutcome::Kind::power_off, "system reset"}, [this] { reset_requested_ = true; });
}

void PseriesMachine::request_powerdown() {
  log_->info("asking the guest to power down (EPOW)");
  epow_->request_shutdown();
}

std::vector<VcpuStatus> PseriesMachine::vcpu_status() {
  // Registers can only be read while a vCPU is out of the guest.
  threads_->hold();
  std::vector<VcpuStatus> status;
  for (std::uint32_t i = 0; i < vcpus_.size(); ++i) {
    const ppc::Registers registers = vcpus_[i]->registers();
    status.push_back({i, threads_->state(i), {{"nip", registers.nip}, {"msr", registers.msr}}});
  }
  threads_->release();
  // state() saw our own hold: report what the vCPUs do without it.
  for (VcpuStatus& vcpu : status) vcpu.state = threads_->state(vcpu.index);
  return status;
}

void PseriesMachine::on_reset(std::function<void()> handler) { on_reset_ = std::move(handler); }

}  // namespace mosaic::pseries
