// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Waiting between samples; see stats_wait.h. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>
#include <sys/signalfd.h>
#include "log.h"
#include "stats_snapshot.h"
#include "stats_wait.h"

int stats_stop_signals(void)
{
	sigset_t sigs;
	int sfd;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sfd < 0) {
		sfd = -errno;
		log_error("cannot watch for signals: %s", log_strerror(sfd));
	}
	return sfd;
}

bool stats_wait_until(const struct timespec *deadline, int sfd, int key_fd)
{
	struct pollfd pfd[2] = {
		{ .fd = sfd, .events = POLLIN },
		{ .fd = key_fd, .events = POLLIN },
	};
	struct timespec now;

	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		double secs = seconds_between(&now, deadline);
		char key;

		if (secs <= 0)
			return true;
		if (poll(pfd, 2, (int)(secs * 1000) + 1) < 0 &&
		    errno != EINTR)
			return false;
		if (pfd[0].revents)
			return false;
		if (pfd[1].revents & (POLLERR | POLLHUP | POLLNVAL))
			pfd[1].fd = -1;		/* stdin gone: keep going */
		else if (pfd[1].revents && read(key_fd, &key, 1) == 1 &&
			 (key == 'q' || key == 'Q'))
			return false;
	}
}
