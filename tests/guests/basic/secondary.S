/* Started by SBI HSM hart_start: a0 = hartid, a1 = opaque. */
#include "guest.h"

	.text
	.globl secondary_entry
	.align 2
secondary_entry:
	csrw	sie, zero
	li	t0, MAX_HARTS
	bgeu	a0, t0, hart_park
	call	setup_hart
	call	secondary_main
	j	hart_park
