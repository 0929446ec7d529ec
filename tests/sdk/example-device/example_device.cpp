// An example device: it answers one hypercall with the number of times it
// was called and describes itself in the device tree. It shows the whole
// DeviceContext path a third-party device uses.
#include <atomic>

#include <mosaic/plugin.hpp>

namespace {

constexpr std::int64_t kHypercallSuccess = 0;  // PAPR H_SUCCESS

class ExampleDevice final : public mosaic::Device {
 public:
  ExampleDevice(std::uint64_t hypercall, std::string greeting)
      : hypercall_(hypercall), greeting_(std::move(greeting)) {}

  void realize(mosaic::DeviceContext& context) override {
    context.register_hypercall(hypercall_, [this](mosaic::HypercallCall& call) {
      call.outputs[0] = ++calls_;
      call.output_count = 1;
      return kHypercallSuccess;
    });
    context.add_device_tree_node({"/vdevice/mosaic-example",
                                  {mosaic::DeviceTreeProperty::string("compatible", "mosaic,example-device"),
                                   mosaic::DeviceTreeProperty::string("greeting", greeting_),
                                   mosaic::DeviceTreeProperty::cells("mosaic,hypercall",
                                                                     {static_cast<std::uint32_t>(hypercall_)})}});
    context.logger("example-device")->info("realized: hypercall {:#x}, greeting '{}'", hypercall_, greeting_);
  }

 private:
  std::uint64_t hypercall_;
  std::string greeting_;
  std::atomic<std::uint64_t> calls_{0};
};

std::unique_ptr<mosaic::Device> create_example_device(const mosaic::DeviceSetup& setup) {
  setup.options.expect_keys({"type", "hypercall", "greeting"});
  // Numbers no PAPR or KVM hypercall uses, so the device cannot shadow one.
  const auto hypercall = setup.options.child("hypercall").as_uint(0xe000, 0xefff, 0xef00);
  return std::make_unique<ExampleDevice>(hypercall, setup.options.child("greeting").as_string("hello"));
}

}  // namespace

MOSAIC_PLUGIN(device, "example-device", "1.0.0", "Example third-party device: one hypercall and a device-tree node",
              create_example_device)
