#ifndef C_TEST_SUPPORT_H
#define C_TEST_SUPPORT_H

#include <spawn.h>

/// The GNU extensions Swift's Glibc module does not show.

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34): the child closes
/// every descriptor from `lowest` up before it runs the program.
int ctest_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest);

/// posix_spawn_file_actions_addchdir_np (glibc 2.29): the child's working directory.
int ctest_spawn_chdir(posix_spawn_file_actions_t *actions, const char *path);

/// pipe2(fds, O_CLOEXEC): a pipe whose ends no child inherits unless it is told to.
int ctest_pipe_cloexec(int fds[2]);

#endif
