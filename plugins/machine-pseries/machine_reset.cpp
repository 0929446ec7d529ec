// The machine side of RTAS system-reboot: back to the state build() left,
// so that boot() can start the kernel again. Guest RAM is not cleared (no
// firmware promises that), but everything a boot reads is written again.
#include "pseries_machine.hpp"

namespace mosaic::pseries {

void PseriesMachine::reset() {
  // New vCPUs rather than fresh registers: an accelerator keeps state that
  // ppc::Registers does not carry, and a new vCPU has none of it. For the
  // interpreter that is instructions decoded from the old kernel's text
  // (reloading the image from here does not invalidate them), a pending
  // H_CEDE, the reservation and the SPRs it only stores.
  for (std::uint32_t id = 0; id < vcpus_.size(); ++id) vcpus_[id] = accelerator_->create_vcpu(id);
  {
    std::lock_guard lock(vcpu_areas_mutex_);
    vcpu_areas_.assign(vcpus_.size(), VcpuAreas{});
  }
  allocate_hash_page_table();
  xics_->reset();
  epow_->reset();
  phb_->reset();
  // The old kernel overwrote its image, freed and reused its initrd, and
  // may have written anywhere below RTAS.
  load_images();
  memory().write(layout_.rtas_base, Rtas::blob());
  reboot_requested_ = false;
}

}  // namespace mosaic::pseries
