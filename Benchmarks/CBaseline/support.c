/* Error checks, the endpoint handoff and thread launching for the C baseline. */
#include "support.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

void cb_check(int ok, const char *what, const char *file, int line) {
    if (ok) return;
    fprintf(stderr, "%s:%d: %s failed: %s\n", file, line, what, zmq_strerror(zmq_errno()));
    abort();
}

void *cb_check_ptr(void *pointer, const char *what, const char *file, int line) {
    cb_check(pointer != NULL, what, file, line);
    return pointer;
}

void cb_handoff_init(cb_handoff *handoff) {
    pthread_mutex_init(&handoff->lock, NULL);
    pthread_cond_init(&handoff->ready, NULL);
    handoff->published = 0;
    handoff->endpoint[0] = '\0';
}

void cb_handoff_destroy(cb_handoff *handoff) {
    pthread_cond_destroy(&handoff->ready);
    pthread_mutex_destroy(&handoff->lock);
}

void cb_handoff_publish(cb_handoff *handoff, const char *endpoint) {
    pthread_mutex_lock(&handoff->lock);
    snprintf(handoff->endpoint, sizeof handoff->endpoint, "%s", endpoint);
    handoff->published = 1;
    pthread_cond_signal(&handoff->ready);
    pthread_mutex_unlock(&handoff->lock);
}

const char *cb_handoff_wait(cb_handoff *handoff) {
    pthread_mutex_lock(&handoff->lock);
    while (!handoff->published) pthread_cond_wait(&handoff->ready, &handoff->lock);
    pthread_mutex_unlock(&handoff->lock);
    return handoff->endpoint;
}

void cb_bind_and_publish(void *socket, const char *endpoint, cb_handoff *handoff) {
    CB_CHECK(zmq_bind(socket, endpoint));
    char bound[256];
    size_t length = sizeof bound;
    CB_CHECK(zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, bound, &length));
    cb_handoff_publish(handoff, bound);
}

char *cb_message_buffer(size_t size) {
    void *buffer = NULL;
    if (posix_memalign(&buffer, 64, size > 0 ? size : 1) != 0) {
        fprintf(stderr, "posix_memalign(%zu) failed\n", size);
        abort();
    }
    memset(buffer, 'x', size);
    return buffer;
}

void cb_unique_inproc(char *out, size_t capacity, const char *prefix) {
    static atomic_long next = 0;
    snprintf(out, capacity, "inproc://cb-%s-%ld", prefix, atomic_fetch_add(&next, 1));
}

void cb_run_pair(void *(*first)(void *), void *(*second)(void *), void *argument) {
    pthread_t threads[2];
    if (pthread_create(&threads[0], NULL, first, argument) != 0 ||
        pthread_create(&threads[1], NULL, second, argument) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        abort();
    }
    pthread_join(threads[0], NULL);
    pthread_join(threads[1], NULL);
}
