// The XICS interrupt controller of PAPR guests: one presentation controller
// (ICP) per vCPU, driven by H_XIRR/H_EOI/H_CPPR/H_IPI/H_IPOLL, and one source
// controller (ICS) whose sources the RTAS ibm,set-xive/get-xive/int-on/
// int-off calls configure. Priorities are "lower is more favoured"; 0xff
// means masked (sources) or nothing accepted (CPPR).
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "mosaic/state.hpp"

namespace mosaic::pseries {

inline constexpr std::uint32_t kIpiSource = 2;  // XISR value of an inter-processor interrupt
inline constexpr std::uint32_t kFirstDeviceSource = 0x1000;
inline constexpr std::uint8_t kMaskedPriority = 0xff;

class Xics {
 public:
  // `set_line(server, asserted)` drives the vCPU's external interrupt input.
  Xics(std::uint32_t servers, std::uint32_t sources, std::function<void(std::uint32_t, bool)> set_line);

  std::uint32_t server_count() const { return static_cast<std::uint32_t>(presenters_.size()); }
  std::uint32_t source_count() const { return static_cast<std::uint32_t>(sources_.size()); }
  bool valid_server(std::uint64_t server) const { return server < presenters_.size(); }
  bool valid_source(std::uint64_t source) const {
    return source >= kFirstDeviceSource && source - kFirstDeviceSource < sources_.size();
  }

  // Presentation (per-vCPU) side; `server` must be valid.
  std::uint32_t accept(std::uint32_t server);  // H_XIRR: returns XIRR, takes the interrupt
  void end_of_interrupt(std::uint32_t server, std::uint32_t xirr);  // H_EOI
  void set_priority(std::uint32_t server, std::uint8_t cppr);  // H_CPPR
  void set_ipi(std::uint32_t server, std::uint8_t mfrr);  // H_IPI
  std::pair<std::uint32_t, std::uint8_t> poll(std::uint32_t server);  // H_IPOLL: XIRR and MFRR, nothing taken

  // Source side; `source` must be valid.
  void set_level(std::uint32_t source, bool asserted);  // level-triggered device line
  // Message-signalled (MSI) sources are edge-triggered: a message is
  // pending until a presenter accepts it, and one that arrives while the
  // source is masked is presented when it is unmasked.
  void make_message_source(std::uint32_t source);
  void send_message(std::uint32_t source);
  void set_xive(std::uint32_t source, std::uint32_t server, std::uint8_t priority);
  std::pair<std::uint32_t, std::uint8_t> get_xive(std::uint32_t source);
  void interrupt_off(std::uint32_t source);
  void interrupt_on(std::uint32_t source);

  // Power-on state: every presenter idle at CPPR 0 with no IPI, every
  // source masked and routed to server 0, no message pending. Line levels
  // are the devices' and stay as they are.
  void reset();

  // Snapshots: every presenter and source as they are. restore() throws
  // StateError when the counts differ, and drives each vCPU's line.
  void save(StateWriter& out);
  void restore(StateReader& in);

 private:
  struct Presenter {
    std::uint8_t cppr = 0;  // current processor priority: 0 masks everything
    std::uint32_t xisr = 0;  // the source being presented, 0 when none
    std::uint8_t pending_priority = kMaskedPriority;
    std::uint8_t mfrr = kMaskedPriority;
  };
  struct Source {
    std::uint32_t server = 0;
    std::uint8_t priority = kMaskedPriority;
    std::uint8_t saved_priority = kMaskedPriority;
    bool asserted = false;  // the line's level, or a message not yet accepted
    bool presented = false;  // sent to an ICP and not yet EOI'd
    bool message = false;  // edge-triggered: accepting it consumes it
  };

  std::uint32_t xirr(const Presenter& presenter) const {
    return (std::uint32_t{presenter.cppr} << 24) | presenter.xisr;
  }
  void present(std::uint32_t server, std::uint32_t source, std::uint8_t priority);
  void withdraw(Presenter& presenter);
  void check_ipi(std::uint32_t server);
  void resend(std::uint32_t server);
  void deliver(std::uint32_t source);

  std::mutex mutex_;
  std::vector<Presenter> presenters_;
  std::vector<Source> sources_;
  std::function<void(std::uint32_t, bool)> set_line_;
};

}  // namespace mosaic::pseries
