/*
 * Single-thread cost of the send and receive paths: cb_queue_costs. Filling
 * an unread inproc queue and then draining it involves no other thread, so
 * the numbers are free of the scheduling noise of the two-thread streams and
 * show what each path itself costs per message, and the allocation counts
 * are exact.
 */
#include "CBaseline.h"
#include "support.h"

#include <stdlib.h>
#include <zmq.h>

cb_queue_cost cb_queue_costs(size_t msg_size, long count, cb_allocation_counter counter) {
    cb_queue_cost cost;
    void *context = CB_CHECK_PTR(zmq_ctx_new());
    char endpoint[64];
    cb_unique_inproc(endpoint, sizeof endpoint, "queue");
    int unlimited = 0;
    void *pull = CB_CHECK_PTR(zmq_socket(context, ZMQ_PULL));
    CB_CHECK(zmq_setsockopt(pull, ZMQ_RCVHWM, &unlimited, sizeof unlimited));
    CB_CHECK(zmq_bind(pull, endpoint));
    void *push = CB_CHECK_PTR(zmq_socket(context, ZMQ_PUSH));
    CB_CHECK(zmq_setsockopt(push, ZMQ_SNDHWM, &unlimited, sizeof unlimited));
    CB_CHECK(zmq_connect(push, endpoint));

    char *buffer = cb_message_buffer(msg_size);
    unsigned long long allocations = counter();
    uint64_t start = cb_now_ns();
    for (long i = 0; i < count; i++) CB_CHECK(zmq_send(push, buffer, msg_size, 0));
    cost.send_ns = (double)(cb_now_ns() - start) / (double)count;
    cost.send_allocations = counter() - allocations;

    zmq_msg_t message;
    zmq_msg_init(&message);
    allocations = counter();
    start = cb_now_ns();
    for (long i = 0; i < count; i++) CB_CHECK(zmq_msg_recv(&message, pull, 0));
    cost.receive_ns = (double)(cb_now_ns() - start) / (double)count;
    cost.receive_allocations = counter() - allocations;

    zmq_msg_close(&message);
    free(buffer);
    CB_CHECK(zmq_close(push));
    CB_CHECK(zmq_close(pull));
    CB_CHECK(zmq_ctx_term(context));
    return cost;
}
