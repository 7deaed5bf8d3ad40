#ifndef MALLOC_COUNTER_H
#define MALLOC_COUNTER_H

/*
 * Per-thread heap allocation counter for the benchmarks.
 *
 * Linking this target into an executable replaces malloc, calloc, realloc,
 * free, posix_memalign, aligned_alloc, memalign and valloc for the whole
 * process (libzmq, libstdc++ and the Swift runtime included). Every
 * allocating call bumps a counter owned by the calling thread and forwards to
 * glibc's own allocator, so a thread can count exactly the allocations it made
 * itself over a stretch of code:
 *
 *     mc_reset();
 *     ... code under test ...
 *     unsigned long long n = mc_count();
 *
 * Allocations made on other threads (for example libzmq's I/O thread) are not
 * counted. Frees are forwarded but not counted.
 */

#ifdef __cplusplus
extern "C" {
#endif

/// Sets the calling thread's allocation counter to zero.
void mc_reset(void);

/// The number of allocations the calling thread made since its last
/// mc_reset (or since it started). Never allocates.
unsigned long long mc_count(void);

/// Returns `pointer` unchanged. Defined out of line, so the optimizer cannot
/// prove an allocation unused and delete it (used by the counter's self-test).
void *mc_escape(void *pointer);

#ifdef __cplusplus
}
#endif

#endif
