#ifndef C_BASELINE_SUPPORT_H
#define C_BASELINE_SUPPORT_H

/* Helpers shared by the C baseline scenarios; not part of the public header. */

#include <pthread.h>
#include <stddef.h>

/// Aborts with libzmq's message when a libzmq call returned -1 (or NULL).
#define CB_CHECK(call) cb_check((call) != -1, #call, __FILE__, __LINE__)
#define CB_CHECK_PTR(call) cb_check_ptr((call), #call, __FILE__, __LINE__)

void cb_check(int ok, const char *what, const char *file, int line);
void *cb_check_ptr(void *pointer, const char *what, const char *file, int line);

/// Hands the endpoint a binding thread actually bound to over to the
/// connecting thread (a one-shot mailbox, mutex and condition variable).
typedef struct {
    pthread_mutex_t lock;
    pthread_cond_t ready;
    int published;
    char endpoint[256];
} cb_handoff;

void cb_handoff_init(cb_handoff *handoff);
void cb_handoff_destroy(cb_handoff *handoff);
/// Stores `endpoint` and wakes the waiting thread.
void cb_handoff_publish(cb_handoff *handoff, const char *endpoint);
/// Blocks until an endpoint was published; returns it (owned by `handoff`).
const char *cb_handoff_wait(cb_handoff *handoff);

/// Binds `socket` to `endpoint` and publishes the resolved address (ZMQ_LAST_ENDPOINT).
void cb_bind_and_publish(void *socket, const char *endpoint, cb_handoff *handoff);

/// A `size`-byte buffer filled with 'x' to send from, 64-byte aligned (cache
/// line) like the Swift side's, so memcpy sees the same alignment in both.
/// Release it with free().
char *cb_message_buffer(size_t size);

/// Writes a process-unique "inproc://cb-<prefix>-<n>" name into `out`.
void cb_unique_inproc(char *out, size_t capacity, const char *prefix);

/// Runs `first` and `second` on two new threads with the same argument and
/// waits for both.
void cb_run_pair(void *(*first)(void *), void *(*second)(void *), void *argument);

#endif
