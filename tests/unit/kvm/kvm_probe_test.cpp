#include <sys/utsname.h>

#include <gtest/gtest.h>

#include "kvm_probe.hpp"

namespace {

using mosaic::kvm::probe_kvm_hv;

TEST(KvmProbe, MissingDeviceNamesThePathAndTheCause) {
  const auto result = probe_kvm_hv("/nonexistent/kvm");
  EXPECT_FALSE(result.usable);
  EXPECT_NE(result.reason.find("cannot open /nonexistent/kvm"), std::string::npos) << result.reason;
  EXPECT_NE(result.reason.find("No such file"), std::string::npos) << result.reason;
}

TEST(KvmProbe, DeviceThatIsNotKvmIsRefused) {
  const auto result = probe_kvm_hv("/dev/null");
  EXPECT_FALSE(result.usable);
  EXPECT_NE(result.reason.find("/dev/null is not a KVM device"), std::string::npos) << result.reason;
}

// On this host's real /dev/kvm (when there is one) the probe must refuse on
// a non-POWER host and name the first capability it lacks.
TEST(KvmProbe, RealDeviceOnNonPowerHostNamesMissingCapability) {
  utsname name{};
  ASSERT_EQ(uname(&name), 0);
  if (std::string(name.machine).starts_with("ppc64")) GTEST_SKIP() << "POWER host: covered by the KVM-HV tests";
  const auto result = probe_kvm_hv("/dev/kvm");
  EXPECT_FALSE(result.usable);
  if (result.reason.starts_with("cannot open /dev/kvm")) GTEST_SKIP() << result.reason;
  EXPECT_NE(result.reason.find("lacks KVM_CAP_PPC_PAPR"), std::string::npos) << result.reason;
}

}  // namespace
