#include <spawn.h>

/* posix_spawn's file actions that glibc declares only under _GNU_SOURCE, which Swift's
   Glibc module is built without. Declared here as glibc defines them (2.29 and 2.34), so
   AgentReviewSupport/Subprocess.swift can start a program in another directory with none of
   this process's other descriptors open. macOS's <spawn.h> declares the first itself, and
   closes the rest with POSIX_SPAWN_CLOEXEC_DEFAULT. */
#if defined(__linux__)
/* The child changes to `path` before it runs the program. */
extern int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *actions, const char *path);

/* The child closes every descriptor from `from` on. */
extern int posix_spawn_file_actions_addclosefrom_np(posix_spawn_file_actions_t *actions, int from);
#endif
