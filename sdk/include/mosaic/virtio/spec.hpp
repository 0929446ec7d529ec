// Numbers from the virtio 1.2 specification (OASIS, 2022) that the
// transport and the devices share.
#pragma once

#include <cstdint>

namespace mosaic::virtio {

// 2.1 Device Status Field
namespace status {
inline constexpr std::uint8_t kAcknowledge = 1;
inline constexpr std::uint8_t kDriver = 2;
inline constexpr std::uint8_t kDriverOk = 4;
inline constexpr std::uint8_t kFeaturesOk = 8;
inline constexpr std::uint8_t kDeviceNeedsReset = 0x40;
inline constexpr std::uint8_t kFailed = 0x80;
}  // namespace status

// 6 Reserved Feature Bits
namespace feature {
inline constexpr std::uint64_t kIndirectDescriptors = 1ull << 28;
inline constexpr std::uint64_t kEventIndex = 1ull << 29;
inline constexpr std::uint64_t kVersion1 = 1ull << 32;
}  // namespace feature

// 5 Device Types
namespace device_type {
inline constexpr std::uint16_t kNetwork = 1;
inline constexpr std::uint16_t kBlock = 2;
inline constexpr std::uint16_t kEntropy = 4;
}  // namespace device_type

// 2.7.5 The Virtqueue Descriptor Table
namespace descriptor {
inline constexpr std::uint16_t kNext = 1;
inline constexpr std::uint16_t kWrite = 2;
inline constexpr std::uint16_t kIndirect = 4;
inline constexpr std::uint32_t kSize = 16;
}  // namespace descriptor

// 2.7.6 / 2.7.8: ring flags
inline constexpr std::uint16_t kAvailNoInterrupt = 1;
inline constexpr std::uint16_t kUsedNoNotify = 1;
inline constexpr std::uint16_t kNoVector = 0xffff;  // 4.1.5.1.2: no MSI-X vector

// 4.1.4 Virtio Structure PCI Capabilities
namespace pci_cap {
inline constexpr std::uint8_t kVendorSpecific = 0x09;
inline constexpr std::uint8_t kCommonConfig = 1;
inline constexpr std::uint8_t kNotifyConfig = 2;
inline constexpr std::uint8_t kIsrConfig = 3;
inline constexpr std::uint8_t kDeviceConfig = 4;
inline constexpr std::uint8_t kPciConfig = 5;
}  // namespace pci_cap

// 4.1.2.1: modern devices are 0x1040 + type, vendor Red Hat's.
inline constexpr std::uint16_t kPciVendor = 0x1af4;
inline constexpr std::uint16_t kPciDeviceBase = 0x1040;

// 4.1.4.5 ISR status
inline constexpr std::uint8_t kIsrQueue = 1;
inline constexpr std::uint8_t kIsrConfigChange = 2;

}  // namespace mosaic::virtio
