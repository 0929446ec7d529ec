// The virtio-blk plugin:
//   devices: [{type: virtio-blk, image: disk.img, read-only: false, serial: "..."}]
#include <mosaic/plugin.hpp>
#include <mosaic/virtio/pci_transport.hpp>

#include "virtio_blk.hpp"

namespace {

using mosaic::virtio_blk::BlockDevice;
using mosaic::virtio_blk::DiskImage;

class BlockPlugin final : public mosaic::Device {
 public:
  BlockPlugin(std::unique_ptr<DiskImage> image, std::string serial)
      : image_(std::move(image)), serial_(std::move(serial)) {}

  void realize(mosaic::DeviceContext& context) override {
    auto log = context.logger("virtio-blk");
    log->info("{}: {} bytes{}", image_->path(), image_->size(), image_->read_only() ? ", read-only" : "");
    auto device = std::make_unique<BlockDevice>(std::move(image_), serial_, log);
    context.add_pci_function(std::make_shared<mosaic::virtio::PciTransport>(context.memory(), std::move(device), log));
  }

 private:
  std::unique_ptr<DiskImage> image_;
  std::string serial_;
};

std::unique_ptr<mosaic::Device> create_virtio_blk(const mosaic::DeviceSetup& setup) {
  const auto& options = setup.options;
  options.expect_keys({"type", "image", "read-only", "serial"});
  const bool read_only = options.child("read-only").as_bool(false);
  std::string serial = options.child("serial").as_string("");
  if (serial.size() > mosaic::virtio_blk::kSerialBytes) {
    options.child("serial").fail(fmt::format("'{}' is longer than the {} bytes virtio-blk carries", serial,
                                             mosaic::virtio_blk::kSerialBytes));
  }
  // The image is opened and locked here, so that a second VMM on it is a
  // config error, also for `mosaic check`.
  return std::make_unique<BlockPlugin>(std::make_unique<DiskImage>(options.child("image"), read_only), std::move(serial));
}

}  // namespace

MOSAIC_PLUGIN(device, "virtio-blk", "1.0.0", "virtio disk on PCI over a raw image file", create_virtio_blk)
