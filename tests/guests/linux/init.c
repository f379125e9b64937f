/*
 * /init of the Linux test guest: the only process.  It checks what the kernel
 * found (CPUs, RTC, console input) and says so in "KEEL-INIT: " lines that the
 * tests read (the line contract is in README.md), then powers the machine off.
 *
 * Parameters come from the kernel command line (/proc/cmdline; the kernel
 * ignores names with a dot):
 *   keel.cpus=N    N CPUs expected online: "cpus ok" or "cpus FAIL"
 *   keel.rtc=1     an RTC is expected: without one, "rtc FAIL" instead of "rtc none"
 *   keel.echo=1    read one line from the console and print it back
 *   keel.end=X     poweroff (default), reboot, or hang (stay in a pause() loop)
 *
 * Built with riscv64-linux-gnu-gcc -static -Os by tools/build-linux-guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/rtc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static char cmdline[4096];
static int failures;

/* One whole line per write(): lines from the kernel never land inside it. */
static void say(const char *fmt, ...)
{
	char line[4200];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "KEEL-INIT: ");
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	if (write(1, line, n) < 0) {
		/* Nowhere to report it. */
	}
}

static void fail(const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	say("%s", msg);
	failures++;
}

/* Reads a small file whole into buf (NUL-terminated); the length or -1. */
static ssize_t read_file(const char *path, char *buf, size_t size)
{
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while ((size_t)total < size - 1 && (n = read(fd, buf + total, size - 1 - total)) > 0)
		total += n;
	close(fd);
	buf[total] = '\0';
	return total;
}

/* The value of keel.NAME= on the command line (copied into val), or NULL. */
static const char *param(const char *name, char *val, size_t size)
{
	size_t len = strlen(name);
	const char *p = cmdline;

	while (*p) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, "keel.", 5) && !strncmp(p + 5, name, len) && p[5 + len] == '=') {
			const char *v = p + 6 + len;
			size_t n = strcspn(v, " ");

			if (n >= size)
				n = size - 1;
			memcpy(val, v, n);
			val[n] = '\0';
			return val;
		}
		p += strcspn(p, " ");
	}
	return NULL;
}

static void mount_fs(const char *type, const char *dir)
{
	mkdir(dir, 0755);
	if (mount(type, dir, type, 0, NULL) && errno != EBUSY)
		fail("mount %s on %s FAIL %s", type, dir, strerror(errno));
}

static int count_cpus(void)
{
	static char info[65536];
	const char *p = info;
	int n = 0;

	if (read_file("/proc/cpuinfo", info, sizeof(info)) < 0)
		return (int)sysconf(_SC_NPROCESSORS_ONLN);
	/* One "processor\t: N" line per online CPU. */
	while ((p = strstr(p, "processor")) != NULL) {
		if (p == info || p[-1] == '\n')
			n++;
		p += 9;
	}
	return n;
}

static void check_cpus(void)
{
	char want[16];
	int n = count_cpus();

	say("cpus %d", n);
	if (!param("cpus", want, sizeof(want)))
		return;
	if (n == atoi(want))
		say("cpus ok");
	else
		fail("cpus FAIL expected %s, found %d", want, n);
}

static void check_rtc(void)
{
	char want[8], buf[64];
	bool required = param("rtc", want, sizeof(want)) && !strcmp(want, "1");
	struct rtc_time rt;
	struct tm tm;
	int fd;

	fd = open("/dev/rtc0", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		memset(&rt, 0, sizeof(rt));
		if (ioctl(fd, RTC_RD_TIME, &rt) == 0) {
			memset(&tm, 0, sizeof(tm));
			tm.tm_sec = rt.tm_sec;
			tm.tm_min = rt.tm_min;
			tm.tm_hour = rt.tm_hour;
			tm.tm_mday = rt.tm_mday;
			tm.tm_mon = rt.tm_mon;
			tm.tm_year = rt.tm_year;
			close(fd);
			say("rtc %lld", (long long)timegm(&tm));
			return;
		}
		close(fd);
	}
	/* No character device (or it failed): the sysfs view of the same clock. */
	if (read_file("/sys/class/rtc/rtc0/since_epoch", buf, sizeof(buf)) > 0) {
		say("rtc %lld", atoll(buf));
		return;
	}
	if (required)
		fail("rtc FAIL no /dev/rtc0 (%s)", strerror(errno));
	else
		say("rtc none");
}

static void echo_line(void)
{
	char want[8], line[256];
	ssize_t n;

	if (!param("echo", want, sizeof(want)) || strcmp(want, "1"))
		return;
	say("echo ready");
	/* The console is in canonical mode: read() returns one line. */
	n = read(0, line, sizeof(line) - 1);
	if (n < 0) {
		fail("echo FAIL %s", strerror(errno));
		return;
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		n--;
	line[n] = '\0';
	say("echo %s", line);
}

static void uptime(void)
{
	char buf[64];

	if (read_file("/proc/uptime", buf, sizeof(buf)) > 0)
		say("uptime %.*s", (int)strcspn(buf, " "), buf);
}

int main(void)
{
	char end[16];
	int how = RB_POWER_OFF;

	/* The kernel opened /dev/console (from the initramfs) as 0, 1 and 2. */
	say("start");
	mount_fs("proc", "/proc");
	mount_fs("sysfs", "/sys");
	mount_fs("devtmpfs", "/dev");
	if (read_file("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		fail("cmdline FAIL %s", strerror(errno));
	cmdline[strcspn(cmdline, "\n")] = '\0';
	say("kernel cmdline %s", cmdline);

	check_cpus();
	check_rtc();
	echo_line();
	uptime();

	if (failures)
		say("done FAIL %d", failures);
	else
		say("done ok");

	if (!param("end", end, sizeof(end)))
		strcpy(end, "poweroff");
	if (!strcmp(end, "reboot")) {
		how = RB_AUTOBOOT;
	} else if (strcmp(end, "poweroff")) {
		say("hang");
		for (;;)
			pause();
	}
	say("%s", end);
	/*
	 * What the console driver still holds would be lost: a UART without an
	 * interrupt (polled by the 8250 driver) sends 16 bytes per poll.
	 */
	tcdrain(1);
	sync();
	reboot(how);
	say("%s FAIL %s", end, strerror(errno));
	for (;;)
		pause();
}
