#include "kvm_probe.hpp"

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>


namespace mosaic::kvm {
namespace {

std::string host_machine() {
  utsname name{};
  return uname(&name) == 0 ? name.machine : "unknown";
}

}  // namespace

const std::vector<KvmCapability>& required_capabilities() {
  static const std::vector<KvmCapability> capabilities = {
      {"KVM_CAP_PPC_PAPR", KVM_CAP_PPC_PAPR},
      {"KVM_CAP_PPC_ALLOC_HTAB", KVM_CAP_PPC_ALLOC_HTAB},
      {"KVM_CAP_PPC_HTAB_FD", KVM_CAP_PPC_HTAB_FD},
      {"KVM_CAP_PPC_GET_SMMU_INFO", KVM_CAP_PPC_GET_SMMU_INFO},
      {"KVM_CAP_ONE_REG", KVM_CAP_ONE_REG},
  };
  return capabilities;
}

KvmProbeResult probe_kvm_hv(const std::string& device_path) {
  KvmProbeResult result;
  FileDescriptor kvm(open(device_path.c_str(), O_RDWR | O_CLOEXEC));
  if (kvm.get() < 0) {
    const int error = errno;
    result.reason = fmt::format("cannot open {}: {}{}", device_path, std::strerror(error),
                                error == ENOENT ? " (the kvm module is not loaded, or this host has no KVM)" : "");
    return result;
  }
  const int api_version = ioctl(kvm.get(), KVM_GET_API_VERSION, 0);
  if (api_version < 0) {
    result.reason = fmt::format("{} is not a KVM device: KVM_GET_API_VERSION failed: {}", device_path,
                                std::strerror(errno));
    return result;
  }
  if (api_version != KVM_API_VERSION) {
    result.reason = fmt::format("{} speaks KVM API version {}, Mosaic needs {}", device_path, api_version,
                                KVM_API_VERSION);
    return result;
  }
  for (const auto& capability : required_capabilities()) {
    if (ioctl(kvm.get(), KVM_CHECK_EXTENSION, capability.number) <= 0) {
      result.reason = fmt::format("KVM at {} lacks {} (capability {}) on this {} host: KVM-HV needs a POWER host "
                                  "with the kvm-hv module",
                                  device_path, capability.name, capability.number, host_machine());
      return result;
    }
  }
  FileDescriptor vm(ioctl(kvm.get(), KVM_CREATE_VM, KVM_VM_PPC_HV));
  if (vm.get() < 0) {
    result.reason = fmt::format("KVM_CREATE_VM(KVM_VM_PPC_HV) on {} failed: {} (is kvm-hv loaded, and is this "
                                "host running bare metal or as a nested-capable hypervisor?)",
                                device_path, std::strerror(errno));
    return result;
  }
  const KvmCapability optional_capabilities[] = {
      {"KVM_CAP_PPC_MMU_HASH_V3", KVM_CAP_PPC_MMU_HASH_V3},
      {"KVM_CAP_SPAPR_RESIZE_HPT", KVM_CAP_SPAPR_RESIZE_HPT},
  };
  for (const auto& capability : optional_capabilities) {
    if (ioctl(vm.get(), KVM_CHECK_EXTENSION, capability.number) > 0) result.optional.push_back(capability.name);
  }
  result.usable = true;
  result.system = std::move(kvm);
  result.vm = std::move(vm);
  return result;
}

}  // namespace mosaic::kvm
