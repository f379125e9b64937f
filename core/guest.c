/*
 * Guests: one guest description (libs/guestcfg) from the guest package gives
 * RAM (zeroed, G-stage mapped with the largest pages), images loaded from the
 * package, a generated guest-OS DTB, and one normal VCPU per described VCPU.
 * A normal VCPU is a thread whose loop enters the guest (vcpu_enter) and
 * handles its exits; its VS-level CSRs stay on the hart until another
 * guest's VCPU needs it.
 */
#include "core/guest.h"
#include "arch/riscv/csr.h"
#include "arch/riscv/sbi_server.h"
#include "arch/riscv/trap.h"
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
#define HSTATUS_SPVP (1UL << 8)
#define HSTATUS_SPV (1UL << 7)
#define HSTATUS_VTW (1UL << 21)
#define WFI_INSN 0x10500073

static LIST_HEAD_DECL(guests);
static spinlock_t guests_lock = SPINLOCK_INIT;
static unsigned int next_guest_id;
/* Device models Keel emulates for guests: none yet, so any device is refused by name. */
const char *const guest_known_devices[] = { NULL };

const char *guest_state_name(enum guest_state s)
{
	static const char *const names[] = { "created", "running", "stopped", "halted" };

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

static int guest_write(struct guest *g, u64 gpa, const void *buf, size_t len)
{
	return guest_access(g, gpa, len, copy_in, (void *)buf);
}

int guest_read(struct guest *g, u64 gpa, void *buf, size_t len)
{
	return guest_access(g, gpa, len, copy_out, buf);
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

	snprintf(isa, sizeof(isa), "rv64imac_zicsr_zifencei%s", sbi_server_sstc() ? "_sstc" : "");
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
	T(fdt_end_node(buf));
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
		T(fdt_begin_node(buf, "interrupt-controller"));
		T(fdt_property_u32(buf, "#interrupt-cells", 1));
		T(fdt_property(buf, "interrupt-controller", NULL, 0));
		T(fdt_property_string(buf, "compatible", "riscv,cpu-intc"));
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

static void vcpu_loop(void *arg);

static int create_vcpus(struct guest *g, const struct guestcfg *cfg)
{
	char name[24];

	g->vcpus = kzalloc(cfg->nr_vcpus * sizeof(*g->vcpus));
	if (!g->vcpus)
		return -ENOMEM;
	for (u32 i = 0; i < cfg->nr_vcpus; i++) {
		struct vcpu_guest *vg = kzalloc(sizeof(*vg));
		struct vcpu *v;

		if (!vg)
			return -ENOMEM;
		vg->guest = g;
		vg->index = i;
		vcpu_csrs_init(&vg->csrs);
		snprintf(name, sizeof(name), "%s/%u", g->name, i);
		v = thread_create(name, vcpu_loop, vg, cfg->vcpu[i].priority,
				  cfg->vcpu[i].affinity);
		if (!v) {
			kfree(vg);
			return -ENOMEM;
		}
		v->kind = VCPU_NORMAL;
		v->keep = true;
		v->se.slice_ns = v->se.remaining_ns = cfg->vcpu[i].slice_ns;
		g->vcpus[i] = v;
		g->nr_vcpus++;
	}
	return 0;
}

static void guest_free(struct guest *g)
{
	for (u32 i = 0; i < g->nr_vcpus; i++) {
		kfree(g->vcpus[i]->arg);
		thread_discard(g->vcpus[i]);
	}
	kfree(g->vcpus);
	free_memory(g);
	if (g->gs.root)
		gstage_destroy(&g->gs);
	kfree(g->chunks);
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
		r = guestcfg_parse(*blob, e.size, CONFIG_GUEST_MAX_VCPUS, guest_known_devices, *cfg,
				   err, errlen);
	}
	if (r) {
		kfree(*blob);
		kfree(*cfg);
		*blob = NULL;
		*cfg = NULL;
	}
	return r;
}

int guest_create(const char *file, struct guest **out, char *err, size_t errlen)
{
	struct guestcfg *cfg;
	struct guest *g = NULL;
	void *dtb = NULL, *blob;
	unsigned int max_chunks = 0;
	int r;

	r = guest_describe(file, &blob, &cfg, err, errlen);
	if (r)
		return r;
	snprintf(err, errlen, "guest '%s': out of memory", cfg->name);
	if (guest_find(cfg->name)) {
		snprintf(err, errlen, "guest '%s': a guest of that name exists", cfg->name);
		r = -EEXIST;
		goto out;
	}
	r = -ENOMEM;
	g = kzalloc(sizeof(*g));
	if (!g)
		goto out;
	snprintf(g->name, sizeof(g->name), "%s", cfg->name);
	g->sbi_disabled = cfg->sbi_disabled;
	g->con_lock = (spinlock_t)SPINLOCK_INIT;
	for (u32 i = 0; i < cfg->nr_mem; i++)
		max_chunks += 2 * 64;
	g->chunks = kmalloc(max_chunks * sizeof(*g->chunks));
	if (!g->chunks || gstage_init(&g->gs))
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
	g->entry = cfg->kernel.load;
	r = load_image(g, cfg, "kernel", &cfg->kernel, err, errlen);
	if (r)
		goto fail;
	g->dtb_gpa = guest_image_addr(cfg, &cfg->dtb);
	if (cfg->dtb.present) {
		r = load_image(g, cfg, "dtb", &cfg->dtb, err, errlen);
	} else {
		dtb = kmalloc(DTB_SPACE);
		r = dtb ? build_dtb(g, cfg, dtb, DTB_SPACE) : -ENOMEM;
		if (!r)
			r = guest_write(g, g->dtb_gpa, dtb, fdt_totalsize(dtb));
		if (r)
			snprintf(err, errlen, "guest '%s': cannot write its device tree (%d)",
				 cfg->name, r);
	}
	if (r)
		goto fail;
	if (cfg->initrd.present) {
		r = load_image(g, cfg, "initrd", &cfg->initrd, err, errlen);
		if (r)
			goto fail;
	}
	r = create_vcpus(g, cfg);
	if (r) {
		snprintf(err, errlen, "guest '%s': cannot create its VCPUs (%d)", cfg->name, r);
		goto fail;
	}
	g->state = GUEST_CREATED;
	{
		unsigned long flags = spin_lock_irqsave(&guests_lock);

		g->id = next_guest_id++;
		list_add_tail(&g->node, &guests);
		spin_unlock_irqrestore(&guests_lock, flags);
	}
	*out = g;
	r = 0;
	goto out;
fail:
	guest_free(g);
out:
	kfree(dtb);
	kfree(cfg);
	kfree(blob);
	return r;
}

/* ------------------------------------------------------------ running */

int guest_start(struct guest *g)
{
	struct vcpu_guest *vg;

	if (g->state != GUEST_CREATED)
		return -EBUSY;
	g->state = GUEST_RUNNING;
	/* VCPU 0 boots: a0 = hartid, a1 = DTB (the Linux/OpenSBI convention). */
	vg = g->vcpus[0]->arg;
	vg->regs.x[10] = 0;
	vg->regs.x[11] = g->dtb_gpa;
	vg->regs.sepc = g->entry;
	vg->regs.sstatus = SSTATUS_SPP | SSTATUS_SPIE;
	vg->regs.hstatus = (csr_read(CSR_HSTATUS) & ~(HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTW)) |
			   HSTATUS_SPV | HSTATUS_SPVP | HSTATUS_VTW;
	thread_start(g->vcpus[0]);
	return 0;
}

void guest_stop(struct guest *g, enum guest_state st, const char *fmt, ...)
{
	unsigned long flags = spin_lock_irqsave(&guests_lock);
	va_list ap;

	if (g->state != GUEST_RUNNING) {
		spin_unlock_irqrestore(&guests_lock, flags);
		return;
	}
	g->state = st;
	va_start(ap, fmt);
	vsnprintf(g->reason, sizeof(g->reason), fmt, ap);
	va_end(ap);
	spin_unlock_irqrestore(&guests_lock, flags);
	printk("guest '%s' %s: %s\n", g->name, guest_state_name(st), g->reason);
}

static void guest_fault(struct vcpu *v, struct vcpu_guest *vg, const char *what)
{
	struct guest_regs *r = &vg->regs;
	struct trap_frame f;

	guest_stop(vg->guest, GUEST_HALTED, "vcpu %u: %s: %s at 0x%lx (stval 0x%lx, htval 0x%lx)",
		   vg->index, what, trap_cause_name(r->scause), (unsigned long)r->sepc,
		   (unsigned long)r->stval, (unsigned long)r->htval);
	memcpy(f.regs, r->x, sizeof(f.regs));
	f.sepc = r->sepc;
	f.sstatus = r->sstatus;
	f.scause = r->scause;
	f.stval = r->stval;
	trap_dump(&f, false);
}

/* WFI: continue at once if an interrupt is pending for the guest, else sleep
 * until its timer deadline (QEMU 7.2 can drop a vstimecmp interrupt taken
 * inside WFI, so Keel waits for the deadline itself). */
static void vcpu_wfi(struct vcpu *v, struct vcpu_guest *vg)
{
	u64 deadline;

	vg->nr_wfi++;
	if (csr_read(CSR_HIP) & csr_read(CSR_HIE))
		return;
	deadline = sbi_server_sstc() ? vcpu_timer() : UINT64_MAX;
	if (deadline != UINT64_MAX) {
		/* Armed and blocked with interrupts off: the timer cannot fire in between. */
		unsigned long flags = irq_save();

		timer_event_start(&vg->wfi_timer, deadline);
		sched_set_blocked();
		irq_restore(flags);
		schedule();
		timer_event_stop(&vg->wfi_timer);
	} else {
		/* Nothing can wake it: let others run, then look again. */
		thread_yield();
	}
}

static void wfi_timer_fired(struct timer_event *ev)
{
	sched_wake(ev->data);
}

static void vcpu_loop(void *arg)
{
	struct vcpu_guest *vg = arg;
	struct guest *g = vg->guest;
	struct vcpu *v = current_vcpu();
	struct percpu *pc;

	timer_event_init(&vg->wfi_timer, wfi_timer_fired, v);
	while (g->state == GUEST_RUNNING) {
		struct guest_regs *r = &vg->regs;

		irq_disable();
		pc = this_cpu();
		if (pc->rq.need_resched)
			sched_preempt();
		if (pc->guest_loaded != vg) {
			struct vcpu_guest *owner = pc->guest_loaded;

			/* Another guest's VCPU left its state here: keep it before ours goes in. */
			if (owner)
				vcpu_csrs_save(&owner->csrs);
			vcpu_csrs_load(&vg->csrs, gstage_hgatp(&g->gs));
			pc->guest_loaded = vg;
		}
		vcpu_enter(r);
		vg->nr_exits++;
		if (r->scause & CAUSE_IRQ_FLAG) {
			/* A host interrupt: take it through the normal path. */
			irq_enable();
			continue;
		}
		switch (r->scause) {
		case CAUSE_VS_ECALL:
			vg->nr_ecalls++;
			r->sepc += 4;
			sbi_server_call(g, vg, r);
			break;
		case CAUSE_VIRTUAL_INSN:
			if (r->stval == WFI_INSN) {
				r->sepc += 4;
				irq_enable();
				vcpu_wfi(v, vg);
				break;
			}
			guest_fault(v, vg, "instruction Keel does not emulate");
			break;
		case CAUSE_FETCH_GUEST_PAGE_FAULT:
		case CAUSE_LOAD_GUEST_PAGE_FAULT:
		case CAUSE_STORE_GUEST_PAGE_FAULT:
			guest_fault(v, vg, "access outside its memory");
			break;
		default:
			guest_fault(v, vg, "unexpected trap");
			break;
		}
		irq_enable();
	}
	/* Gone for good: nothing of it is worth saving later. */
	irq_disable();
	if (this_cpu()->guest_loaded == vg)
		this_cpu()->guest_loaded = NULL;
	irq_enable();
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

	if (g->state == GUEST_RUNNING)
		return -EBUSY;
	/* Its VCPU threads have left their loops; wait until they are gone. */
	for (u32 i = 0; i < g->nr_vcpus; i++)
		while (!thread_done(g->vcpus[i]))
			thread_sleep_ns(1000000);
	flags = spin_lock_irqsave(&guests_lock);
	list_del(&g->node);
	spin_unlock_irqrestore(&guests_lock, flags);
	guest_free(g);
	return 0;
}

void guest_console_putc(struct guest *g, char c)
{
	unsigned long flags = spin_lock_irqsave(&g->con_lock);

	if (c != '\n' && c != '\r' && g->con_len < sizeof(g->con_line) - 1)
		g->con_line[g->con_len++] = c;
	if (c == '\n' || g->con_len == sizeof(g->con_line) - 1) {
		g->con_line[g->con_len] = '\0';
		printk("[%s] %s\n", g->name, g->con_line);
		g->con_len = 0;
	}
	spin_unlock_irqrestore(&g->con_lock, flags);
}
