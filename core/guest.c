/*
 * Guests: one guest description (libs/guestcfg) from the guest package gives
 * RAM (zeroed, G-stage mapped with the largest pages), images loaded from the
 * package, a generated guest-OS DTB, and one normal VCPU per described VCPU
 * (core/guest_vcpu.c).  Lifecycle: created -> running <-> paused, then
 * stopped or halted (by the guest, a fault or the shell); a reset reloads
 * the images into zeroed RAM and starts it again.
 */
#include "core/guest.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi_server.h"
#include "arch/riscv/trap.h"
#include "core/cmd.h"
#include "core/emulator.h"
#include "core/mm.h"
#include "core/package.h"
#include "core/percpu.h"
#include "core/printk.h"
#include "core/thread.h"
#include "libs/buddy.h"
#include <libfdt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define DTB_SPACE (64 * KiB)
#define INITRD_OFFSET (64 * MiB)

static LIST_HEAD_DECL(guests);
static spinlock_t guests_lock = SPINLOCK_INIT;
static unsigned int next_guest_id;

const char *guest_state_name(enum guest_state s)
{
	static const char *const names[] = { "created",	  "running", "paused",
					     "resetting", "stopped", "halted" };

	return names[s];
}

/* ------------------------------------------------------------ memory */

static struct guest_chunk *chunk_of(struct guest *g, u64 gpa)
{
	for (unsigned int i = 0; i < g->nr_chunks; i++) {
		struct guest_chunk *c = &g->chunks[i];

		if (gpa >= c->gpa && gpa - c->gpa < (PAGE_SIZE << c->order))
			return c;
	}
	return NULL;
}

/* Walk [gpa, gpa+len) chunk by chunk; @copy gets host pointers. */
static int guest_access(struct guest *g, u64 gpa, size_t len,
			void (*copy)(void *host, size_t off, size_t n, void *arg), void *arg)
{
	size_t done = 0;

	while (done < len) {
		struct guest_chunk *c = chunk_of(g, gpa + done);
		u64 in, n;

		if (!c)
			return -EFAULT;
		in = gpa + done - c->gpa;
		n = MIN((u64)(len - done), (PAGE_SIZE << c->order) - in);
		copy((void *)(c->hpa + in), done, n, arg);
		done += n;
	}
	return 0;
}

static void copy_in(void *host, size_t off, size_t n, void *arg)
{
	memcpy(host, (const u8 *)arg + off, n);
}

static void copy_out(void *host, size_t off, size_t n, void *arg)
{
	memcpy((u8 *)arg + off, host, n);
}

int guest_write(struct guest *g, u64 gpa, const void *buf, size_t len)
{
	return guest_access(g, gpa, len, copy_in, (void *)buf);
}

int guest_read(struct guest *g, u64 gpa, void *buf, size_t len)
{
	return guest_access(g, gpa, len, copy_out, buf);
}

size_t guest_console_read(struct guest *g, u8 *buf, size_t n)
{
	size_t got = vserial_read(&g->vserial, buf, n);

	if (got)
		emu_devs_input(g);
	return got;
}

void *guest_ram_ptr(struct guest *g, u64 gpa, size_t len)
{
	struct guest_chunk *c = chunk_of(g, gpa);

	if (!c || len > (PAGE_SIZE << c->order) - (gpa - c->gpa))
		return NULL;
	return (void *)(c->hpa + gpa - c->gpa);
}

bool guest_ram_contains(struct guest *g, u64 gpa)
{
	return chunk_of(g, gpa) != NULL;
}

static int add_chunk(struct guest *g, u64 gpa, u64 hpa, unsigned int order, bool claimed)
{
	int err = gstage_map(&g->gs, gpa, hpa, PAGE_SIZE << order);

	if (err)
		return err;
	g->chunks[g->nr_chunks++] = (struct guest_chunk){ gpa, hpa, order, claimed };
	return 0;
}

/* Largest naturally aligned blocks first, so the G-stage can use 2 MiB / 1 GiB pages. */
static int alloc_region(struct guest *g, const struct guestcfg_mem *m, unsigned int max_chunks)
{
	u64 gpa = m->gpa, end = m->gpa + m->size;

	while (gpa < end) {
		unsigned int order = BUDDY_MAX_ORDER;
		void *p = NULL;

		if (g->nr_chunks >= max_chunks)
			return -E2BIG;
		if (m->fixed) {
			u64 hpa = m->hpa + (gpa - m->gpa);

			while ((PAGE_SIZE << order) > end - gpa ||
			       !IS_ALIGNED(gpa | hpa, PAGE_SIZE << order))
				order--;
			if (page_claim(hpa, 1UL << order))
				return -EBUSY;
			zero_pages((void *)hpa, PAGE_SIZE << order);
			if (add_chunk(g, gpa, hpa, order, true)) {
				for (u64 i = 0; i < (1UL << order); i++)
					page_free((void *)(hpa + i * PAGE_SIZE), 0);
				return -ENOMEM;
			}
			gpa += PAGE_SIZE << order;
			continue;
		}
		while ((PAGE_SIZE << order) > end - gpa || !IS_ALIGNED(gpa, PAGE_SIZE << order))
			order--;
		while (!(p = page_alloc(order)))
			if (order-- == 0)
				return -ENOMEM;
		/* Guest memory is zeroed before the guest sees it (so not again on destroy). */
		zero_pages(p, PAGE_SIZE << order);
		if (add_chunk(g, gpa, (u64)p, order, false)) {
			page_free(p, order);
			return -ENOMEM;
		}
		gpa += PAGE_SIZE << order;
	}
	return 0;
}

static void free_memory(struct guest *g)
{
	for (unsigned int i = 0; i < g->nr_chunks; i++) {
		struct guest_chunk *c = &g->chunks[i];

		/* A claimed range went out as single pages: it comes back the same way. */
		if (c->claimed)
			for (u64 p = 0; p < (1UL << c->order); p++)
				page_free((void *)(c->hpa + p * PAGE_SIZE), 0);
		else
			page_free((void *)c->hpa, c->order);
	}
	g->nr_chunks = 0;
}

/* ------------------------------------------------------------ the guest-OS DTB */

static int build_dtb(struct guest *g, const struct guestcfg *cfg, void *buf, size_t len)
{
	char isa[64], name[32];
	int err = 0;

	snprintf(isa, sizeof(isa), "rv64ima%sc_zicsr_zifencei%s", vcpu_fp ? "fd" : "",
		 sbi_server_sstc() ? "_sstc" : "");
#define T(x) (err = err ? err : (x))
	T(fdt_create(buf, len));
	T(fdt_finish_reservemap(buf));
	T(fdt_begin_node(buf, ""));
	T(fdt_property_u32(buf, "#address-cells", 2));
	T(fdt_property_u32(buf, "#size-cells", 2));
	T(fdt_property_string(buf, "compatible", "keel,guest"));
	T(fdt_property_string(buf, "model", g->name));
	T(fdt_begin_node(buf, "chosen"));
	if (cfg->bootargs)
		T(fdt_property_string(buf, "bootargs", cfg->bootargs));
	T(emu_devs_fdt_chosen(g, buf));
	T(fdt_end_node(buf));
	T(emu_devs_fdt_root(g, buf));
	T(fdt_begin_node(buf, "cpus"));
	T(fdt_property_u32(buf, "#address-cells", 1));
	T(fdt_property_u32(buf, "#size-cells", 0));
	T(fdt_property_u32(buf, "timebase-frequency", (u32)timebase_hz));
	for (u32 i = 0; i < cfg->nr_vcpus; i++) {
		snprintf(name, sizeof(name), "cpu@%x", i);
		T(fdt_begin_node(buf, name));
		T(fdt_property_string(buf, "device_type", "cpu"));
		T(fdt_property_u32(buf, "reg", i));
		T(fdt_property_string(buf, "compatible", "riscv"));
		T(fdt_property_string(buf, "riscv,isa", isa));
		T(fdt_property_string(buf, "mmu-type", "riscv,sv39"));
		T(fdt_property_string(buf, "status", "okay"));
		/* The virtual PLIC's interrupts-extended names it. */
		T(fdt_begin_node(buf, "interrupt-controller"));
		T(fdt_property_u32(buf, "#interrupt-cells", 1));
		T(fdt_property(buf, "interrupt-controller", NULL, 0));
		T(fdt_property_string(buf, "compatible", "riscv,cpu-intc"));
		T(fdt_property_u32(buf, "phandle", EMU_PHANDLE_CPU_INTC(i)));
		T(fdt_end_node(buf));
		T(fdt_end_node(buf));
	}
	T(fdt_end_node(buf));
	for (u32 i = 0; i < cfg->nr_mem; i++) {
		fdt64_t reg[2] = { cpu_to_fdt64(cfg->mem[i].gpa), cpu_to_fdt64(cfg->mem[i].size) };

		snprintf(name, sizeof(name), "memory@%lx", (unsigned long)cfg->mem[i].gpa);
		T(fdt_begin_node(buf, name));
		T(fdt_property_string(buf, "device_type", "memory"));
		T(fdt_property(buf, "reg", reg, sizeof(reg)));
		T(fdt_end_node(buf));
	}
	T(emu_devs_fdt(g, buf));
	T(fdt_end_node(buf));
	T(fdt_finish(buf));
#undef T
	return err ? -ENOSPC : 0;
}

/* ------------------------------------------------------------ creation */

u64 guest_image_addr(const struct guestcfg *cfg, const struct guestcfg_image *img)
{
	if (img->load_given || img == &cfg->kernel)
		return img->load;
	if (img == &cfg->dtb)
		return cfg->mem[0].gpa + cfg->mem[0].size - DTB_SPACE;
	return cfg->mem[0].gpa + INITRD_OFFSET;
}

int guest_image_find(const struct guestcfg *cfg, const char *what, const struct guestcfg_image *img,
		     struct cpio_entry *e, char *err, size_t errlen)
{
	struct guestcfg_image placed = *img;

	if (package_find(img->file, e)) {
		snprintf(err, errlen,
			 "guest '%s': image '%s': file '%s' is not in the guest package", cfg->name,
			 what, img->file);
		return -ENOENT;
	}
	placed.load = guest_image_addr(cfg, img);
	placed.load_given = true;
	if (guestcfg_check_image(cfg, what, &placed, e->size, err, errlen))
		return -ENOSPC;
	return 0;
}

static int load_image(struct guest *g, const struct guestcfg *cfg, const char *what,
		      const struct guestcfg_image *img, char *err, size_t errlen)
{
	struct cpio_entry e;
	int r = guest_image_find(cfg, what, img, &e, err, errlen);

	return r ? r : guest_write(g, guest_image_addr(cfg, img), e.data, e.size);
}

/* Admission may refuse a VCPU's parameters: then err says why, and the caller frees them all. */
static int create_vcpus(struct guest *g, const struct guestcfg *cfg, char *err, size_t errlen)
{
	char name[VCPU_NAME_LEN], why[160];

	snprintf(err, errlen, "guest '%s': out of memory", cfg->name);
	g->vcpus = kzalloc(cfg->nr_vcpus * sizeof(*g->vcpus));
	if (!g->vcpus)
		return -ENOMEM;
	for (u32 i = 0; i < cfg->nr_vcpus; i++) {
		const struct guestcfg_vcpu *c = &cfg->vcpu[i];
		struct sched_params sp = { .prio = c->priority,
					   .slice_ns = c->slice_ns,
					   .budget_ns = c->budget_ns,
					   .period_ns = c->period_ns };
		struct vcpu_guest *vg = kzalloc(sizeof(*vg));
		struct vcpu *v;

		if (!vg)
			return -ENOMEM;
		snprintf(name, sizeof(name), "%s/%u", g->name, i);
		v = thread_create(name, guest_vcpu_loop, vg, &sp, c->affinity, why, sizeof(why));
		if (!v) {
			kfree(vg);
			snprintf(err, errlen, "guest '%s': vcpu %u: %s", cfg->name, i, why);
			return -ENOSPC;
		}
		guest_vcpu_init(vg, g, v, i);
		/* Not queued before its start: rm and edf serve it by its own reservation only. */
		v->kind = VCPU_NORMAL;
		v->se.system = false;
		v->keep = true;
		g->vcpus[i] = v;
		g->nr_vcpus++;
	}
	return 0;
}

static void free_vcpus(struct guest *g)
{
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		kfree(g->vcpus[i]->arg);
		thread_discard(g->vcpus[i]);
	}
	kfree(g->vcpus);
	g->vcpus = NULL;
	g->nr_vcpus = 0;
}

static void guest_free(struct guest *g)
{
	/* Devices first: from then on nothing raises a VCPU's level. */
	emu_devs_free(g);
	free_vcpus(g);
	free_memory(g);
	if (g->gs.t.root)
		gstage_destroy(&g->gs);
	kfree(g->chunks);
	kfree(g->cfg);
	kfree(g->blob);
	kfree(g);
}

int guest_describe(const char *file, void **blob, struct guestcfg **cfg, char *err, size_t errlen)
{
	struct cpio_entry e;
	int r;

	*blob = NULL;
	*cfg = NULL;
	if (package_find(file, &e)) {
		snprintf(err, errlen, "guest: '%s' is not in the guest package", file);
		return -ENOENT;
	}
	/* cpio aligns file data to 4 bytes; a DTB wants 8. */
	*blob = kmalloc(e.size ? e.size : 1);
	*cfg = kmalloc(sizeof(**cfg));
	if (!*blob || !*cfg) {
		snprintf(err, errlen, "guest: out of memory");
		r = -ENOMEM;
	} else {
		memcpy(*blob, e.data, e.size);
		r = guestcfg_parse(*blob, e.size, CONFIG_GUEST_MAX_VCPUS, emulator_compatibles,
				   *cfg, err, errlen);
	}
	if (r) {
		kfree(*blob);
		kfree(*cfg);
		*blob = NULL;
		*cfg = NULL;
	}
	return r;
}

/* Kernel, DTB (given or generated) and initrd into the guest's zeroed RAM. */
static int load_images(struct guest *g, char *err, size_t errlen)
{
	const struct guestcfg *cfg = g->cfg;
	void *dtb;
	int r;

	r = load_image(g, cfg, "kernel", &cfg->kernel, err, errlen);
	if (r)
		return r;
	if (cfg->initrd.present) {
		r = load_image(g, cfg, "initrd", &cfg->initrd, err, errlen);
		if (r)
			return r;
	}
	if (cfg->dtb.present)
		return load_image(g, cfg, "dtb", &cfg->dtb, err, errlen);
	dtb = kmalloc(DTB_SPACE);
	r = dtb ? build_dtb(g, cfg, dtb, DTB_SPACE) : -ENOMEM;
	if (!r)
		r = guest_write(g, g->dtb_gpa, dtb, fdt_totalsize(dtb));
	if (r)
		snprintf(err, errlen, "guest '%s': cannot write its device tree (%d)", cfg->name,
			 r);
	kfree(dtb);
	return r;
}

int guest_create(const char *file, struct guest **out, char *err, size_t errlen)
{
	struct guestcfg *cfg;
	struct guest *g = NULL;
	const struct guestcfg_mem *top;
	void *blob;
	unsigned int max_chunks = 0;
	u64 t0 = time_ns();
	int r;

	r = guest_describe(file, &blob, &cfg, err, errlen);
	if (r)
		return r;
	if (guest_find(cfg->name)) {
		snprintf(err, errlen, "guest '%s': a guest of that name exists", cfg->name);
		kfree(cfg);
		kfree(blob);
		return -EEXIST;
	}
	snprintf(err, errlen, "guest '%s': out of memory", cfg->name);
	g = kzalloc(sizeof(*g));
	if (!g) {
		kfree(cfg);
		kfree(blob);
		return -ENOMEM;
	}
	/* Kept for reset; freed with the guest from here on. */
	g->cfg = cfg;
	g->blob = blob;
	snprintf(g->name, sizeof(g->name), "%s", cfg->name);
	g->sbi_disabled = cfg->sbi_disabled;
	sbi_server_guest_init(g);
	g->hsm_lock = (spinlock_t)SPINLOCK_INIT;
	g->lock = (struct mutex)MUTEX_INIT(g->lock);
	vserial_init(&g->vserial, g->name, emu_devs_input, g);
	for (u32 i = 0; i < cfg->nr_mem; i++)
		max_chunks += 2 * 64;
	r = -ENOMEM;
	g->chunks = kmalloc(max_chunks * sizeof(*g->chunks));
	if (!g->chunks)
		goto fail;
	/* Regions are sorted by address: the last one ends highest. */
	top = &cfg->mem[cfg->nr_mem - 1];
	r = gstage_init(&g->gs, top->gpa + top->size);
	if (r == -ERANGE)
		snprintf(
			err, errlen,
			"guest '%s': memory 0x%lx+0x%lx ends beyond the guest-physical limit 0x%lx "
			"of these harts (%s)",
			cfg->name, (unsigned long)top->gpa, (unsigned long)top->size,
			(unsigned long)gstage_gpa_limit(), gstage_limit_name());
	if (r)
		goto fail;
	for (u32 i = 0; i < cfg->nr_mem; i++) {
		r = alloc_region(g, &cfg->mem[i], max_chunks);
		if (r) {
			snprintf(err, errlen, "guest '%s': cannot place memory 0x%lx+0x%lx (%s)",
				 cfg->name, (unsigned long)cfg->mem[i].gpa,
				 (unsigned long)cfg->mem[i].size,
				 r == -EBUSY ? "host range in use" : "out of memory");
			goto fail;
		}
		g->ram_bytes += cfg->mem[i].size;
	}
	r = emu_devs_create(g, cfg, err, errlen);
	if (r)
		goto fail;
	g->entry = cfg->kernel.load;
	g->dtb_gpa = guest_image_addr(cfg, &cfg->dtb);
	r = load_images(g, err, errlen);
	if (r)
		goto fail;
	r = create_vcpus(g, cfg, err, errlen);
	if (r)
		goto fail;
	g->create_ns = time_ns() - t0;
	{
		unsigned long flags = spin_lock_irqsave(&guests_lock);

		g->id = next_guest_id++;
		list_add_tail(&g->node, &guests);
		spin_unlock_irqrestore(&guests_lock, flags);
	}
	*out = g;
	return 0;
fail:
	guest_free(g);
	return r;
}

/* ------------------------------------------------------------ lifecycle */

struct vcpu_guest *guest_vcpu(const struct guest *g, unsigned long index)
{
	return index < g->nr_vcpus ? g->vcpus[index]->arg : NULL;
}

/* Under g->lock: a state change others see, then every VCPU looks at it. */
static bool transition(struct guest *g, u32 from_mask, enum guest_state to, const char *fmt,
		       va_list ap)
{
	unsigned long flags = spin_lock_irqsave(&guests_lock);

	if (!(from_mask & (1u << g->state))) {
		spin_unlock_irqrestore(&guests_lock, flags);
		return false;
	}
	g->state = to;
	if (fmt)
		vsnprintf(g->reason, sizeof(g->reason), fmt, ap);
	spin_unlock_irqrestore(&guests_lock, flags);
	guest_kick_all(g);
	return true;
}

static bool set_state(struct guest *g, u32 from_mask, enum guest_state to, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool set_state(struct guest *g, u32 from_mask, enum guest_state to, const char *fmt, ...)
{
	va_list ap;
	bool done;

	va_start(ap, fmt);
	done = transition(g, from_mask, to, fmt, ap);
	va_end(ap);
	return done;
}

#define S(st) (1u << (st))
#define LIVE (S(GUEST_RUNNING) | S(GUEST_PAUSED))

static void start_vcpus(struct guest *g)
{
	/* VCPU 0 boots: a0 = hartid, a1 = DTB (the Linux/OpenSBI convention). */
	guest_vcpu_hsm_start(g->vcpus[0]->arg, g->entry, g->dtb_gpa);
	for (u32 i = 0; i < g->nr_vcpus; i++)
		thread_start(g->vcpus[i]);
}

int guest_start(struct guest *g)
{
	int r = -EBUSY;

	mutex_lock(&g->lock);
	if (set_state(g, S(GUEST_CREATED), GUEST_RUNNING, "%s", "")) {
		start_vcpus(g);
		r = 0;
	}
	mutex_unlock(&g->lock);
	return r;
}

/* Until none of its VCPUs is in guest mode. */
static void wait_out_of_guest(struct guest *g)
{
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		struct vcpu_guest *vg = g->vcpus[i]->arg;

		while (__atomic_load_n(&vg->in_guest, __ATOMIC_ACQUIRE) >= 0)
			thread_sleep_ns(100000);
	}
}

int guest_pause(struct guest *g)
{
	int r = -EBUSY;

	mutex_lock(&g->lock);
	if (set_state(g, S(GUEST_RUNNING), GUEST_PAUSED, NULL)) {
		wait_out_of_guest(g);
		r = 0;
	}
	mutex_unlock(&g->lock);
	return r;
}

int guest_resume(struct guest *g)
{
	int r;

	mutex_lock(&g->lock);
	r = set_state(g, S(GUEST_PAUSED), GUEST_RUNNING, NULL) ? 0 : -EBUSY;
	mutex_unlock(&g->lock);
	return r;
}

int guest_halt(struct guest *g)
{
	int r = -EBUSY;

	mutex_lock(&g->lock);
	if (set_state(g, LIVE | S(GUEST_RESETTING), GUEST_HALTED, "halted from the shell")) {
		printk("guest '%s' halted: %s\n", g->name, g->reason);
		wait_out_of_guest(g);
		r = 0;
	}
	mutex_unlock(&g->lock);
	return r;
}

void guest_stop(struct guest *g, enum guest_state st, const char *fmt, ...)
{
	va_list ap;
	bool done;

	va_start(ap, fmt);
	done = transition(g, LIVE, st, fmt, ap);
	va_end(ap);
	if (done)
		printk("guest '%s' %s: %s\n", g->name, guest_state_name(st), g->reason);
}

/* Its VCPU threads have left their loops (the guest is not live): wait until they are gone. */
static void wait_vcpus_done(struct guest *g)
{
	for (u32 i = 0; i < g->nr_vcpus; i++)
		while (!thread_done(g->vcpus[i]))
			thread_sleep_ns(1000000);
}

/* Under g->lock: from a state in @from to running again, or -EBUSY (nothing done). */
static int reset_locked(struct guest *g, u32 from, char *err, size_t errlen)
{
	int r;

	if (!set_state(g, from, GUEST_RESETTING, "%s", "reset")) {
		snprintf(err, errlen, "guest '%s' is %s: nothing to reset", g->name,
			 guest_state_name(g->state));
		return -EBUSY;
	}
	wait_vcpus_done(g);
	/*
	 * Devices come back in their reset state, as after create, before the
	 * VCPUs go: input to the guest's UART meanwhile cannot reach a VCPU
	 * through a freshly reset PLIC (nothing is enabled in it).
	 */
	emu_devs_reset(g);
	free_vcpus(g);
	for (unsigned int i = 0; i < g->nr_chunks; i++)
		zero_pages((void *)g->chunks[i].hpa, PAGE_SIZE << g->chunks[i].order);
	r = load_images(g, err, errlen);
	if (!r)
		r = create_vcpus(g, g->cfg, err, errlen);
	if (r) {
		/* Threads made before the failure never started: gone before the state changes. */
		free_vcpus(g);
		set_state(g, S(GUEST_RESETTING), GUEST_HALTED, "reset failed: %s", err);
		return r;
	}
	set_state(g, S(GUEST_RESETTING), GUEST_RUNNING, "%s", "");
	start_vcpus(g);
	return 0;
}

int guest_reset(struct guest *g, char *err, size_t errlen)
{
	int r;

	mutex_lock(&g->lock);
	r = reset_locked(g, LIVE | S(GUEST_RESETTING) | S(GUEST_STOPPED) | S(GUEST_HALTED), err,
			 errlen);
	mutex_unlock(&g->lock);
	return r;
}

/* A guest's own reboot; a halt meanwhile wins (the state is no longer resetting). */
static void reset_worker(void *arg)
{
	struct guest *g = arg;
	char err[160];
	int r;

	mutex_lock(&g->lock);
	r = reset_locked(g, S(GUEST_RESETTING), err, sizeof(err));
	if (!r)
		printk("guest '%s' running again after a reset\n", g->name);
	else if (r != -EBUSY)
		printk("guest '%s' halted: %s\n", g->name, g->reason);
	mutex_unlock(&g->lock);
	/* The last touch: from here on a destroy may free it. */
	__atomic_fetch_sub(&g->reset_pending, 1, __ATOMIC_RELEASE);
}

void guest_request_reset(struct guest *g, const char *why)
{
	/* Counted before the state changes: a destroy that sees no worker sees no reset. */
	__atomic_fetch_add(&g->reset_pending, 1, __ATOMIC_SEQ_CST);
	if (!set_state(g, LIVE, GUEST_RESETTING, "%s", why)) {
		__atomic_fetch_sub(&g->reset_pending, 1, __ATOMIC_RELEASE);
		return;
	}
	printk("guest '%s' resetting: %s\n", g->name, why);
	/* The VCPU asking cannot wait for itself: a Keel thread does it. */
	if (!thread_spawn("guest-reset", reset_worker, g, g->cfg->vcpu[0].priority, 0)) {
		if (set_state(g, S(GUEST_RESETTING), GUEST_HALTED, "reset failed: out of memory"))
			printk("guest '%s' halted: %s\n", g->name, g->reason);
		__atomic_fetch_sub(&g->reset_pending, 1, __ATOMIC_RELEASE);
	}
}

/* ------------------------------------------------------------ lookup, teardown */

struct guest *guest_find(const char *name)
{
	unsigned long flags = spin_lock_irqsave(&guests_lock);
	struct guest *g, *found = NULL;

	list_for_each_entry (g, &guests, node)
		if (!strcmp(g->name, name))
			found = g;
	spin_unlock_irqrestore(&guests_lock, flags);
	return found;
}

struct guest *guest_named(const char *who, const char *name)
{
	struct guest *g = guest_find(name);

	if (!g)
		cmd_error("%s: no guest named '%s'", who, name);
	return g;
}

void guest_for_each(int (*fn)(struct guest *g, void *arg), void *arg)
{
	unsigned long flags = spin_lock_irqsave(&guests_lock);
	struct guest *g;

	list_for_each_entry (g, &guests, node)
		if (fn(g, arg))
			break;
	spin_unlock_irqrestore(&guests_lock, flags);
}

int guest_destroy(struct guest *g)
{
	unsigned long flags;

	for (;;) {
		/* Halted while a reset worker had not run yet: let the worker finish. */
		while (__atomic_load_n(&g->reset_pending, __ATOMIC_ACQUIRE))
			thread_sleep_ns(1000000);
		mutex_lock(&g->lock);
		if (!(S(g->state) & (S(GUEST_CREATED) | S(GUEST_STOPPED) | S(GUEST_HALTED)))) {
			mutex_unlock(&g->lock);
			return -EBUSY;
		}
		/* Once its VCPUs are gone, none can ask for a reset any more. */
		wait_vcpus_done(g);
		if (!__atomic_load_n(&g->reset_pending, __ATOMIC_ACQUIRE))
			break;
		mutex_unlock(&g->lock);
	}
	flags = spin_lock_irqsave(&guests_lock);
	list_del(&g->node);
	spin_unlock_irqrestore(&guests_lock, flags);
	mutex_unlock(&g->lock);
	guest_free(g);
	return 0;
}
