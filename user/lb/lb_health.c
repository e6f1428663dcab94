// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Backend health probes; see lb_health.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include "lb_health.h"

enum { P_CONNECT, P_SEND, P_RECV, P_DONE };

struct run {
	int fd;
	int phase;
	long long start;
	char buf[512];
	size_t len;		/* bytes sent or received */
	size_t req_len;
};

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

__u16 lb_probe_port(const struct lb_vip *v, const struct lb_backend *b)
{
	if (v->health.port)
		return v->health.port;
	return lb_backend_port(v, b);
}

bool lb_health_update(struct lb_health_track *t, const struct lb_health *h,
		      bool ok, bool *down)
{
	if (ok) {
		t->ok_run++;
		t->fail_run = 0;
		if (*down && t->ok_run >= h->rise) {
			*down = false;
			return true;
		}
	} else {
		t->fail_run++;
		t->ok_run = 0;
		if (!*down && t->fail_run >= h->fall) {
			*down = true;
			return true;
		}
	}
	return false;
}

static void finish(struct lb_probe *p, struct run *r, bool ok,
		   const char *fmt, const char *detail)
{
	p->ok = ok;
	p->elapsed_ms = now_ms() - r->start;
	if (ok)
		p->msg[0] = '\0';
	else
		snprintf(p->msg, sizeof(p->msg), fmt, detail);
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->phase = P_DONE;
}

static void start(struct lb_probe *p, struct run *r)
{
	struct sockaddr_storage ss = {};
	socklen_t sl;
	int fd;

	r->start = now_ms();
	r->fd = -1;
	r->len = 0;
	if (!p->port) {
		finish(p, r, false, "%s", "no port to probe");
		return;
	}
	if (p->addr.family == AF_INET) {
		struct sockaddr_in *s = (void *)&ss;

		s->sin_family = AF_INET;
		s->sin_port = htons(p->port);
		memcpy(&s->sin_addr, p->addr.a, 4);
		sl = sizeof(*s);
	} else {
		struct sockaddr_in6 *s = (void *)&ss;

		s->sin6_family = AF_INET6;
		s->sin6_port = htons(p->port);
		memcpy(&s->sin6_addr, p->addr.a, 16);
		sl = sizeof(*s);
	}
	fd = socket(p->addr.family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    0);
	if (fd < 0) {
		finish(p, r, false, "socket: %s", strerror(errno));
		return;
	}
	r->fd = fd;
	r->phase = P_CONNECT;
	if (connect(fd, (struct sockaddr *)&ss, sl) && errno != EINPROGRESS)
		finish(p, r, false, "connect: %s", strerror(errno));
}

/*
 * The request's next bytes out (@out) or the answer's next bytes in; a
 * failure other than EAGAIN finishes the probe. send()'s or recv()'s
 * result.
 */
static ssize_t transfer(struct lb_probe *p, struct run *r, bool out)
{
	ssize_t n;

	if (out)
		n = send(r->fd, r->buf + r->len, r->req_len - r->len,
			 MSG_NOSIGNAL);
	else
		n = recv(r->fd, r->buf + r->len, sizeof(r->buf) - 1 - r->len,
			 0);
	if (n < 0 && errno != EAGAIN)
		finish(p, r, false, out ? "send: %s" : "recv: %s",
		       strerror(errno));
	return n;
}

/* The socket is ready for what @r->phase waits for. */
static void step(struct lb_probe *p, struct run *r, short revents)
{
	char host[INET6_ADDRSTRLEN];
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	ssize_t n;

	switch (r->phase) {
	case P_CONNECT:
		getsockopt(r->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);
		if (soerr) {
			finish(p, r, false, "connect: %s", strerror(soerr));
			return;
		}
		if (!p->http_path || !p->http_path[0]) {
			finish(p, r, true, NULL, NULL);
			return;
		}
		lb_addr_str(&p->addr, host, sizeof(host));
		r->req_len = snprintf(r->buf, sizeof(r->buf),
				      "GET %s HTTP/1.0\r\nHost: %s%s%s\r\n"
				      "User-Agent: xdp-router-health\r\n"
				      "Connection: close\r\n\r\n",
				      p->http_path,
				      p->addr.family == AF_INET6 ? "[" : "",
				      host,
				      p->addr.family == AF_INET6 ? "]" : "");
		r->len = 0;
		r->phase = P_SEND;
		/* the socket is writable */
		__attribute__((fallthrough));
	case P_SEND:
		n = transfer(p, r, true);
		if (n < 0)
			return;
		r->len += n;
		if (r->len == r->req_len) {
			r->phase = P_RECV;
			r->len = 0;
		}
		return;
	case P_RECV: {
		char *eol;
		int code;

		n = transfer(p, r, false);
		if (n < 0)
			return;
		r->len += n;
		r->buf[r->len] = '\0';
		eol = strstr(r->buf, "\r\n");
		if (!eol && n && r->len < sizeof(r->buf) - 1)
			return;		/* more of the status line to come */
		if (sscanf(r->buf, "HTTP/%*d.%*d %d", &code) != 1) {
			finish(p, r, false, "%s", n ? "not an HTTP answer"
						    : "connection closed");
			return;
		}
		if (code >= 200 && code < 400) {
			finish(p, r, true, NULL, NULL);
		} else {
			char c[16];

			snprintf(c, sizeof(c), "%d", code);
			finish(p, r, false, "HTTP status %s", c);
		}
		return;
	}
	}
	(void)revents;
}

int lb_probe_run(struct lb_probe *p, size_t n, volatile int *stop)
{
	struct run *r = calloc(n ? n : 1, sizeof(*r));
	struct pollfd *pfd = calloc(n ? n : 1, sizeof(*pfd));
	size_t *idx = calloc(n ? n : 1, sizeof(*idx));
	int rc = 0;

	if (!r || !pfd || !idx) {
		free(r);
		free(pfd);
		free(idx);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		start(&p[i], &r[i]);
	for (;;) {
		long long now = now_ms(), wait = -1;
		size_t k = 0;

		for (size_t i = 0; i < n; i++) {
			long long left;

			if (r[i].phase == P_DONE)
				continue;
			left = r[i].start + p[i].timeout_ms - now;
			if (left <= 0) {
				finish(&p[i], &r[i], false, "%s",
				       r[i].phase == P_CONNECT
					       ? "connect: timed out"
					       : "no HTTP answer in time");
				continue;
			}
			if (wait < 0 || left < wait)
				wait = left;
			pfd[k].fd = r[i].fd;
			pfd[k].events = r[i].phase == P_RECV ? POLLIN : POLLOUT;
			pfd[k].revents = 0;
			idx[k++] = i;
		}
		if (!k)
			break;
		if (stop && *stop) {
			rc = -EINTR;
			break;
		}
		if (poll(pfd, k, wait) < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			break;
		}
		for (size_t j = 0; j < k; j++)
			if (pfd[j].revents)
				step(&p[idx[j]], &r[idx[j]], pfd[j].revents);
	}
	for (size_t i = 0; i < n; i++)
		if (r[i].phase != P_DONE && r[i].fd >= 0)
			close(r[i].fd);
	free(r);
	free(pfd);
	free(idx);
	return rc;
}
