/* Fixed-width types and small helpers shared by Keel and its host-side tests. */
#ifndef LIBS_TYPES_H
#define LIBS_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int8_t s8;
typedef int16_t s16;
typedef int32_t s32;
typedef int64_t s64;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a) (((x) + ((a)-1)) & ~((__typeof__(x))(a)-1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a)-1))
#define IS_ALIGNED(x, a) (((x) & ((__typeof__(x))(a)-1)) == 0)
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

/* IS_ENABLED(CONFIG_X): 1 when a bool Kconfig option is set, else 0. */
#define __IS_ENABLED_ARG_1 0,
#define __is_enabled_take2(ignored, val, ...) val
#define __is_enabled3(arg1_or_junk) __is_enabled_take2(arg1_or_junk 1, 0, 0)
#define __is_enabled2(val) __is_enabled3(__IS_ENABLED_ARG_##val)
#define IS_ENABLED(option) __is_enabled2(option)

#define KiB (1024UL)
#define MiB (1024UL * KiB)
#define GiB (1024UL * MiB)

/* Error codes: functions return 0 or one of these, negated. */
#define EPERM 1
#define ENOENT 2
#define EIO 5
#define E2BIG 7
#define ENOMEM 12
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENODEV 19
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
#define ENOTSUP 95
#define ETIMEDOUT 110

#endif
