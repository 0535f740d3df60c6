#include "cli/server_cmd.h"

#include <pthread.h>
#include <signal.h>

#include <cstring>

#include "common/logging.h"

namespace rampart::cli {

int RunServer(const server::ServerConfig& config, std::FILE* err) {
  // Block the stop signals before any thread exists, so every server thread inherits the mask and
  // only sigwait below receives them: shutdown runs in this thread, in order, never in a handler.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigset_t previous;
  if (int rc = pthread_sigmask(SIG_BLOCK, &stop_signals, &previous); rc != 0) {
    std::fprintf(err, "rampart server: blocking signals: %s\n", std::strerror(rc));
    return 2;
  }
  auto app = server::ServerApp::Start(config);
  if (!app) {
    pthread_sigmask(SIG_SETMASK, &previous, nullptr);
    std::fprintf(err, "rampart server: %s\n", app.error().message().c_str());
    return 2;
  }
  int signal_number = 0;
  while (sigwait(&stop_signals, &signal_number) != 0) {
  }
  log::Info("received {}, stopping", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
  (*app)->Stop();
  app->reset();
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return 0;
}

}  // namespace rampart::cli
