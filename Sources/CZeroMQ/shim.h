#ifndef CZEROMQ_SHIM_H
#define CZEROMQ_SHIM_H

#include <zmq.h>
#include <errno.h>

/* errno is a macro in C; Swift reads it through this function. */
static inline int czmq_errno(void) { return errno; }

#endif
