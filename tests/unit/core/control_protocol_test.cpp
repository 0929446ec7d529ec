// The control protocol over a fake VM: replies, ids, errors as QMP has them.
#include "control_protocol.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace mosaic::core {
namespace {

using nlohmann::json;

class FakeVm : public VmControl {
 public:
  bool paused() const override { return paused_; }
  void stop() override { paused_ = true; }
  void cont() override { paused_ = false; }
  void powerdown() override { ++powerdowns; }
  void reset() override { ++resets; }
  void quit() override { ++quits; }
  std::vector<VcpuStatus> vcpus() override {
    return {{0, "running", {{"nip", 0xc000000000001000}, {"msr", 0x8000000000001033}}}};
  }
  std::vector<DeviceInfo> devices() const override { return {{"virtio-rng", "/p/mosaic-virtio-rng.so"}}; }
  void snapshot_save(const std::string& path) override {
    if (path.empty()) throw std::runtime_error("no path");
    saved.push_back(path);
  }
  void switch_accelerator(const std::string& name) override {
    if (name != "interp") throw std::runtime_error("no accelerator " + name);
    ++switches;
  }

  bool paused_ = false;
  int powerdowns = 0, resets = 0, quits = 0;
  std::vector<std::string> saved;
  int switches = 0;
};

class ControlProtocolTest : public ::testing::Test {
 protected:
  json ask(std::string_view line) { return json::parse(protocol.handle(line)); }
  std::string error_class(std::string_view line) { return ask(line)["error"]["class"].get<std::string>(); }

  FakeVm vm;
  ControlProtocol protocol{vm};
};

TEST_F(ControlProtocolTest, GreetingNamesTheVersion) {
  const json greeting = json::parse(ControlProtocol::greeting("1.2"));
  EXPECT_EQ(greeting["QMP"]["version"]["mosaic"], "1.2");
  EXPECT_TRUE(greeting["QMP"]["capabilities"].is_array());
}

TEST_F(ControlProtocolTest, StopAndContChangeTheStatus) {
  EXPECT_EQ(ask(R"({"execute": "query-status"})")["return"], json({{"status", "running"}, {"running", true}}));
  EXPECT_EQ(ask(R"({"execute": "stop", "id": 7})"), json({{"return", json::object()}, {"id", 7}}));
  EXPECT_EQ(ask(R"({"execute": "query-status"})")["return"]["status"], "paused");
  ask(R"({"execute": "cont"})");
  EXPECT_FALSE(vm.paused_);
}

TEST_F(ControlProtocolTest, TheIdComesBackWhateverItsType) {
  EXPECT_EQ(ask(R"({"execute": "cont", "id": {"seq": [1, "a"]}})")["id"], json::parse(R"({"seq": [1, "a"]})"));
  EXPECT_EQ(ask(R"({"execute": "nope", "id": "x"})")["id"], "x");
}

TEST_F(ControlProtocolTest, VerbsReachTheVm) {
  ask(R"({"execute": "system_powerdown"})");
  ask(R"({"execute": "system_reset"})");
  ask(R"({"execute": "quit"})");
  EXPECT_EQ(vm.powerdowns, 1);
  EXPECT_EQ(vm.resets, 1);
  EXPECT_EQ(vm.quits, 1);
}

TEST_F(ControlProtocolTest, QueryVcpusAndDevices) {
  const json vcpus = ask(R"({"execute": "query-vcpus"})")["return"];
  ASSERT_EQ(vcpus.size(), 1u);
  EXPECT_EQ(vcpus[0]["cpu-index"], 0);
  EXPECT_EQ(vcpus[0]["state"], "running");
  EXPECT_EQ(vcpus[0]["nip"], 0xc000000000001000);
  EXPECT_EQ(vcpus[0]["msr"], 0x8000000000001033);
  EXPECT_EQ(ask(R"({"execute": "query-devices"})")["return"][0]["type"], "virtio-rng");
}

TEST_F(ControlProtocolTest, BadRequestsGetErrors) {
  EXPECT_EQ(error_class("not json"), "GenericError");
  EXPECT_EQ(error_class("[1, 2]"), "GenericError");
  EXPECT_EQ(error_class(R"({"arguments": {}})"), "GenericError");
  EXPECT_EQ(error_class(R"({"execute": 3})"), "GenericError");
  EXPECT_EQ(error_class(R"({"execute": "stop", "arguments": [1]})"), "GenericError");
  EXPECT_EQ(error_class(R"({"execute": "stop", "arguments": {"now": true}})"), "GenericError");
  EXPECT_EQ(error_class(R"({"execute": "stop", "extra": 1})"), "GenericError");
  EXPECT_EQ(error_class(R"({"execute": "snapshot-load"})"), "CommandNotFound");
  EXPECT_FALSE(vm.paused_) << "a refused stop must not pause";
}

TEST_F(ControlProtocolTest, SnapshotSaveTakesOneStringPathAndReportsFailure) {
  EXPECT_EQ(ask(R"({"execute": "snapshot-save", "arguments": {"path": "/tmp/s.snap"}, "id": 1})"),
            json({{"return", json::object()}, {"id", 1}}));
  EXPECT_EQ(vm.saved, std::vector<std::string>{"/tmp/s.snap"});
  const json missing = ask(R"({"execute": "snapshot-save"})");
  EXPECT_EQ(missing["error"]["desc"], "Parameter 'path' is missing");
  const json wrong_type = ask(R"({"execute": "snapshot-save", "arguments": {"path": 3}})");
  EXPECT_EQ(wrong_type["error"]["desc"], "Invalid parameter type for 'path', expected: string");
  EXPECT_EQ(error_class(R"({"execute": "snapshot-save", "arguments": {"path": "x", "force": true}})"), "GenericError");
  const json failed = ask(R"({"execute": "snapshot-save", "arguments": {"path": ""}})");
  EXPECT_EQ(failed["error"]["class"], "GenericError");
  EXPECT_EQ(failed["error"]["desc"], "no path");
  EXPECT_EQ(vm.saved.size(), 1u);
}

TEST_F(ControlProtocolTest, SwitchAcceleratorTakesOneStringNameAndReportsFailure) {
  EXPECT_EQ(ask(R"({"execute": "switch-accelerator", "arguments": {"name": "interp"}})")["return"], json::object());
  EXPECT_EQ(vm.switches, 1);
  EXPECT_EQ(ask(R"({"execute": "switch-accelerator", "arguments": {"name": "kvm"}})")["error"]["desc"],
            "no accelerator kvm");
  EXPECT_EQ(error_class(R"({"execute": "switch-accelerator", "arguments": {"name": ["interp"]}})"), "GenericError");
  EXPECT_EQ(error_class(R"({"execute": "switch-accelerator"})"), "GenericError");
  EXPECT_EQ(vm.switches, 1);
}

TEST_F(ControlProtocolTest, OversizedReplyNamesTheLimit) {
  const json reply = json::parse(ControlProtocol::oversized_reply());
  EXPECT_THAT(reply["error"]["desc"].get<std::string>(), ::testing::HasSubstr("65536"));
}

TEST_F(ControlProtocolTest, EventsCarryNameDataAndTimestamp) {
  const json event = json::parse(ControlProtocol::event("RESET", {{"guest", true}}));
  EXPECT_EQ(event["event"], "RESET");
  EXPECT_EQ(event["data"]["guest"], true);
  EXPECT_GT(event["timestamp"]["seconds"].get<std::int64_t>(), 1'600'000'000);
}

}  // namespace
}  // namespace mosaic::core
