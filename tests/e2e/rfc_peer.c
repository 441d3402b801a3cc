/* SPDX-License-Identifier: MIT */
#include "rfc_peer.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

uint8_t *rfc_map(const char *name, int create)
{
	int fd = shm_open(name, O_RDWR | (create ? O_CREAT : 0), 0600);
	void *p;

	if (fd < 0)
		return NULL;
	if (create && ftruncate(fd, RFC_SIZE)) {
		close(fd);
		return NULL;
	}
	p = mmap(NULL, RFC_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	return p == MAP_FAILED ? NULL : p;
}

void rfc_unmap(uint8_t *buf)
{
	munmap(buf, RFC_SIZE);
}

long rfc_size(const char *name)
{
	struct stat st;
	int fd = shm_open(name, O_RDONLY, 0);
	long size = -1;

	if (fd >= 0 && !fstat(fd, &st))
		size = (long)st.st_size;
	if (fd >= 0)
		close(fd);
	return size;
}

static void send_str(int fd, const char *s)
{
	if (write(fd, s, strlen(s)) < 0)
		_exit(3);
}

/* Serve one client: greeting, capabilities, then the trigger command. */
static void serve(int fd, uint8_t *buf, rfc_handler h)
{
	char line[4096];
	size_t n = 0;
	char c;

	send_str(fd, "{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 0, \"minor\": 0, "
		     "\"major\": 10}, \"package\": \"rfc-peer\"}, \"capabilities\": []}}\r\n");
	while (read(fd, &c, 1) == 1) {
		if (c != '\n') {
			if (n + 1 < sizeof(line))
				line[n++] = c;
			continue;
		}
		line[n] = 0;
		n = 0;
		/* echo the id back, as QEMU does */
		char id[64] = "";
		char *p = strstr(line, "\"id\"");
		if (p && (p = strchr(p, ':'))) {
			size_t k = 0;

			p++;
			while (*p == ' ')
				p++;
			while (*p && *p != '}' && *p != ',' && k + 1 < sizeof(id))
				id[k++] = *p++;
			id[k] = 0;
		}
		char rsp[256];
		if (strstr(line, "cxl-process-mctp-message") &&
		    (*(volatile int32_t *)(buf + RFC_STATUS)) == 1) {
			h(buf);
			__atomic_store_n((int32_t *)(void *)(buf + RFC_STATUS), 0, __ATOMIC_RELEASE);
		}
		snprintf(rsp, sizeof(rsp), "{\"return\": {}%s%s}\r\n", id[0] ? ", \"id\": " : "", id);
		send_str(fd, rsp);
	}
}

int rfc_target_start(const char *shm_name, rfc_handler h, int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sa);
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	uint8_t *buf;
	pid_t pid;

	if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) || listen(lfd, 4) ||
	    getsockname(lfd, (struct sockaddr *)&sa, &sl))
		return -1;
	*port = ntohs(sa.sin_port);
	buf = rfc_map(shm_name, 1);
	if (!buf)
		return -1;
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* never outlive a failed or killed test */
		for (;;) {
			int fd = accept(lfd, NULL, NULL);

			if (fd < 0)
				_exit(0);
			serve(fd, buf, h);
			close(fd);
		}
	}
	close(lfd);
	rfc_unmap(buf);
	return pid;
}
