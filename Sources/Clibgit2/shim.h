#include <git2.h>

/* git_libgit2_opts is variadic, which Swift cannot call: one typed wrapper per option we set. */

/* The most memory libgit2's object cache may hold, in bytes. */
static inline int agentreview_git_set_cache_max_size(long long bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, (ssize_t)bytes);
}

/* Whether libgit2 re-hashes every object it reads. git does not: objects were verified
   when they entered the repository (a push's objects by index-pack, before any hook). */
static inline int agentreview_git_set_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}

/* The most pack data libgit2 keeps mapped at once, in bytes. */
static inline int agentreview_git_set_mwindow_mapped_limit(long long bytes) {
    return git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, (size_t)bytes);
}

/* The size of one mapped window of a pack file, in bytes. */
static inline int agentreview_git_set_mwindow_size(long long bytes) {
    return git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, (size_t)bytes);
}

/* libgit2's own git_odb_hash, where the linker's --wrap sends libgit2's calls to ours
   (AgentReviewGit/KnownBlobs.swift; only where libgit2 is linked statically). */
int __real_git_odb_hash(git_oid *out, const void *data, size_t len, git_object_t object_type);
