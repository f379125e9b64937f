/* Keel's own symbol table (generated after the first link) for backtraces. */
#ifndef CORE_KSYMS_H
#define CORE_KSYMS_H

#include "libs/types.h"

/* "name+0xoff" for a code address, or "?" */
void ksyms_format(u64 addr, char *buf, size_t len);

#endif
