#include "xics.hpp"

namespace mosaic::pseries {

Xics::Xics(std::uint32_t servers, std::uint32_t sources, std::function<void(std::uint32_t, bool)> set_line)
    : presenters_(servers), sources_(sources), set_line_(std::move(set_line)) {}

// Offers `source` at `priority` to a presenter. It is taken when it is more
// favoured than both the CPPR and whatever is already pending; a displaced
// or refused device source stays asserted and is offered again on resend.
void Xics::present(std::uint32_t server, std::uint32_t source, std::uint8_t priority) {
  Presenter& presenter = presenters_[server];
  if (priority >= presenter.cppr || (presenter.xisr != 0 && presenter.pending_priority <= priority)) return;
  withdraw(presenter);
  presenter.xisr = source;
  presenter.pending_priority = priority;
  if (source != kIpiSource) sources_[source - kFirstDeviceSource].presented = true;
  set_line_(server, true);
}

void Xics::withdraw(Presenter& presenter) {
  if (presenter.xisr != 0 && presenter.xisr != kIpiSource) {
    sources_[presenter.xisr - kFirstDeviceSource].presented = false;
  }
  presenter.xisr = 0;
  presenter.pending_priority = kMaskedPriority;
}

void Xics::check_ipi(std::uint32_t server) {
  const Presenter& presenter = presenters_[server];
  if (presenter.mfrr != kMaskedPriority) present(server, kIpiSource, presenter.mfrr);
}

// Re-offers everything that may have been refused: the IPI and every
// asserted device source routed to this server.
void Xics::resend(std::uint32_t server) {
  check_ipi(server);
  for (std::uint32_t index = 0; index < sources_.size(); ++index) {
    const Source& source = sources_[index];
    if (source.server == server && source.asserted && !source.presented && source.priority != kMaskedPriority) {
      present(server, kFirstDeviceSource + index, source.priority);
    }
  }
}

void Xics::deliver(std::uint32_t source) {
  const Source& state = sources_[source - kFirstDeviceSource];
  if (state.asserted && !state.presented && state.priority != kMaskedPriority && valid_server(state.server)) {
    present(state.server, source, state.priority);
  }
}

std::uint32_t Xics::accept(std::uint32_t server) {
  std::lock_guard lock(mutex_);
  Presenter& presenter = presenters_[server];
  const std::uint32_t value = xirr(presenter);
  // Accepting moves the pending priority into the CPPR (0xff when nothing
  // was pending) and clears XISR; the source stays presented until its EOI.
  presenter.cppr = presenter.pending_priority;
  if (valid_source(presenter.xisr)) {
    Source& source = sources_[presenter.xisr - kFirstDeviceSource];
    if (source.message) source.asserted = false;
  }
  presenter.xisr = 0;
  presenter.pending_priority = kMaskedPriority;
  set_line_(server, false);
  return value;
}

void Xics::end_of_interrupt(std::uint32_t server, std::uint32_t value) {
  std::lock_guard lock(mutex_);
  Presenter& presenter = presenters_[server];
  presenter.cppr = static_cast<std::uint8_t>(value >> 24);
  const std::uint32_t source = value & 0xffffff;
  if (valid_source(source)) {
    sources_[source - kFirstDeviceSource].presented = false;
  }
  // A level source still asserted comes straight back.
  if (presenter.xisr == 0) resend(server);
}

void Xics::set_priority(std::uint32_t server, std::uint8_t cppr) {
  std::lock_guard lock(mutex_);
  Presenter& presenter = presenters_[server];
  const std::uint8_t old = presenter.cppr;
  presenter.cppr = cppr;
  if (cppr < old) {
    // More restrictive: a pending interrupt that is no longer favoured
    // enough goes back to its source.
    if (presenter.xisr != 0 && cppr <= presenter.pending_priority) {
      withdraw(presenter);
      set_line_(server, false);
    }
  } else if (presenter.xisr == 0) {
    resend(server);
  }
}

void Xics::set_ipi(std::uint32_t server, std::uint8_t mfrr) {
  std::lock_guard lock(mutex_);
  presenters_[server].mfrr = mfrr;
  check_ipi(server);
}

std::pair<std::uint32_t, std::uint8_t> Xics::poll(std::uint32_t server) {
  std::lock_guard lock(mutex_);
  const Presenter& presenter = presenters_[server];
  return {xirr(presenter), presenter.mfrr};
}

void Xics::set_level(std::uint32_t source, bool asserted) {
  std::lock_guard lock(mutex_);
  sources_[source - kFirstDeviceSource].asserted = asserted;
  if (asserted) deliver(source);
}

void Xics::make_message_source(std::uint32_t source) {
  std::lock_guard lock(mutex_);
  sources_[source - kFirstDeviceSource].message = true;
}

void Xics::send_message(std::uint32_t source) {
  std::lock_guard lock(mutex_);
  sources_[source - kFirstDeviceSource].asserted = true;
  deliver(source);
}

void Xics::set_xive(std::uint32_t source, std::uint32_t server, std::uint8_t priority) {
  std::lock_guard lock(mutex_);
  Source& state = sources_[source - kFirstDeviceSource];
  state.server = server;
  state.priority = priority;
  state.saved_priority = priority;
  deliver(source);
}

std::pair<std::uint32_t, std::uint8_t> Xics::get_xive(std::uint32_t source) {
  std::lock_guard lock(mutex_);
  const Source& state = sources_[source - kFirstDeviceSource];
  return {state.server, state.priority};
}

void Xics::interrupt_off(std::uint32_t source) {
  std::lock_guard lock(mutex_);
  sources_[source - kFirstDeviceSource].priority = kMaskedPriority;
}

void Xics::interrupt_on(std::uint32_t source) {
  std::lock_guard lock(mutex_);
  Source& state = sources_[source - kFirstDeviceSource];
  state.priority = state.saved_priority;
  deliver(source);
}

void Xics::reset() {
  std::lock_guard lock(mutex_);
  for (std::uint32_t server = 0; server < presenters_.size(); ++server) {
    presenters_[server] = Presenter{};
    set_line_(server, false);
  }
  for (Source& source : sources_) {
    const bool message = source.message;
    const bool level = !message && source.asserted;
    source = Source{};
    source.asserted = level;
    source.message = message;
  }
}

void Xics::save(StateWriter& out) {
  std::lock_guard lock(mutex_);
  out.tag("xics");
  out.u32(server_count());
  for (const Presenter& presenter : presenters_) {
    out.u8(presenter.cppr);
    out.u32(presenter.xisr);
    out.u8(presenter.pending_priority);
    out.u8(presenter.mfrr);
  }
  out.u32(source_count());
  for (const Source& source : sources_) {
    out.u32(source.server);
    out.u8(source.priority);
    out.u8(source.saved_priority);
    out.boolean(source.asserted);
    out.boolean(source.presented);
  }
}

void Xics::restore(StateReader& in) {
  std::lock_guard lock(mutex_);
  in.expect_tag("xics");
  if (in.u32() != server_count()) throw StateError("saved state: the XICS has another number of servers");
  for (Presenter& presenter : presenters_) {
    presenter.cppr = in.u8();
    presenter.xisr = in.u32();
    presenter.pending_priority = in.u8();
    presenter.mfrr = in.u8();
    if (presenter.xisr != 0 && presenter.xisr != kIpiSource && !valid_source(presenter.xisr)) {
      throw StateError("saved state: a presenter holds no source");
    }
  }
  if (in.u32() != source_count()) throw StateError("saved state: the XICS has another number of sources");
  for (Source& source : sources_) {
    source.server = in.u32();
    source.priority = in.u8();
    source.saved_priority = in.u8();
    source.asserted = in.boolean();
    source.presented = in.boolean();
  }
  for (std::uint32_t server = 0; server < presenters_.size(); ++server) {
    set_line_(server, presenters_[server].xisr != 0);
  }
}

}  // namespace mosaic::pseries
