// `mosaic ctl PATH COMMAND [JSON-ARGS]`: one command over the control
// socket, its result printed as JSON on stdout.
#pragma once

#include <string>

namespace mosaic::core {

// Returns the process exit status: 0 on a "return" reply, 1 on an "error"
// reply (its description goes to stderr), 2 when the socket cannot be
// reached or the arguments are not a JSON object.
int run_control_command(const std::string& socket_path, const std::string& command, const std::string& arguments);

}  // namespace mosaic::core
