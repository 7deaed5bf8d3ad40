/*
 * Replaces the C allocator entry points with counting wrappers around glibc's
 * internal allocator (__libc_malloc and friends). See MallocCounter.h.
 *
 * The counter is thread-local in the initial-exec TLS model, so reading or
 * bumping it never calls back into malloc.
 */
#include "MallocCounter.h"

#include <errno.h>
#include <stddef.h>

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t count, size_t size);
extern void *__libc_realloc(void *pointer, size_t size);
extern void *__libc_memalign(size_t alignment, size_t size);
extern void *__libc_valloc(size_t size);
extern void __libc_free(void *pointer);

static __thread unsigned long long allocations __attribute__((tls_model("initial-exec")));

void mc_reset(void) { allocations = 0; }

unsigned long long mc_count(void) { return allocations; }

void *mc_escape(void *pointer) { return pointer; }

void *malloc(size_t size) {
    allocations++;
    return __libc_malloc(size);
}

void *calloc(size_t count, size_t size) {
    allocations++;
    return __libc_calloc(count, size);
}

void *realloc(void *pointer, size_t size) {
    allocations++;
    return __libc_realloc(pointer, size);
}

void free(void *pointer) { __libc_free(pointer); }

void *memalign(size_t alignment, size_t size) {
    allocations++;
    return __libc_memalign(alignment, size);
}

void *aligned_alloc(size_t alignment, size_t size) {
    allocations++;
    return __libc_memalign(alignment, size);
}

void *valloc(size_t size) {
    allocations++;
    return __libc_valloc(size);
}

int posix_memalign(void **result, size_t alignment, size_t size) {
    /* POSIX: a power of two that is a multiple of sizeof(void *). */
    if (alignment < sizeof(void *) || (alignment & (alignment - 1)) != 0) return EINVAL;
    allocations++;
    void *pointer = __libc_memalign(alignment, size);
    if (pointer == NULL) return ENOMEM;
    *result = pointer;
    return 0;
}
