/*
 * REQ/REP round-trip latency: cb_latency. REP binds and echoes every request
 * back with zmq_msg_recv/zmq_msg_send on one reused zmq_msg_t; REQ connects,
 * sends from one reused buffer with zmq_send and receives the echo into one
 * reused zmq_msg_t, timing each round trip with cb_now_ns.
 */
#include "CBaseline.h"
#include "support.h"

#include <stdlib.h>
#include <zmq.h>

/// Everything both threads of one latency run share.
typedef struct {
    void *context;
    const char *endpoint;
    size_t size;
    long warmup;
    long roundtrips;
    cb_handoff handoff;
    uint64_t *samples; /* roundtrips nanosecond durations, filled by the requester */
} latency_run;

static void *replier_main(void *argument) {
    latency_run *run = argument;
    void *socket = CB_CHECK_PTR(zmq_socket(run->context, ZMQ_REP));
    cb_bind_and_publish(socket, run->endpoint, &run->handoff);
    zmq_msg_t message;
    zmq_msg_init(&message);
    for (long i = 0; i < run->warmup + run->roundtrips; i++) {
        CB_CHECK(zmq_msg_recv(&message, socket, 0));
        CB_CHECK(zmq_msg_send(&message, socket, 0));
    }
    zmq_msg_close(&message);
    CB_CHECK(zmq_close(socket));
    return NULL;
}

static void *requester_main(void *argument) {
    latency_run *run = argument;
    void *socket = CB_CHECK_PTR(zmq_socket(run->context, ZMQ_REQ));
    CB_CHECK(zmq_connect(socket, cb_handoff_wait(&run->handoff)));
    char *buffer = cb_message_buffer(run->size);
    zmq_msg_t reply;
    zmq_msg_init(&reply);
    for (long i = 0; i < run->warmup; i++) {
        CB_CHECK(zmq_send(socket, buffer, run->size, 0));
        CB_CHECK(zmq_msg_recv(&reply, socket, 0));
    }
    for (long i = 0; i < run->roundtrips; i++) {
        uint64_t start = cb_now_ns();
        CB_CHECK(zmq_send(socket, buffer, run->size, 0));
        CB_CHECK(zmq_msg_recv(&reply, socket, 0));
        run->samples[i] = cb_now_ns() - start;
    }
    zmq_msg_close(&reply);
    free(buffer);
    CB_CHECK(zmq_close(socket));
    return NULL;
}

int cb_latency(const char *endpoint, size_t msg_size, long warmup, long roundtrips, uint64_t *out_samples) {
    latency_run run = {.endpoint = endpoint, .size = msg_size, .warmup = warmup, .roundtrips = roundtrips};
    run.samples = out_samples;
    run.context = CB_CHECK_PTR(zmq_ctx_new());
    cb_handoff_init(&run.handoff);
    cb_run_pair(replier_main, requester_main, &run);
    cb_handoff_destroy(&run.handoff);
    CB_CHECK(zmq_ctx_term(run.context));
    return 0;
}
