/*
 * libFuzzer harness for libs/guestcfg: any bytes, handed over as a guest
 * description, must give either a config that keeps the documented promises
 * or one terminated line of error, and never a read outside the buffer.  The
 * input is copied into a buffer of exactly its size so that ASan flags any
 * read past it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "libs/guestcfg.h"

static const char *const known[] = { "ns16550a", "virtio,mmio", "google,goldfish-rtc", NULL };

static struct guestcfg cfg;

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void check_str(const char *s, const uint8_t *blob, size_t size)
{
	check(s && (const uint8_t *)s >= blob && (const uint8_t *)s < blob + size);
	check(memchr(s, '\0', blob + size - (const uint8_t *)s) != NULL);
}

static void check_line(const char *err, size_t errlen)
{
	size_t i, n = strnlen(err, errlen);

	check(n < errlen);
	for (i = 0; i < n; i++)
		check(err[i] >= 0x20 && err[i] <= 0x7e);
}

static void check_image(const struct guestcfg_image *img, const char *what, const uint8_t *blob,
			size_t size)
{
	static const u64 sizes[] = { 1, 4096, 1 << 20, ~0ULL };
	char err[128];
	size_t i;
	int ret;

	if (!img->present)
		return;
	check_str(img->file, blob, size);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		ret = guestcfg_check_image(&cfg, what, img, sizes[i], err, sizeof(err));
		check(ret == 0 || ret == -ENOSPC);
		if (ret)
			check_line(err, sizeof(err));
	}
}

/* What a successful parse promises (libs/guestcfg.h, docs/guest-config.md). */
static void check_cfg(const uint8_t *blob, size_t size)
{
	const struct guestcfg_mem *m;
	u32 i;

	check(cfg.name[0] && strlen(cfg.name) <= GUESTCFG_NAME_LEN);
	if (cfg.bootargs)
		check_str(cfg.bootargs, blob, size);
	check(cfg.sbi_disabled < GUESTCFG_SBI_BIT(GUESTCFG_SBI_NR));
	check(cfg.nr_vcpus >= 1 && cfg.nr_vcpus <= GUESTCFG_MAX_VCPUS);
	for (i = 0; i < cfg.nr_vcpus; i++)
		check(cfg.vcpu[i].priority <= GUESTCFG_MAX_PRIO && cfg.vcpu[i].slice_ns);
	check(cfg.nr_mem >= 1 && cfg.nr_mem <= GUESTCFG_MAX_MEM);
	for (i = 0; i < cfg.nr_mem; i++) {
		m = &cfg.mem[i];
		check(m->size && m->gpa + m->size <= GUESTCFG_GPA_LIMIT);
		check(i == 0 || cfg.mem[i - 1].gpa + cfg.mem[i - 1].size <= m->gpa);
	}
	check(cfg.kernel.present);
	check_image(&cfg.kernel, "kernel", blob, size);
	check_image(&cfg.initrd, "initrd", blob, size);
	check_image(&cfg.dtb, "dtb", blob, size);
	check(cfg.nr_devices <= GUESTCFG_MAX_DEVICES);
	for (i = 0; i < cfg.nr_devices; i++) {
		check_str(cfg.dev[i].name, blob, size);
		check_str(cfg.dev[i].compatible, blob, size);
		check(cfg.dev[i].size && cfg.dev[i].base + cfg.dev[i].size <= GUESTCFG_GPA_LIMIT);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	size_t errlen;
	uint8_t *blob;
	int ret;

	/* malloc gives the 8-byte alignment libfdt insists on; 1 byte for size 0. */
	blob = malloc(size ? size : 1);
	if (!blob)
		return 0;
	memcpy(blob, data, size);
	/* A short buffer now and then, to exercise truncation of the message. */
	errlen = size % 7 ? sizeof(err) : 1 + size % sizeof(err);
	memset(err, 'Z', sizeof(err));
	ret = guestcfg_parse(blob, size, size % 5 ? 0 : (u32)(size % 70), size % 3 ? known : NULL,
			     &cfg, err, errlen);
	if (ret) {
		check(ret < 0);
		check_line(err, errlen);
	} else {
		check_cfg(blob, size);
	}
	free(blob);
	return 0;
}
