/* skiff-runc-init: PID 1 of each runtime-runc container, as docker-init (tini) is for Docker.
 * A process that is PID 1 of its namespace gets no default signal actions, so a plain `sleep`
 * would never see the SIGTERM of a stop; this runs the command as PID 2, forwards the signals a
 * stop or a user sends, reaps the orphans the command leaves, and exits as the command did
 * (its code, or 128 + the signal that ended it). Static, bind-mounted read-only at /.skiff/init.
 *
 * usage: skiff-runc-init COMMAND [ARG...] */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static const int forwarded[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGCONT};

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: skiff-runc-init COMMAND [ARG...]\n");
    return 2;
  }
  sigset_t all, previous;
  sigfillset(&all);
  sigprocmask(SIG_BLOCK, &all, &previous);
  pid_t child = fork();
  if (child < 0) {
    perror("skiff-runc-init: fork");
    return 1;
  }
  if (child == 0) {
    sigprocmask(SIG_SETMASK, &previous, NULL);
    execvp(argv[1], argv + 1);
    fprintf(stderr, "skiff-runc-init: cannot run %s: %s\n", argv[1], strerror(errno));
    _exit(errno == ENOENT ? 127 : 126);
  }
  for (;;) {
    int signal_number = 0;
    sigwait(&all, &signal_number);
    if (signal_number != SIGCHLD) {
      for (size_t i = 0; i < sizeof forwarded / sizeof forwarded[0]; ++i)
        if (forwarded[i] == signal_number) kill(child, signal_number);
      continue;
    }
    int status;
    pid_t reaped;
    while ((reaped = waitpid(-1, &status, WNOHANG)) > 0)
      if (reaped == child) return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }
}
