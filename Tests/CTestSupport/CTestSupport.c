// The C the tests need that Swift cannot reach: GNU extensions for spawning
// children, and the open-file limit raised as the test process loads.
#define _GNU_SOURCE
#include "CTestSupport.h"

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

int ctest_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
}

int ctest_spawn_chdir(posix_spawn_file_actions_t *actions, const char *path) {
    return posix_spawn_file_actions_addchdir_np(actions, path);
}

int ctest_pipe_cloexec(int fds[2]) {
    return pipe2(fds, O_CLOEXEC);
}

// Swift Testing runs every test at once, each with a ZeroMQ context of its
// own (about five descriptors: two epoll instances and three eventfds) and an
// eventfd per socket; one test holds 1,000 sockets to show that waiting costs
// no thread. The process then peaks at about 1,500 descriptors, over a soft
// limit of 1,024 that many machines start with. A server raises its soft limit
// to the hard one, which needs no privilege; the test process does the same
// before any test starts (`TestSupport.openFileLimit` reads the result).
__attribute__((constructor)) static void ctest_raise_open_file_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
    rlim_t wanted = limit.rlim_max;
    if (wanted == RLIM_INFINITY || wanted > 65536) wanted = 65536;
    if (limit.rlim_cur >= wanted) return;
    limit.rlim_cur = wanted;
    (void)setrlimit(RLIMIT_NOFILE, &limit);
}
