// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Reading the load balancer's configuration file (lb_config_load()):
 * only a regular file of bounded size; lb_config_yaml.c parses it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "lb_config.h"

#define LB_CONFIG_MAX_SIZE (64U << 20)

/*
 * Opens @path for reading if it is a regular file of at most
 * LB_CONFIG_MAX_SIZE: a FIFO, a device or a directory given by mistake
 * would block, never end or make no sense. O_NONBLOCK: opening a FIFO
 * does not wait for a writer before we can refuse it.
 */
static FILE *open_config(const char *path, char *err, size_t err_len,
			 int *rc)
{
	struct stat st;
	FILE *f;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0) {
		*rc = -errno;
		snprintf(err, err_len, "cannot open %s: %s", path,
			 strerror(-*rc));
		return NULL;
	}
	if (fstat(fd, &st)) {
		*rc = -errno;
		snprintf(err, err_len, "cannot stat %s: %s", path,
			 strerror(-*rc));
	} else if (!S_ISREG(st.st_mode)) {
		*rc = -EINVAL;
		snprintf(err, err_len, "%s: not a regular file", path);
	} else if ((unsigned long long)st.st_size > LB_CONFIG_MAX_SIZE) {
		*rc = -EFBIG;
		snprintf(err, err_len, "%s: larger than 64 MB", path);
	} else if (!(f = fdopen(fd, "r"))) {
		*rc = -errno;
		snprintf(err, err_len, "cannot read %s: %s", path,
			 strerror(-*rc));
	} else {
		return f;
	}
	close(fd);
	return NULL;
}

int lb_config_load(const char *path, struct lb_config *cfg, char *err,
		   size_t err_len)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	FILE *f;
	int rc;

	memset(cfg, 0, sizeof(*cfg));
	f = open_config(path, err, err_len, &rc);
	if (!f)
		return rc;
	for (;;) {
		if (len == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			/* It may have grown since open_config() looked. */
			if (cap > LB_CONFIG_MAX_SIZE) {
				fclose(f);
				free(buf);
				snprintf(err, err_len, "%s: larger than 64 MB",
					 path);
				return -EFBIG;
			}
			nb = realloc(buf, cap);
			if (!nb) {
				fclose(f);
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
		}
		size_t n = fread(buf + len, 1, cap - len, f);

		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		rc = -EIO;
		snprintf(err, err_len, "cannot read %s", path);
		fclose(f);
		free(buf);
		return rc;
	}
	fclose(f);
	rc = lb_config_parse(path, buf ? buf : "", len, cfg, err, err_len);
	free(buf);
	return rc;
}
