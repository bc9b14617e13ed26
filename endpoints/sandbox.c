/*
 * sandbox: privilege drop and the seccomp filter of `porchd serve`
 * (sandbox.h).  In the manner of kcgi's sandbox-seccomp-filter.c and
 * OpenSSH's sandbox: one table of allowed system calls, each with the
 * reason it is there, and the rest kill the process.
 *
 * The order in main.c matters: settings, then everything that needs root
 * or opens state (the database and its -wal/-shm, the listening socket,
 * libcurl's initialisation, the catalog), then sandbox_enter.  Files that
 * porchd opens later (static files, catalog.json on SIGHUP, attachments,
 * SQLite's journals) are opened as the unprivileged user.
 */
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <seccomp.h>

#include "http.h"
#include "sandbox.h"

/* Sanitizer runtimes make system calls of their own (ptrace-free stack
 * walking, mmap of shadow memory, reading /proc/self/maps, ...): under
 * them the filter is skipped, with a log line. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define SANDBOX_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define SANDBOX_SANITIZER 1
#endif
#endif
#ifndef SANDBOX_SANITIZER
#define SANDBOX_SANITIZER 0
#endif

/*
 * The system calls porchd makes once it serves, by what needs them.  A
 * name this architecture lacks is skipped.  Found by reading the code and
 * checked with strace over the e2e suites (docs/SECURITY.md).
 */
static const char *const allowed[] = {
	/* file I/O: static files (openat2 with RESOLVE_BENEATH keeps a
	 * path inside the site), catalog.json on SIGHUP, SQLite (the
	 * database, -wal, -shm; fcntl locks; readlink, lstat and getcwd to
	 * resolve its path; fchmod of a new journal), attachments
	 * (mkdirat, renameat, unlinkat, fsync), /etc files getaddrinfo
	 * reads */
	"read", "write", "readv", "writev", "pread64", "pwrite64",
	"openat", "openat2", "close", "lseek", "fstat", "newfstatat",
	"lstat", "statx", "access", "faccessat", "faccessat2", "readlink",
	"readlinkat", "getcwd", "getdents64", "fcntl", "ftruncate",
	"fsync", "fdatasync", "unlink", "unlinkat", "renameat",
	"renameat2", "mkdir", "mkdirat", "fchmod", "fchown",
	/* memory: malloc, SQLite's WAL index (mmap of -shm), thread
	 * stacks, argon2's memory-hard buffers */
	"brk", "mmap", "munmap", "mremap", "mprotect", "madvise",
	/* threads: libmicrohttpd's thread per connection, the outbox
	 * worker, argon2, libcurl's threaded resolver */
	"clone", "clone3", "futex", "set_robust_list", "rseq",
	"set_tid_address", "gettid", "getpid", "sched_yield",
	"sched_getaffinity", "exit", "exit_group", "restart_syscall",
	/* signals: sigwait on SIGTERM, SIGHUP and SIGINT; SIGPIPE and
	 * SIGXFSZ ignored; pthread_kill and raise (tgkill), kill of self */
	"rt_sigaction", "rt_sigprocmask", "rt_sigreturn",
	"rt_sigtimedwait", "tgkill", "kill",
	/* time (mostly the vDSO; these are its fallbacks) and SQLite's
	 * busy sleeps */
	"clock_gettime", "clock_getres", "clock_nanosleep", "nanosleep",
	"gettimeofday", "time",
	/* network: accepting connections (accept4, poll, shutdown,
	 * sendfile for static files), libcurl's SMTP and webhook
	 * connections (socket, connect, get/setsockopt, socketpair and
	 * eventfd2 to wake its threads), DNS through getaddrinfo (sendmmsg
	 * for A and AAAA at once) */
	"socket", "connect", "accept4", "getsockopt", "setsockopt",
	"getsockname", "getpeername", "sendto", "recvfrom", "sendmsg",
	"recvmsg", "sendmmsg", "shutdown", "socketpair", "sendfile",
	"pipe2", "eventfd2", "poll", "ppoll", "ioctl",
	/* randomness: session tokens, message ids, argon2 salts */
	"getrandom",
	/* identity and limits: SQLite asks geteuid; glibc's sysconf */
	"getuid", "geteuid", "getgid", "getegid", "uname", "sysinfo",
	"getrlimit", "prlimit64", "prctl",
	NULL
};

/* 1 when we run as root. */
static int
is_root(void)
{
	return geteuid() == 0;
}

/* The user name porchd should run as when root, or NULL: --user, else
 * SANDBOX_DEFAULT_USER when that user exists. */
static const char *
target_user(const struct settings *cfg)
{
	if (cfg->user != NULL && cfg->user[0] != '\0')
		return cfg->user;
	if (getpwnam(SANDBOX_DEFAULT_USER) != NULL)
		return SANDBOX_DEFAULT_USER;
	return NULL;
}

int
sandbox_check(const struct settings *cfg, char *err, size_t errlen)
{
	struct passwd	*pw;
	const char	*name;

	if (!is_root()) {
		if (cfg->user == NULL || cfg->user[0] == '\0')
			return 1;
		if ((pw = getpwnam(cfg->user)) == NULL) {
			snprintf(err, errlen, "--user %s: no such user",
			    cfg->user);
			return 0;
		}
		if (pw->pw_uid != geteuid()) {
			snprintf(err, errlen, "--user %s: only root can "
			    "change to another user", cfg->user);
			return 0;
		}
		return 1;
	}
	if ((name = target_user(cfg)) == NULL) {
		snprintf(err, errlen, "refusing to run as root: give --user "
		    "NAME (or create the user '%s'); porchd drops to it once "
		    "its socket and database are open", SANDBOX_DEFAULT_USER);
		return 0;
	}
	if ((pw = getpwnam(name)) == NULL) {
		snprintf(err, errlen, "--user %s: no such user", name);
		return 0;
	}
	if (pw->pw_uid == 0 && strcmp(name, "root") != 0) {
		snprintf(err, errlen, "--user %s: has uid 0", name);
		return 0;
	}
	return 1;
}

static uid_t	 chown_uid;
static gid_t	 chown_gid;

/* nftw callback: gives one file of the attachments tree to the user. */
static int
chown_one(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	(void)st;
	(void)f;
	if (flag != FTW_SL && lchown(path, chown_uid, chown_gid) == -1)
		http_log("sandbox: chown %s: %s", path, strerror(errno));
	return 0;
}

/*
 * 1 when every entry of folder dir is one of porchd's files: the
 * database base (and base-wal, base-shm, base-journal) or the folder
 * named other (may be NULL).  Such a folder is porchd's own (make run's
 * var/, a StateDirectory) and may be given to the user; a shared one
 * (/var/lib) never is.
 */
static int
own_folder(const char *dir, const char *base, const char *other)
{
	DIR		*d;
	struct dirent	*e;
	size_t		 bl = strlen(base);
	int		 ok = 1;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (strncmp(e->d_name, base, bl) == 0 &&
		    (e->d_name[bl] == '\0' || e->d_name[bl] == '-'))
			continue;
		if (other != NULL && strcmp(e->d_name, other) == 0)
			continue;
		ok = 0;
		break;
	}
	closedir(d);
	return ok;
}

/*
 * Gives the state porchd writes to uid/gid: the database file and its
 * SQLite companions, its folder when that holds nothing else, and the
 * attachments folder.  They were opened (or made) as root a moment ago.
 */
static void
give_state(const struct settings *cfg, uid_t uid, gid_t gid)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char		 path[PATH_MAX], dir[PATH_MAX], *slash;
	const char	*base, *att = NULL;
	struct stat	 st;
	size_t		 i, dl;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		snprintf(path, sizeof(path), "%s%s", cfg->db, sfx[i]);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) &&
		    chown(path, uid, gid) == -1)
			http_log("sandbox: chown %s: %s", path,
			    strerror(errno));
	}
	snprintf(dir, sizeof(dir), "%s", cfg->db);
	if ((slash = strrchr(dir, '/')) == NULL) {
		snprintf(dir, sizeof(dir), ".");
		base = cfg->db;
	} else {
		*slash = '\0';
		base = slash + 1;
		if (dir[0] == '\0')
			snprintf(dir, sizeof(dir), "/");
	}
	/* the attachments folder, when it lies directly in dir */
	dl = strlen(dir);
	if (cfg->attachments_dir != NULL) {
		if (strncmp(cfg->attachments_dir, dir, dl) == 0 &&
		    cfg->attachments_dir[dl] == '/' &&
		    strchr(cfg->attachments_dir + dl + 1, '/') == NULL)
			att = cfg->attachments_dir + dl + 1;
		else if (strcmp(dir, ".") == 0 &&
		    strchr(cfg->attachments_dir, '/') == NULL)
			att = cfg->attachments_dir;
	}
	if (strcmp(dir, "/") != 0 && strcmp(dir, ".") != 0 &&
	    lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == 0 && own_folder(dir, base, att)) {
		if (chown(dir, uid, gid) == -1)
			http_log("sandbox: chown %s: %s", dir,
			    strerror(errno));
	} else if (lstat(dir, &st) == 0 && st.st_uid != uid &&
	    !(st.st_mode & S_IWOTH))
		http_log("warning: %s is not writable by the user porchd runs "
		    "as: SQLite cannot remove its -wal file there", dir);
	if (cfg->attachments_dir != NULL &&
	    lstat(cfg->attachments_dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		chown_uid = uid;
		chown_gid = gid;
		nftw(cfg->attachments_dir, chown_one, 16, FTW_PHYS);
	}
}

/* Becomes user name for good; 1, or 0 with err. */
static int
drop_to(const struct settings *cfg, const char *name, char *err,
    size_t errlen)
{
	struct passwd	*pw;
	uid_t		 uid;
	gid_t		 gid;

	if ((pw = getpwnam(name)) == NULL) {
		snprintf(err, errlen, "--user %s: no such user", name);
		return 0;
	}
	uid = pw->pw_uid;
	gid = pw->pw_gid;
	if (uid == 0) {
		http_log("warning: --user %s: staying root", name);
		return 1;
	}
	give_state(cfg, uid, gid);
	/* glibc applies these to every thread of the process */
	if (setgroups(1, &gid) == -1 || setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1) {
		snprintf(err, errlen, "cannot become %s: %s", name,
		    strerror(errno));
		return 0;
	}
	/* and never back */
	if (setuid(0) != -1 || seteuid(0) != -1 || setgid(0) != -1 ||
	    getuid() != uid || geteuid() != uid || getegid() != gid) {
		snprintf(err, errlen, "could regain root after dropping to "
		    "%s", name);
		return 0;
	}
	/* LeakSanitizer stops the world with ptrace, which a process that
	 * changed uid (no longer dumpable) refuses: only for those builds */
	if (SANDBOX_SANITIZER)
		(void)prctl(PR_SET_DUMPABLE, 1);
	http_log("running as %s (uid %u, gid %u)", name, (unsigned)uid,
	    (unsigned)gid);
	return 1;
}

/* Loads the filter for every thread; 1, or 0 with err. */
static int
load_filter(char *err, size_t errlen)
{
	scmp_filter_ctx	 ctx;
	size_t		 i, n = 0;
	int		 nr, rc;

	if ((ctx = seccomp_init(SCMP_ACT_KILL_PROCESS)) == NULL) {
		snprintf(err, errlen, "seccomp_init failed");
		return 0;
	}
	/* the kernel logs every call the filter kills (audit, dmesg);
	 * all threads get the filter, and no new privileges ever */
	if (seccomp_attr_set(ctx, SCMP_FLTATR_CTL_LOG, 1) != 0)
		http_log("sandbox: the kernel will not log killed calls");
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1)) != 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 1)) != 0)
		goto fail;
	for (i = 0; allowed[i] != NULL; i++) {
		if ((nr = seccomp_syscall_resolve_name(allowed[i])) ==
		    __NR_SCMP_ERROR)
			continue;
		if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) != 0)
			goto fail;
		n++;
	}
	if ((rc = seccomp_load(ctx)) != 0)
		goto fail;
	seccomp_release(ctx);
	http_log("seccomp filter on: %zu system calls allowed", n);
	return 1;
fail:
	snprintf(err, errlen, "cannot install the seccomp filter: %s",
	    strerror(-rc));
	seccomp_release(ctx);
	return 0;
}

int
sandbox_enter(const struct settings *cfg, char *err, size_t errlen)
{
	const char	*name;

	if (is_root()) {
		if ((name = target_user(cfg)) == NULL) {
			snprintf(err, errlen, "refusing to run as root");
			return 0;
		}
		if (!drop_to(cfg, name, err, errlen))
			return 0;
	}
	if (!cfg->seccomp) {
		http_log("seccomp filter off (--no-seccomp)");
		return 1;
	}
	if (cfg->sendmail != NULL) {
		/* the mail program would inherit the filter and no new
		 * privileges (Postfix's sendmail is setgid) */
		http_log("seccomp filter off: --sendmail runs a program");
		return 1;
	}
	if (SANDBOX_SANITIZER) {
		http_log("seccomp filter off: sanitizer build");
		return 1;
	}
	return load_filter(err, errlen);
}
