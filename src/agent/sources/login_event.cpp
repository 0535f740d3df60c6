#include "agent/sources/login_event.h"

namespace rampart::agent {

const char* OutcomeName(LoginOutcome o) {
  return o == LoginOutcome::kSuccess ? "success" : "failure";
}

}  // namespace rampart::agent
