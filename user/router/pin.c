// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Pin path and bpffs handling; see pin.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>
#include "log.h"
#include "pin.h"

int pin_path_resolve(const char *opt, char *buf, size_t len)
{
	const char *path = opt;
	size_t n;

	if (!path || !*path)
		path = getenv(PIN_PATH_ENV);
	if (!path || !*path)
		path = PIN_PATH_DEFAULT;
	if (path[0] != '/') {
		log_error("pin path '%s' is not an absolute path", path);
		return -EINVAL;
	}
	n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	/* Room for "/<map name>" below it. */
	if (n == 1 || n + 32 >= len || n + 32 >= PATH_MAX) {
		log_error("pin path '%s' must be a directory below /, "
			  "shorter than %d characters", path, PATH_MAX - 32);
		return -EINVAL;
	}
	memcpy(buf, path, n);
	buf[n] = '\0';
	return 0;
}

static void parent_of(const char *pin_path, char *buf, size_t len)
{
	const char *slash = strrchr(pin_path, '/');
	size_t n = slash - pin_path;

	if (n == 0)
		n = 1;	/* the parent of "/x" is "/" */
	if (n >= len)
		n = len - 1;
	memcpy(buf, pin_path, n);
	buf[n] = '\0';
}

bool pin_on_bpffs(const char *path)
{
	struct statfs st;

	return !statfs(path, &st) && st.f_type == BPF_FS_MAGIC;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, mode) && errno != EEXIST)
			return -errno;
		if (!c)
			return 0;
		*p = c;
	}
}

static int dir_is_empty(const char *path)
{
	struct dirent *de;
	int empty = 1;
	DIR *d = opendir(path);

	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
			empty = 0;
			break;
		}
	}
	closedir(d);
	return empty;
}

/* Inode of the mount namespace of process @pid ("self" or a number). */
static ino_t mount_ns_of(const char *pid)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%s/ns/mnt", pid);
	return stat(path, &st) ? 0 : st.st_ino;
}

/*
 * True when no other process shares this process's mount namespace, as with
 * `ip netns exec`, which makes one per call: a bpffs mounted here would
 * vanish, with its pins, when this process exits, while the programs stayed
 * attached. (Comparing with PID 1's namespace is not enough: it is not
 * always readable, e.g. in sandboxes.)
 */
static bool mount_ns_dies_with_us(void)
{
	ino_t self = mount_ns_of("self");
	char me[32];
	struct dirent *de;
	bool alone = true;
	DIR *d;

	if (!self || !(d = opendir("/proc")))
		return false;	/* cannot tell: assume the usual case */
	snprintf(me, sizeof(me), "%d", (int)getpid());
	while (alone && (de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9' ||
		    !strcmp(de->d_name, me))
			continue;
		if (mount_ns_of(de->d_name) == self)
			alone = false;
	}
	closedir(d);
	return alone;
}

int pin_ensure_bpffs(const char *pin_path)
{
	char parent[PATH_MAX];
	bool existed;
	int err;

	parent_of(pin_path, parent, sizeof(parent));
	if (pin_on_bpffs(parent))
		return 0;

	existed = !access(parent, F_OK);
	err = mkdir_p(parent, 0755);
	if (err) {
		log_error("cannot create %s for a bpffs: %s", parent,
			  log_strerror(err));
		return err;
	}
	if (pin_on_bpffs(parent))	/* created inside an existing bpffs */
		return 0;
	if (mount_ns_dies_with_us()) {
		log_error("%s is not on a bpffs, and one mounted now would "
			  "vanish with this process's own mount namespace "
			  "(ip netns exec?); mount a bpffs there from the host "
			  "first (mount -t bpf bpf DIR)", parent);
		if (!existed)
			rmdir(parent);
		return -EXDEV;
	}
	/* Never hide existing files (think --pin-path /run/x) under a mount. */
	err = dir_is_empty(parent);
	if (err <= 0) {
		log_error("%s is not on a bpffs and %s; mount one there or "
			  "choose another --pin-path", parent,
			  err ? log_strerror(err) : "not empty");
		return err ? err : -ENOTEMPTY;
	}
	if (mount("bpf", parent, "bpf", 0, "mode=0700")) {
		err = -errno;
		log_error("cannot mount a bpffs at %s: %s", parent,
			  log_strerror(err));
		if (!existed)
			rmdir(parent);	/* leave no trace of a failed attach */
		return err;
	}
	log_verbose("mounted a bpffs at %s", parent);
	return 0;
}

int pin_lock(const char *pin_path)
{
	char parent[PATH_MAX];
	int fd, err;

	parent_of(pin_path, parent, sizeof(parent));
	fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		log_error("cannot open %s to lock it: %s", parent,
			  log_strerror(err));
		return err;
	}
	if (!flock(fd, LOCK_EX | LOCK_NB))
		return fd;
	if (errno == EWOULDBLOCK) {
		log_verbose("waiting for another xdp-router on %s", parent);
		if (!flock(fd, LOCK_EX))
			return fd;
	}
	err = -errno;
	log_error("cannot lock %s: %s", parent, log_strerror(err));
	close(fd);
	return err;
}

int pin_mkdir(const char *pin_path)
{
	struct stat st;
	int err;

	if (!mkdir(pin_path, 0700))
		return 0;
	err = -errno;
	if (err == -EEXIST && !lstat(pin_path, &st) && S_ISLNK(st.st_mode)) {
		/* Followed, it could lead anywhere (see the check below). */
		log_error("pin directory %s is a symbolic link: give the real "
			  "directory", pin_path);
		return -ELOOP;
	}
	if (err != -EEXIST || lstat(pin_path, &st) || !S_ISDIR(st.st_mode)) {
		log_error("cannot create pin directory %s: %s", pin_path,
			  err == -EEXIST ? "it exists and is not a directory" :
			  log_strerror(err));
		return err;
	}
	/* Someone else's directory, or one others may write to: they could
	 * have planted maps or a program we would then load and trust. */
	if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		log_error("pin directory %s is not safe (owner uid %u, mode "
			  "%04o): it must be ours and writable by us only",
			  pin_path, (unsigned int)st.st_uid,
			  (unsigned int)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

int pin_file(char *buf, size_t len, const char *pin_path, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", pin_path, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}
