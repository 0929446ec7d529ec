// Exceptions shared by the core and plugins for set-up failures. Guest-visible
// failures are never exceptions: they are architected results.
#pragma once

#include <stdexcept>
#include <string>

namespace mosaic {

// A configuration value is wrong. `what()` already names file:line:column and
// the key, so the CLI prints it as it is.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A plugin cannot work on this host (e.g. an accelerator without its kernel
// support). The core tries the next candidate in a fallback list.
class PluginRefused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Building the guest failed for a reason outside the configuration's syntax
// (unreadable kernel, image too large for memory, ...).
class SetupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace mosaic
