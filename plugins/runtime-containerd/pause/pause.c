/* The pod sandbox's only process (the pause image): holds the pod's namespaces, reaps the
 * children it inherits as the pod's PID 1, and exits on SIGTERM or SIGINT. Built static by
 * scripts/containerd.sh, so the image needs nothing but this file. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void leave(int signal_number) { _exit(128 + signal_number); }

/* Orphans re-parented to PID 1 would stay zombies without this. */
static void reap(int signal_number) {
  (void)signal_number;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

static void on(int signal_number, void (*handler)(int)) {
  struct sigaction action = {0};
  action.sa_handler = handler;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  if (sigaction(signal_number, &action, NULL) != 0) {
    perror("pause: sigaction");
    exit(1);
  }
}

int main(void) {
  if (getpid() != 1) fprintf(stderr, "pause: not PID 1; reaping only my own children\n");
  on(SIGTERM, leave);
  on(SIGINT, leave);
  on(SIGCHLD, reap);
  for (;;) pause();
}
