/*
 * outbox: the delivery worker (see outbox.h).
 *
 * One thread.  Each pass reads the due rows (a short read: the rows are
 * copied, so no read transaction stays open while a relay is slow), tries
 * each, and records the outcome through the store's writer.  Between
 * passes it sleeps on a condition variable until kicked, until the next
 * row is due, or OUTBOX_POLL seconds.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <nettle/hmac.h>

#include "app.h"
#include "mail.h"
#include "outbox.h"
#include "http.h"
#include "store.h"
#include "token.h"

extern char **environ;

#define SMTP_CONNECT_TIMEOUT	10	/* seconds */
#define SEND_TIMEOUT		60	/* seconds for one message */
/*
 * Webhooks get much less time than mail.  One worker delivers every mail
 * and webhook in turn, so an attempt on a receiver that accepts the
 * connection and never answers holds back every sign-up, reset and ticket
 * mail queued behind it for as long as the attempt lasts (it was
 * SEND_TIMEOUT, a minute per webhook row).  A receiver is expected to
 * answer at once and do its work later (GitHub gives its receivers 10 s);
 * a failed attempt is retried with backoff, so nothing is lost.
 * tests/e2e/test_faults.py checks a slow and a hanging receiver.
 */
#define WEBHOOK_CONNECT_TIMEOUT	5	/* seconds */
#define WEBHOOK_TIMEOUT		10	/* seconds for one delivery */
#define NO_TRANSPORT_DELAY	60	/* seconds between looks at mail that
					   cannot be sent for want of a relay */
#define PRUNE_EVERY		3600	/* seconds between sweeps of dead
					   sessions and tokens */
#define STORAGE_RETRY		5	/* seconds between passes while the
					   database cannot record outcomes */

/*
 * A message delivered whose row could not be marked delivered (the
 * database could not be written at that moment).  Kept in memory and
 * marked before anything else is delivered: left due in the table, it
 * would be sent again at every pass, to the same customer, as fast as
 * the worker loops.
 */
struct unmarked {
	long long	 id;
	long long	 when;
	char		*body;		/* redacted, as stored */
	struct unmarked	*next;
};

struct outbox {
	struct store		*st;
	const struct settings	*cfg;
	pthread_t		 thread;
	pthread_mutex_t		 lock;
	pthread_cond_t		 cond;	/* CLOCK_MONOTONIC */
	int			 kicked;
	int			 stopping;
	int			 warned;	/* no transport, said once */
	long long		 pruned;	/* last sweep */
	/*
	 * After a failed webhook attempt, the other webhook rows are not
	 * tried before this time (the failed row's retry): each attempt on
	 * a receiver that hangs costs this one thread WEBHOOK_TIMEOUT, and
	 * twenty queued webhooks would hold the mail behind them for
	 * minutes.  One row probes the receiver when the time comes; a
	 * delivery clears it.
	 */
	long long		 hook_wait;
	struct unmarked		*unmarked;	/* worker thread only */
};

/* A log line of this file: http_log with "outbox: " in front. */
#define logmsg(...) http_log("outbox: " __VA_ARGS__)

long
outbox_backoff(long long attempts, unsigned rnd)
{
	long	 base;

	if (attempts < 1)
		attempts = 1;
	base = attempts > 12 ? OUTBOX_BACKOFF_MAX : 1L << (attempts - 1);
	if (base > OUTBOX_BACKOFF_MAX)
		base = OUTBOX_BACKOFF_MAX;
	return base + (long)(rnd % (unsigned)(base / 4 + 1));
}

/* ---- transports ---- */

struct upload {
	const char	*data;
	size_t		 len, off;
};

static size_t
read_cb(char *buf, size_t size, size_t n, void *arg)
{
	struct upload	*u = arg;
	size_t		 want = size * n;

	if (want > u->len - u->off)
		want = u->len - u->off;
	memcpy(buf, u->data + u->off, want);
	u->off += want;
	return want;
}

static size_t
discard_cb(char *buf, size_t size, size_t n, void *arg)
{
	(void)buf;
	(void)arg;
	return size * n;
}

/* libcurl's progress callback (about once a second, more often while
 * data moves): a nonzero answer aborts the transfer.  porchd's stop must
 * not wait for a relay or receiver that hangs (outbox_stop joins this
 * thread); the row is retried at the next start. */
static int
stop_cb(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
    curl_off_t ulnow)
{
	struct outbox	*ob = arg;
	int		 stop;

	(void)dltotal;
	(void)dlnow;
	(void)ultotal;
	(void)ulnow;
	pthread_mutex_lock(&ob->lock);
	stop = ob->stopping;
	pthread_mutex_unlock(&ob->lock);
	return stop;
}

/* Sends text from env_from to rcpt through the relay at url; returns 1,
 * or 0 with a message in err (errlen bytes).  Gives up when ob stops. */
static int
send_smtp(struct outbox *ob, const char *url, const char *env_from,
    const char *rcpt, const char *text, char *err, size_t errlen)
{
	CURL		*c;
	struct curl_slist *to = NULL;
	struct upload	 u = { text, strlen(text), 0 };
	char		 from[MAIL_ADDRESS_MAX + 3];
	char		 rc_to[MAIL_ADDRESS_MAX + 3];
	char		 ebuf[CURL_ERROR_SIZE] = "";
	CURLcode	 rc;

	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "curl_easy_init failed");
		return 0;
	}
	snprintf(from, sizeof(from), "<%s>", env_from);
	snprintf(rc_to, sizeof(rc_to), "<%s>", rcpt);
	if ((to = curl_slist_append(NULL, rc_to)) == NULL) {
		curl_easy_cleanup(c);
		snprintf(err, errlen, "out of memory");
		return 0;
	}
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, to);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &u);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)u.len);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, (long)SMTP_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)SEND_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, stop_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, ob);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	rc = curl_easy_perform(c);
	curl_slist_free_all(to);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "smtp: %s", ebuf[0] ? ebuf :
		    curl_easy_strerror(rc));
		return 0;
	}
	return 1;
}

/* Pipes text (CRLF turned into LF, as local mailers expect) to
 * `PROGRAM -i -f env_from -- rcpt`; exit status 0 means accepted. */
static int
send_program(const char *prog, const char *env_from, const char *rcpt,
    const char *text, char *err, size_t errlen)
{
	posix_spawn_file_actions_t fa;
	char		*argv[] = { (char *)prog, "-i", "-f", (char *)env_from,
	    "--", (char *)rcpt, NULL };
	const char	*p;
	struct timespec	 zero = { 0, 0 };
	sigset_t	 pipeset;
	ssize_t		 n;
	size_t		 len;
	pid_t		 pid;
	int		 fds[2], status, rc, ok = 1;

	if (pipe2(fds, O_CLOEXEC) == -1) {
		snprintf(err, errlen, "pipe: %s", strerror(errno));
		return 0;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[0], 0);
	rc = posix_spawn(&pid, prog, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[0]);
	if (rc != 0) {
		close(fds[1]);
		snprintf(err, errlen, "%s: %s", prog, strerror(rc));
		return 0;
	}
	for (p = text; *p && ok; p += len) {
		len = strcspn(p, "\r");
		if (len == 0) {
			len = 1;	/* skip the CR of CRLF */
			continue;
		}
		while (len > 0) {
			n = write(fds[1], p, len);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				snprintf(err, errlen, "%s: write: %s", prog,
				    strerror(errno));
				ok = 0;
				break;
			}
			p += n;
			len -= (size_t)n;
		}
	}
	close(fds[1]);
	/* A write into a closed pipe left a SIGPIPE pending (blocked in
	 * this thread): take it. */
	sigemptyset(&pipeset);
	sigaddset(&pipeset, SIGPIPE);
	while (sigtimedwait(&pipeset, NULL, &zero) == SIGPIPE)
		;
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			snprintf(err, errlen, "waitpid: %s", strerror(errno));
			return 0;
		}
	if (ok && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		snprintf(err, errlen, "%s: exit status %d", prog,
		    WIFEXITED(status) ? WEXITSTATUS(status) : 128 +
		    WTERMSIG(status));
		ok = 0;
	}
	return ok;
}

/*
 * The signature header of a webhook: "X-Porch-Signature: sha256=HEX",
 * HEX the HMAC-SHA256 with key secret of "TIMESTAMP.BODY", the same
 * TIMESTAMP (Unix seconds) sent as X-Porch-Timestamp, so a receiver can
 * refuse old replays (docs/tickets.md).  Written to line (len bytes).
 */
static void
webhook_signature(const char *secret, const char *stamp, const char *body,
    char *line, size_t len)
{
	struct hmac_sha256_ctx ctx;
	uint8_t		 mac[SHA256_DIGEST_SIZE];
	size_t		 i, o;

	hmac_sha256_set_key(&ctx, strlen(secret), (const uint8_t *)secret);
	hmac_sha256_update(&ctx, strlen(stamp), (const uint8_t *)stamp);
	hmac_sha256_update(&ctx, 1, (const uint8_t *)".");
	hmac_sha256_update(&ctx, strlen(body), (const uint8_t *)body);
	hmac_sha256_digest(&ctx, sizeof(mac), mac);
	o = (size_t)snprintf(line, len, "X-Porch-Signature: sha256=");
	for (i = 0; i < sizeof(mac) && o + 3 <= len; i++)
		o += (size_t)snprintf(line + o, len - o, "%02x", mac[i]);
	explicit_bzero(&ctx, sizeof(ctx));
}

/* POSTs the body of webhook m to its URL, signed with secret (when not
 * NULL); a 2xx answer within WEBHOOK_TIMEOUT is delivery.  Gives up when
 * ob stops. */
static int
send_webhook(struct outbox *ob, const struct store_message *m,
    const char *secret, char *err, size_t errlen)
{
	CURL		*c;
	struct curl_slist *h = NULL, *t;
	char		 line[256], stamp[32], ebuf[CURL_ERROR_SIZE] = "";
	long		 status = 0;
	CURLcode	 rc;

	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "curl_easy_init failed");
		return 0;
	}
	snprintf(line, sizeof(line), "X-Porch-Message-Id: %s", m->message_id);
	if ((t = curl_slist_append(h, line)) != NULL)
		h = t;
	snprintf(stamp, sizeof(stamp), "%lld", (long long)time(NULL));
	snprintf(line, sizeof(line), "X-Porch-Timestamp: %s", stamp);
	if ((t = curl_slist_append(h, line)) != NULL)
		h = t;
	snprintf(line, sizeof(line), "X-Porch-Event: %s", m->subject);
	if (strpbrk(m->subject, "\r\n") == NULL &&
	    (t = curl_slist_append(h, line)) != NULL)
		h = t;
	if (secret != NULL && secret[0] != '\0') {
		webhook_signature(secret, stamp, m->body, line, sizeof(line));
		if ((t = curl_slist_append(h, line)) != NULL)
			h = t;
		explicit_bzero(line, sizeof(line));
	}
	if ((t = curl_slist_append(h, "Content-Type: application/json")) != NULL)
		h = t;
	curl_easy_setopt(c, CURLOPT_URL, m->recipient);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, m->body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard_cb);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT,
	    (long)WEBHOOK_CONNECT_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, (long)WEBHOOK_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, stop_cb);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, ob);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	rc = curl_easy_perform(c);
	if (rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		snprintf(err, errlen, "webhook: %s", ebuf[0] ? ebuf :
		    curl_easy_strerror(rc));
		return 0;
	}
	if (status < 200 || status > 299) {
		snprintf(err, errlen, "webhook: HTTP status %ld", status);
		return 0;
	}
	return 1;
}

/* Tries to deliver m; 1 on success, 0 with err set, -1 when mail cannot
 * be sent at all for want of a transport. */
static int
deliver(struct outbox *ob, const struct store_message *m, char *err,
    size_t errlen)
{
	const char	*why;
	char		*text, *env_from = NULL;
	int		 ok;

	if (strcmp(m->kind, "webhook") == 0)
		return send_webhook(ob, m, ob->cfg->webhook_secret, err,
		    errlen);
	if (ob->cfg->smtp_url == NULL && ob->cfg->sendmail == NULL) {
		snprintf(err, errlen, "no smtp_url or sendmail configured");
		return -1;
	}
	if ((text = mail_compose(m, ob->cfg->mail_from, &env_from,
	    &why)) == NULL) {
		snprintf(err, errlen, "%s", why);
		return 0;
	}
	if (ob->cfg->smtp_url)
		ok = send_smtp(ob, ob->cfg->smtp_url, env_from, m->recipient,
		    text, err, errlen);
	else
		ok = send_program(ob->cfg->sendmail, env_from, m->recipient,
		    text, err, errlen);
	free(text);
	free(env_from);
	return ok;
}

/* Marks the rows remembered as delivered but not marked; 1 when none is
 * left, 0 when the database still cannot take it. */
static int
mark_unmarked(struct outbox *ob)
{
	struct unmarked	*u;

	while ((u = ob->unmarked) != NULL) {
		if (store_outbox_delivered(ob->st, u->id, u->when, u->body) !=
		    STORE_OK)
			return 0;
		ob->unmarked = u->next;
		free(u->body);
		free(u);
	}
	return 1;
}

/* Records that row id was delivered at when: in the table, or, when the
 * database cannot take it now, in memory until it can.  Returns 1 when
 * the table has it. */
static int
mark_delivered(struct outbox *ob, const struct store_message *m,
    long long when)
{
	struct unmarked	*u;
	char		*redacted;

	redacted = mail_redact(m->body);
	if (store_outbox_delivered(ob->st, m->id, when, redacted) ==
	    STORE_OK) {
		free(redacted);
		return 1;
	}
	if ((u = calloc(1, sizeof(*u))) == NULL) {
		logmsg("%s: sent, but not marked delivered (may be sent "
		    "again)", m->message_id);
		free(redacted);
		return 0;
	}
	logmsg("%s: sent; marked delivered once the database can be "
	    "written", m->message_id);
	u->id = m->id;
	u->when = when;
	u->body = redacted;
	u->next = ob->unmarked;
	ob->unmarked = u;
	return 0;
}

/* Records a failed attempt on m (err); next try at next.  Returns 1 when
 * recorded. */
static int
mark_failed(struct outbox *ob, const struct store_message *m,
    long long next, const char *err)
{
	return store_outbox_retry(ob->st, m->id, next, err) == STORE_OK;
}

/* Tries message m once and records the outcome.  Returns 1 when the
 * outcome is recorded, 0 when the database could not take it. */
static int
attempt(struct outbox *ob, const struct store_message *m)
{
	char		 err[512];
	unsigned	 rnd;
	long long	 now;
	int		 ok, hook;

	err[0] = '\0';
	hook = strcmp(m->kind, "webhook") == 0;
	if (hook && (long long)time(NULL) < ob->hook_wait)
		return mark_failed(ob, m, ob->hook_wait, "not tried: the "
		    "webhook receiver failed the attempt before");
	ok = deliver(ob, m, err, sizeof(err));
	now = (long long)time(NULL);
	if (hook)
		ob->hook_wait = 0;
	if (ok == 1)
		return mark_delivered(ob, m, now);
	if (ok < 0) {
		if (!ob->warned)
			logmsg("mail waits: %s", err);
		ob->warned = 1;
		now += NO_TRANSPORT_DELAY;
	} else {
		if (!token_random(&rnd, sizeof(rnd)))
			rnd = 0;
		now += outbox_backoff(m->attempts + 1, rnd);
		logmsg("%s to %s: attempt %lld failed: %s", m->message_id,
		    m->kind, m->attempts + 1, err);
		if (hook)
			ob->hook_wait = now;
	}
	return mark_failed(ob, m, now, err);
}

/*
 * Delivers every due row; returns when none is due or on stop (1), or
 * when the database cannot record outcomes (0): nothing more is sent
 * then, since a message whose outcome cannot be recorded would be sent
 * again and again.
 */
static int
pass(struct outbox *ob)
{
	struct store_message msgs[OUTBOX_BATCH];
	int		 n, i, stop, recorded = 1;

	if (!store_writable(ob->st, NULL, 0) || !mark_unmarked(ob))
		return 0;
	for (;;) {
		if (store_outbox_due(ob->st, (long long)time(NULL),
		    OUTBOX_BATCH, msgs, &n) != STORE_OK)
			return 1;
		for (i = 0; i < n; i++) {
			pthread_mutex_lock(&ob->lock);
			stop = ob->stopping;
			pthread_mutex_unlock(&ob->lock);
			if (!stop && recorded)
				recorded = attempt(ob, &msgs[i]);
			store_message_free(&msgs[i]);
		}
		if (!recorded)
			return 0;
		pthread_mutex_lock(&ob->lock);
		stop = ob->stopping;
		pthread_mutex_unlock(&ob->lock);
		if (stop || n < OUTBOX_BATCH)
			return 1;
	}
}

/* Hourly housekeeping on this otherwise idle thread: sessions past their
 * end and expired tokens go (logins also drop the account's own). */
static void
sweep(struct outbox *ob)
{
	long long	 now = (long long)time(NULL), s = 0, t = 0;
	long		 idle = ob->cfg->session_idle > 0 ?
			    ob->cfg->session_idle : 7L * 24 * 3600;

	if (now - ob->pruned < PRUNE_EVERY)
		return;
	ob->pruned = now;
	if (store_prune(ob->st, now, now - idle, &s, &t) == STORE_OK &&
	    (s || t))
		logmsg("swept %lld dead session%s and %lld expired token%s",
		    s, s == 1 ? "" : "s", t, t == 1 ? "" : "s");
}

static void *
worker(void *arg)
{
	struct outbox	*ob = arg;
	struct timespec	 deadline;
	sigset_t	 set;
	long long	 when, wait;

	/* SIGPIPE from a sendmail that quit early is handled where it
	 * happens (send_program), never by the process. */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	for (;;) {
		if (pass(ob)) {
			sweep(ob);
			wait = OUTBOX_POLL;
			if (store_outbox_next(ob->st, &when) == STORE_OK &&
			    when - (long long)time(NULL) < wait)
				wait = when - (long long)time(NULL);
		} else
			wait = STORAGE_RETRY;
		pthread_mutex_lock(&ob->lock);
		if (!ob->kicked && !ob->stopping && wait > 0) {
			clock_gettime(CLOCK_MONOTONIC, &deadline);
			deadline.tv_sec += (time_t)wait;
			while (!ob->kicked && !ob->stopping &&
			    pthread_cond_timedwait(&ob->cond, &ob->lock,
			    &deadline) != ETIMEDOUT)
				;
		}
		ob->kicked = 0;
		if (ob->stopping) {
			pthread_mutex_unlock(&ob->lock);
			break;
		}
		pthread_mutex_unlock(&ob->lock);
	}
	return NULL;
}

void
outbox_kick(struct outbox *ob)
{
	pthread_mutex_lock(&ob->lock);
	ob->kicked = 1;
	pthread_cond_signal(&ob->cond);
	pthread_mutex_unlock(&ob->lock);
}

static void
kick_hook(void *arg)
{
	outbox_kick(arg);
}

struct outbox *
outbox_start(struct store *st, const struct settings *cfg, char **err)
{
	struct outbox	*ob;
	pthread_condattr_t attr;
	int		 rc;

	*err = NULL;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		*err = strdup("outbox: curl_global_init failed");
		return NULL;
	}
	if ((ob = calloc(1, sizeof(*ob))) == NULL) {
		*err = strdup("outbox: out of memory");
		return NULL;
	}
	ob->st = st;
	ob->cfg = cfg;
	pthread_mutex_init(&ob->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&ob->cond, &attr);
	pthread_condattr_destroy(&attr);
	if (cfg->smtp_url == NULL && cfg->sendmail == NULL)
		logmsg("neither smtp_url nor sendmail is set: mails wait in "
		    "the outbox until one is");
	if ((rc = pthread_create(&ob->thread, NULL, worker, ob)) != 0) {
		if (asprintf(err, "outbox: cannot start: %s",
		    strerror(rc)) < 0)
			*err = NULL;
		pthread_mutex_destroy(&ob->lock);
		pthread_cond_destroy(&ob->cond);
		free(ob);
		return NULL;
	}
	store_on_outbox(st, kick_hook, ob);
	return ob;
}

void
outbox_stop(struct outbox *ob)
{
	struct unmarked	*u;

	if (ob == NULL)
		return;
	store_on_outbox(ob->st, NULL, NULL);
	pthread_mutex_lock(&ob->lock);
	ob->stopping = 1;
	pthread_cond_signal(&ob->cond);
	pthread_mutex_unlock(&ob->lock);
	pthread_join(ob->thread, NULL);
	while ((u = ob->unmarked) != NULL) {
		logmsg("stopping: row %lld was sent but is not marked "
		    "delivered (it will be sent again)", u->id);
		ob->unmarked = u->next;
		free(u->body);
		free(u);
	}
	pthread_mutex_destroy(&ob->lock);
	pthread_cond_destroy(&ob->cond);
	free(ob);
	curl_global_cleanup();
}
