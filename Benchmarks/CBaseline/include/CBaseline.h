#ifndef C_BASELINE_H
#define C_BASELINE_H

/*
 * The plain C baseline of the benchmarks: the same scenarios as the Swift
 * side, written directly against libzmq with pthreads, so both are measured
 * in one process, one run, with the same clock.
 *
 * Every scenario creates its own context and two threads (one per socket),
 * and waits for them. Endpoints: pass "tcp://127.0.0.1:*" (the binding side
 * reads ZMQ_LAST_ENDPOINT and hands the real address to the connecting side)
 * or a fresh "inproc://name" for every call. A libzmq failure is a bug in the
 * benchmark: it is printed and the process aborts.
 */

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/// The monotonic clock in nanoseconds (CLOCK_MONOTONIC). The Swift side uses
/// this very function, so C and Swift rows are timed identically.
static inline uint64_t cb_now_ns(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec;
}

/// The socket pair of a one-way stream benchmark.
enum {
    /// PUSH connects and sends, PULL binds and receives.
    CB_PUSH_PULL = 0,
    /// PUB connects and sends, SUB (subscribed to everything) binds and receives.
    CB_PUB_SUB = 1,
};

/// Reads the calling thread's allocation counter (MallocCounter's mc_count).
typedef unsigned long long (*cb_allocation_counter)(void);

/// Throughput of a one-way stream, like libzmq's local_thr/remote_thr.
///
/// Both sides use SNDHWM/RCVHWM 0 (unlimited), so PUB never drops. The
/// sender repeats an empty warm-up message until the receiver acknowledges one
/// over an inproc PAIR side channel, so the connection (and for PUB/SUB the
/// subscription) is in place before the first real message. The sender then
/// sends `count` messages of `msg_size` bytes with zmq_send from one reused
/// buffer; the receiver receives them with zmq_msg_recv into one reused
/// zmq_msg_t and times from the first real message to the last.
///
/// Returns messages per second: (count - 1) intervals over that time.
double cb_throughput(int socket_pattern, const char *endpoint, size_t msg_size, long count);

/// Heap allocations of the same stream, counted separately on the sending
/// thread (zmq_send from a reused buffer, over `count` messages) and on the
/// receiving thread (zmq_msg_recv into a reused zmq_msg_t, over the `count - 1`
/// messages after the first counted one), after `warmup` uncounted messages.
/// `counter` reads the calling thread's allocation count.
void cb_allocations(int socket_pattern, const char *endpoint, size_t msg_size, long warmup, long count,
                    cb_allocation_counter counter, unsigned long long *out_send_allocations,
                    unsigned long long *out_receive_allocations);

/// What cb_queue_costs measured.
typedef struct {
    /// Nanoseconds per message of the send loop.
    double send_ns;
    /// Nanoseconds per message of the receive loop.
    double receive_ns;
    /// Heap allocations the send loop made (messages plus libzmq's pipe chunks).
    unsigned long long send_allocations;
    /// Heap allocations the receive loop made.
    unsigned long long receive_allocations;
} cb_queue_cost;

/// The cost of each message path on one thread, without a second thread to
/// compete with: a PUSH sends `count` messages from one reused buffer into an
/// inproc PULL that nobody reads yet (SNDHWM/RCVHWM 0), then the PULL receives
/// them all into one reused zmq_msg_t. Both loops run on the calling thread,
/// so their allocation counts (read with `counter`) do not depend on
/// scheduling: libzmq allocates one 256-message pipe chunk per 256 messages
/// queued, plus one content block per message over 33 bytes.
cb_queue_cost cb_queue_costs(size_t msg_size, long count, cb_allocation_counter counter);

/// REQ/REP round-trip latency: REP echoes on its own thread; REQ sends
/// `msg_size` bytes and waits for the echo, `warmup` untimed round trips and
/// then `roundtrips` timed ones, whose durations in nanoseconds it writes to
/// `out_samples` (room for `roundtrips`). The Swift side summarizes them as it
/// does its own (an HdrHistogram), so both report the same statistic. Returns 0.
int cb_latency(const char *endpoint, size_t msg_size, long warmup, long roundtrips, uint64_t *out_samples);

#ifdef __cplusplus
}
#endif

#endif
