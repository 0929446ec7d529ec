#include "kvm_accelerator.hpp"

#include <asm/kvm.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <system_error>

#include <fmt/format.h>

#include "file_descriptor.hpp"
#include "kvm_hash_page_table.hpp"
#include "kvm_probe.hpp"
#include "kvm_registers.hpp"
#include "kvm_vcpu.hpp"
#include "kvm_vcpu_state.hpp"
#include "mosaic/errors.hpp"
#include "mosaic/ppc_hash.hpp"
#include "software_breakpoints.hpp"

namespace mosaic::kvm {
namespace {

// The guest runs in POWER8 compatibility mode (logical PVR of ISA 2.07):
// the pseries machine describes a POWER8 partition, the same one the
// interpreter offers, whatever POWER generation the host is.
constexpr std::uint32_t kPower8LogicalPvr = 0x0f000004;

[[noreturn]] void refuse(std::string what) {
  throw PluginRefused(fmt::format("{}: {}", what, std::strerror(errno)));
}

unsigned host_page_shift() { return static_cast<unsigned>(__builtin_ctzl(sysconf(_SC_PAGESIZE))); }

// The page sizes KVM can give this guest. With KVM_PPC_PAGE_SIZES_REAL a
// guest page must be backed by a host page at least as large; guest RAM is
// ordinary anonymous memory, so the host's base page size is the limit.
std::vector<ppc::SegmentPageSizes> usable_page_sizes(const kvm_ppc_smmu_info& info) {
  const unsigned limit = (info.flags & KVM_PPC_PAGE_SIZES_REAL) ? host_page_shift() : 64;
  std::vector<ppc::SegmentPageSizes> sizes;
  for (const auto& segment : info.sps) {
    if (segment.page_shift == 0 || segment.page_shift > limit) continue;
    ppc::SegmentPageSizes usable{segment.page_shift, segment.slb_enc, {}};
    for (const auto& page : segment.enc) {
      if (page.page_shift != 0 && page.page_shift <= limit) usable.page_sizes.push_back({page.page_shift, page.pte_enc});
    }
    sizes.push_back(std::move(usable));
  }
  return sizes;
}

class KvmAccelerator final : public Accelerator {
 public:
  // `probe` is usable: its device and VM become this accelerator's.
  KvmAccelerator(const std::string& device_path, KvmProbeResult probe, GuestMemory& memory,
                 std::shared_ptr<spdlog::logger> log)
      : memory_(memory), log_(std::move(log)), system_(std::move(probe.system)), vm_(std::move(probe.vm)) {
    const int run_bytes = ioctl(system_.get(), KVM_GET_VCPU_MMAP_SIZE, 0);
    if (run_bytes <= 0) refuse("KVM_GET_VCPU_MMAP_SIZE");
    run_bytes_ = static_cast<std::size_t>(run_bytes);

    kvm_userspace_memory_region ram{};
    ram.slot = 0;
    ram.guest_phys_addr = 0;
    ram.memory_size = memory_.size();
    ram.userspace_addr = reinterpret_cast<std::uint64_t>(memory_.host_base());
    if (ioctl(vm_.get(), KVM_SET_USER_MEMORY_REGION, &ram) < 0) {
      refuse(fmt::format("KVM_SET_USER_MEMORY_REGION for {} MiB of guest RAM", memory_.size() >> 20));
    }
    // On ISA 3.0 hosts a new VM may start as radix; the pseries machine
    // gives the guest a hashed page table, with no process table.
    if (ioctl(vm_.get(), KVM_CHECK_EXTENSION, KVM_CAP_PPC_MMU_HASH_V3) > 0) {
      kvm_ppc_mmuv3_cfg hash{};
      if (ioctl(vm_.get(), KVM_PPC_CONFIGURE_V3_MMU, &hash) < 0) refuse("KVM_PPC_CONFIGURE_V3_MMU (hash)");
    }
    kvm_ppc_smmu_info smmu{};
    if (ioctl(vm_.get(), KVM_PPC_GET_SMMU_INFO, &smmu) < 0) refuse("KVM_PPC_GET_SMMU_INFO");
    page_sizes_ = usable_page_sizes(smmu);
    if (page_sizes_.empty()) throw PluginRefused("KVM offers no page size this host can back");
    hpt_ = std::make_unique<KvmHashPageTable>(vm_.get(), log_);
    log_->info("KVM-HV VM on {}: {} segment page sizes, host pages of {} KiB", device_path, page_sizes_.size(),
               (std::size_t{1} << host_page_shift()) >> 10);
  }

  ~KvmAccelerator() override { breakpoints_.remove_all(); }

  AcceleratorCaps capabilities() const override {
    AcceleratorCaps caps;
    caps.pvr = kPower8LogicalPvr;
    caps.segment_page_sizes = page_sizes_;
    caps.hpt_in_kernel = true;
    caps.saves_state = true;
    // KVM-HV traps only its debug instruction: no single-step, no DAWR use.
    caps.debug = DebugFeatures{true, 0, 0, false};
    return caps;
  }

  ppc::HashPageTable& hash_page_table() override { return *hpt_; }

  std::unique_ptr<Vcpu> create_vcpu(std::uint32_t id) override {
    auto existing = vcpu_fds_.find(id);
    if (existing == vcpu_fds_.end()) {
      existing = vcpu_fds_.emplace(id, open_vcpu(id)).first;
    } else {
      clear_vcpu_state(existing->second.get());
    }
    return std::make_unique<KvmVcpu>(id, existing->second.get(), run_bytes_, breakpoints_);
  }

  // The offset is per virtual core in the kernel; every vCPU gets it.
  std::uint64_t timebase() const override {
    return vcpu_fds_.empty() ? host_timebase() + timebase_offset_ : guest_timebase(vcpu_fds_.begin()->second.get());
  }
  void set_timebase(std::uint64_t value) override {
    timebase_offset_ = value - host_timebase();
    for (const auto& [id, fd] : vcpu_fds_) set_guest_timebase(fd.get(), value);
  }

 private:
  FileDescriptor open_vcpu(std::uint32_t id) {
    FileDescriptor fd(ioctl(vm_.get(), KVM_CREATE_VCPU, id));
    if (!fd.valid()) refuse(fmt::format("KVM_CREATE_VCPU {}", id));
    // Without PAPR mode the first KVM_RUN fails with an internal error:
    // the kernel would not know to exit on hypercalls.
    kvm_enable_cap papr{};
    papr.cap = KVM_CAP_PPC_PAPR;
    if (ioctl(fd.get(), KVM_ENABLE_CAP, &papr) < 0) refuse(fmt::format("enabling KVM_CAP_PPC_PAPR on vCPU {}", id));
    try {
      write_one_reg(fd.get(), KVM_REG_PPC_ARCH_COMPAT, kPower8LogicalPvr);
      if (timebase_offset_ != 0) write_one_reg(fd.get(), KVM_REG_PPC_TB_OFFSET, timebase_offset_);
      if (id == 0) breakpoints_.set_instruction(static_cast<std::uint32_t>(read_one_reg(fd.get(), KVM_REG_PPC_DEBUG_INST)));
    } catch (const std::system_error& error) {
      throw PluginRefused(fmt::format("vCPU {}: {}", id, error.what()));
    }
    return fd;
  }

  GuestMemory& memory_;
  std::shared_ptr<spdlog::logger> log_;
  FileDescriptor system_;
  FileDescriptor vm_;
  std::size_t run_bytes_ = 0;
  std::vector<ppc::SegmentPageSizes> page_sizes_;
  std::unique_ptr<KvmHashPageTable> hpt_;
  std::map<std::uint32_t, FileDescriptor> vcpu_fds_;
  // set_timebase's, for vCPUs created after it.
  std::uint64_t timebase_offset_ = 0;
  SoftwareBreakpoints breakpoints_{memory_,
                                   [this](const ppc::Registers& state, std::uint64_t address) {
                                     return ppc::debug_translate(state, *hpt_, page_sizes_, address);
                                   },
                                   log_};
};

}  // namespace

std::unique_ptr<Accelerator> create_kvm_accelerator(const std::string& device_path, GuestMemory& memory,
                                                    std::shared_ptr<spdlog::logger> log) {
  KvmProbeResult probe = probe_kvm_hv(device_path);
  if (!probe.usable) throw PluginRefused(probe.reason);
  if (!probe.optional.empty()) log->info("optional KVM capabilities: {}", fmt::join(probe.optional, ", "));
  return std::make_unique<KvmAccelerator>(device_path, std::move(probe), memory, std::move(log));
}

}  // namespace mosaic::kvm
