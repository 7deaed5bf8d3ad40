/*
 * One-way stream scenarios (PUSH/PULL, PUB/SUB): cb_throughput and
 * cb_allocations. See CBaseline.h for what is measured.
 *
 * Protocol, identical on the Swift side:
 *   1. The receiver binds the data socket and an inproc PAIR side channel,
 *      then hands the data endpoint to the sender.
 *   2. The sender sends an empty message, then waits up to 1 ms for an
 *      acknowledgement on the side channel, and repeats until one arrives
 *      (PUB drops messages until the subscription has reached it).
 *   3. The receiver acknowledges the first empty message and skips the rest.
 *   4. The sender sends `warmup + count` real (non-empty) messages.
 *   5. The receiver receives the warm-up messages, then the first counted
 *      message, starts the clock, receives the other count - 1, stops it.
 */
#include "CBaseline.h"
#include "support.h"

#include <stdlib.h>
#include <zmq.h>

/// Everything both threads of one stream run share.
typedef struct {
    void *context;
    int pattern;
    const char *endpoint;
    char side_channel[64];
    size_t size;
    long warmup;
    long count;
    cb_allocation_counter counter; /* NULL: don't count */
    cb_handoff handoff;
    /* Results. */
    uint64_t elapsed_ns;
    unsigned long long send_allocations;
    unsigned long long receive_allocations;
} stream_run;

static unsigned long long read_counter(cb_allocation_counter counter) { return counter ? counter() : 0; }

static void *receiver_main(void *argument) {
    stream_run *run = argument;
    void *socket = CB_CHECK_PTR(zmq_socket(run->context, run->pattern == CB_PUB_SUB ? ZMQ_SUB : ZMQ_PULL));
    int unlimited = 0;
    CB_CHECK(zmq_setsockopt(socket, ZMQ_RCVHWM, &unlimited, sizeof unlimited));
    if (run->pattern == CB_PUB_SUB) CB_CHECK(zmq_setsockopt(socket, ZMQ_SUBSCRIBE, "", 0));
    void *side = CB_CHECK_PTR(zmq_socket(run->context, ZMQ_PAIR));
    CB_CHECK(zmq_bind(side, run->side_channel));
    cb_bind_and_publish(socket, run->endpoint, &run->handoff);

    zmq_msg_t message;
    zmq_msg_init(&message);
    CB_CHECK(zmq_msg_recv(&message, socket, 0));
    CB_CHECK(zmq_send(side, "", 0, 0));
    while (zmq_msg_size(&message) == 0) CB_CHECK(zmq_msg_recv(&message, socket, 0));

    for (long i = 0; i < run->warmup; i++) CB_CHECK(zmq_msg_recv(&message, socket, 0));
    uint64_t start = cb_now_ns();
    unsigned long long allocations = read_counter(run->counter);
    for (long i = 1; i < run->count; i++) CB_CHECK(zmq_msg_recv(&message, socket, 0));
    run->receive_allocations = read_counter(run->counter) - allocations;
    run->elapsed_ns = cb_now_ns() - start;

    zmq_msg_close(&message);
    CB_CHECK(zmq_close(side));
    CB_CHECK(zmq_close(socket));
    return NULL;
}

static void *sender_main(void *argument) {
    stream_run *run = argument;
    void *socket = CB_CHECK_PTR(zmq_socket(run->context, run->pattern == CB_PUB_SUB ? ZMQ_PUB : ZMQ_PUSH));
    int unlimited = 0;
    CB_CHECK(zmq_setsockopt(socket, ZMQ_SNDHWM, &unlimited, sizeof unlimited));
    CB_CHECK(zmq_connect(socket, cb_handoff_wait(&run->handoff)));
    void *side = CB_CHECK_PTR(zmq_socket(run->context, ZMQ_PAIR));
    int one_ms = 1;
    CB_CHECK(zmq_setsockopt(side, ZMQ_RCVTIMEO, &one_ms, sizeof one_ms));
    CB_CHECK(zmq_connect(side, run->side_channel));

    char *buffer = cb_message_buffer(run->size);
    for (;;) {
        CB_CHECK(zmq_send(socket, buffer, 0, 0));
        char ack;
        if (zmq_recv(side, &ack, sizeof ack, 0) >= 0) break;
        cb_check(zmq_errno() == EAGAIN, "zmq_recv(side channel)", __FILE__, __LINE__);
    }

    for (long i = 0; i < run->warmup; i++) CB_CHECK(zmq_send(socket, buffer, run->size, 0));
    unsigned long long allocations = read_counter(run->counter);
    for (long i = 0; i < run->count; i++) CB_CHECK(zmq_send(socket, buffer, run->size, 0));
    run->send_allocations = read_counter(run->counter) - allocations;

    free(buffer);
    CB_CHECK(zmq_close(side));
    CB_CHECK(zmq_close(socket));
    return NULL;
}

/// Runs one stream on a fresh context and fills in the results of `run`.
static void run_stream(stream_run *run) {
    run->context = CB_CHECK_PTR(zmq_ctx_new());
    cb_unique_inproc(run->side_channel, sizeof run->side_channel, "side");
    cb_handoff_init(&run->handoff);
    cb_run_pair(receiver_main, sender_main, run);
    cb_handoff_destroy(&run->handoff);
    CB_CHECK(zmq_ctx_term(run->context));
}

double cb_throughput(int socket_pattern, const char *endpoint, size_t msg_size, long count) {
    stream_run run = {.pattern = socket_pattern, .endpoint = endpoint, .size = msg_size, .count = count};
    run_stream(&run);
    return (double)(count - 1) * 1e9 / (double)run.elapsed_ns;
}

void cb_allocations(int socket_pattern, const char *endpoint, size_t msg_size, long warmup, long count,
                    cb_allocation_counter counter, unsigned long long *out_send_allocations,
                    unsigned long long *out_receive_allocations) {
    stream_run run = {
        .pattern = socket_pattern,
        .endpoint = endpoint,
        .size = msg_size,
        .warmup = warmup,
        .count = count,
        .counter = counter,
    };
    run_stream(&run);
    *out_send_allocations = run.send_allocations;
    *out_receive_allocations = run.receive_allocations;
}
