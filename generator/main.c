/*
 * porch: the help-site generator.  Only this file parses the command line
 * and decides exit statuses; everything else reports through diag.
 */
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "build.h"
#include "init.h"
#include "serve.h"
#include "xalloc.h"

#define EXIT_USAGE	2

struct command {
	const char	*name;
	const char	*summary;
	const char	*help;
	int		(*run)(int, char **);
};

static int	cmd_build(int, char **);
static int	cmd_check(int, char **);
static int	cmd_init(int, char **);
static int	cmd_serve(int, char **);
static int	cmd_version(int, char **);
static int	cmd_help(int, char **);

static const struct command commands[] = {
	{ "build", "render the site into a folder",
"NAME\n"
"    porch build - render a help site into a static folder\n"
"\n"
"SYNOPSIS\n"
"    porch build [DIR] [-o OUT] [--drafts] [--warn-links] [-j N] [-q]\n"
"                [--clean]\n"
"\n"
"DESCRIPTION\n"
"    Reads the content folder DIR (default: the current folder; it holds\n"
"    site.lua, docs/, faq/, changelog/, roadmap/ and standalone pages),\n"
"    renders every page through the theme's templates and writes the site\n"
"    to OUT (default: public) with .gz twins, sitemap.xml, the changelog's\n"
"    Atom feed and catalog.json.  The new site is built in a fresh folder\n"
"    and swapped into place only when everything succeeded: after a failed\n"
"    build the previous site is untouched.  The same input always gives\n"
"    byte-identical output.\n"
"\n"
"    Builds are incremental: OUT.porch-cache/manifest remembers what each\n"
"    file of OUT was made from, and the next build runs the templates only\n"
"    for pages whose data or templates changed and writes only the files\n"
"    whose bytes changed (moved into OUT one by one when all succeeded).\n"
"    The result is the same as a full build's (docs/incremental.md).\n"
"\n"
"OPTIONS\n"
"    -o, --output OUT   where to write the site (default: public)\n"
"    --drafts           publish pages marked draft: true\n"
"    --warn-links       report broken links and anchors as warnings\n"
"    -j, --jobs N       render with N threads (default: one per core)\n"
"    -q, --quiet        no summary line\n"
"    --clean            ignore the build cache: a full build, swapped in\n"
"                       as one folder\n"
"    --votes FILE       show these vote counts on the roadmap (the file\n"
"                       `porchd report votes --json` writes)\n"
"\n"
"EXIT STATUS\n"
"    0 when the site was built, 1 when there were errors (each printed as\n"
"    file:line:col: error: message), 2 for a usage error.\n",
	cmd_build },
	{ "check", "validate the content without writing",
"NAME\n"
"    porch check - validate a help site without writing anything\n"
"\n"
"SYNOPSIS\n"
"    porch check [DIR] [--drafts] [--warn-links]\n"
"\n"
"DESCRIPTION\n"
"    Runs the whole build (front matter, links and anchors, missing titles,\n"
"    duplicate URLs, unknown roadmap ids in ships, templates) and prints one\n"
"    line per problem, but writes no file.\n"
"\n"
"EXIT STATUS\n"
"    0 when there is no error, 1 otherwise, 2 for a usage error.\n",
	cmd_check },
	{ "serve", "preview the site, rebuilt as you edit",
"NAME\n"
"    porch serve - preview a help site while writing it\n"
"\n"
"SYNOPSIS\n"
"    porch serve [DIR] [--port N] [--drafts] [--warn-links] [-j N]\n"
"\n"
"DESCRIPTION\n"
"    Builds the content folder DIR (default: the current folder) as\n"
"    `porch build` does, into a private folder (never public/), and serves\n"
"    it on http://127.0.0.1:N/.  It watches DIR, site.lua and the theme's\n"
"    folders; after you save a file it rebuilds and every open page\n"
"    reloads by itself.  When the build fails, the open pages show the\n"
"    errors (file:line:col: message) over the page until the file is\n"
"    fixed; the terminal shows them too.  Only this machine can connect.\n"
"    Ctrl-C stops the server and removes the private folder.\n"
"\n"
"OPTIONS\n"
"    --port N           the port (default: 8000; 0 picks a free one)\n"
"    --drafts           show pages marked draft: true (as a preview should)\n"
"    --warn-links       report broken links and anchors as warnings\n"
"    -j, --jobs N       render with N threads (default: one per core)\n"
"\n"
"EXIT STATUS\n"
"    0 after Ctrl-C, 1 when the server cannot start (port in use),\n"
"    2 for a usage error.  A failed build does not stop the server.\n",
	cmd_serve },
	{ "init", "create a new site to start from",
"NAME\n"
"    porch init - create a minimal working help site\n"
"\n"
"SYNOPSIS\n"
"    porch init DIR\n"
"\n"
"DESCRIPTION\n"
"    Creates DIR with site.lua, a home page, a docs section, an FAQ, a\n"
"    changelog entry, a roadmap item and a contact page; `porch build DIR`\n"
"    builds it at once.  DIR must not exist or be empty.\n",
	cmd_init },
	{ "version", "print the version",
"NAME\n"
"    porch version - print the version of Porch\n",
	cmd_version },
	{ "help", "show help for a command",
"NAME\n"
"    porch help - show help\n"
"\n"
"SYNOPSIS\n"
"    porch help [COMMAND]\n",
	cmd_help },
	{ NULL, NULL, NULL, NULL },
};

static void
usage(FILE *f)
{
	const struct command *c;

	fprintf(f, "usage: porch COMMAND [ARGS]\n\ncommands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "    %-8s %s\n", c->name, c->summary);
	fprintf(f, "\n'porch help COMMAND' tells more.\n");
}

static const struct command *
find_command(const char *name)
{
	const struct command *c;

	for (c = commands; c->name; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

/* Parses the options build and check share; returns 0 on a usage error. */
static int
parse_build(int argc, char **argv, struct build_opts *o, int allow_output,
    unsigned *port)
{
	static const struct option longs[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "drafts", no_argument, NULL, 'D' },
		{ "warn-links", no_argument, NULL, 'W' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "clean", no_argument, NULL, 'C' },
		{ "votes", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ "port", required_argument, NULL, 'P' },
		{ NULL, 0, NULL, 0 },
	};
	char	*end;
	long	 n;
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->content = ".";
	o->out = "public";
	optind = 1;
	while ((ch = getopt_long(argc, argv, "o:j:qh", longs, NULL)) != -1) {
		switch (ch) {
		case 'o':
			if (!allow_output)
				return 0;
			o->out = optarg;
			break;
		case 'D': o->drafts = 1; break;
		case 'W': o->warn_links = 1; break;
		case 'q': o->quiet = 1; break;
		case 'C':
			if (!allow_output)
				return 0;
			o->clean = 1;
			break;
		case 'V':
			o->votes = optarg;
			break;
		case 'j':
			n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 1 || n > 256) {
				fprintf(stderr, "porch: -j wants a number of "
				    "threads from 1 to 256\n");
				return 0;
			}
			o->threads = (int)n;
			break;
		case 'P':
			if (port == NULL)
				return 0;
			n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 0 || n > 65535) {
				fprintf(stderr, "porch: --port wants a port "
				    "number from 0 to 65535\n");
				return 0;
			}
			*port = (unsigned)n;
			break;
		case 'h':
			fputs(find_command(argv[0])->help, stdout);
			exit(0);
		default:
			return 0;
		}
	}
	if (argc - optind > 1)
		return 0;
	if (argc - optind == 1)
		o->content = argv[optind];
	return 1;
}

static int
cmd_build(int argc, char **argv)
{
	struct build_opts o;

	if (!parse_build(argc, argv, &o, 1, NULL)) {
		fprintf(stderr, "usage: porch build [DIR] [-o OUT] [--drafts] "
		    "[--warn-links] [-j N] [-q]\n");
		return EXIT_USAGE;
	}
	o.exiting = 1;
	return build_run(&o) ? 0 : 1;
}

static int
cmd_check(int argc, char **argv)
{
	struct build_opts o;

	if (!parse_build(argc, argv, &o, 0, NULL)) {
		fprintf(stderr, "usage: porch check [DIR] [--drafts] "
		    "[--warn-links]\n");
		return EXIT_USAGE;
	}
	o.check_only = 1;
	return build_run(&o) ? 0 : 1;
}

static int
cmd_serve(int argc, char **argv)
{
	struct build_opts o;
	unsigned	 port = 8000;

	if (!parse_build(argc, argv, &o, 0, &port)) {
		fprintf(stderr, "usage: porch serve [DIR] [--port N] [--drafts] "
		    "[--warn-links] [-j N]\n");
		return EXIT_USAGE;
	}
	return serve_run(&o, port) ? 0 : 1;
}

static int
cmd_init(int argc, char **argv)
{
	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: porch init DIR\n");
		return EXIT_USAGE;
	}
	if (!init_site(argv[1]))
		return 1;
	printf("Created a new site in %s.\nNext: porch build %s -o public\n",
	    argv[1], argv[1]);
	return 0;
}

static int
cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("porch %s\n", PORCH_VERSION);
	return 0;
}

static int
cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if ((c = find_command(argv[1])) == NULL) {
		fprintf(stderr, "porch: no command '%s'\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	fputs(c->help, stdout);
	return 0;
}

#define HUGE_TUNABLE	"glibc.malloc.hugetlb=1"
/* Arenas grow by at least this much (64 MB), reserved, not touched. */
#define PAD_TUNABLE	"glibc.malloc.top_pad=67108864"
/* Allocations up to 32 MB come from the arenas (on huge pages), not from
 * a mapping of their own faulted in 4 KB at a time; skip_heap_head's
 * block too. */
#define MMAP_TUNABLE	"glibc.malloc.mmap_threshold=33554432"
#define HUGE_PAGE	(2u << 20)
/* Larger than anything freed before main, so it comes from the heap's
 * top: where the next allocations would go. */
#define HEAD_PROBE	(64u * 1024)

/*
 * A build allocates a few hundred MB in small pieces, and on a virtual
 * machine every 4 KB page faulted in costs microseconds: with glibc's
 * malloc on transparent huge pages (the glibc.malloc.hugetlb tunable,
 * which glibc reads only when a process starts) a one-page edit of a
 * 10,000-page site builds 18% faster and a full build 5%
 * (docs/PERFORMANCE.md).  The worker threads' arenas grow by mprotect,
 * by 128 KB at a time unless told otherwise: 2,000 system calls in a
 * one-page edit of 10,000 pages, a third of its system time; a 64 MB
 * pad makes that 25 and the edit 10% faster (build only: a pad is also
 * what a trimmed arena keeps, and serve lives on between builds).  So
 * build and serve start porch once more with the tunables added, unless
 * something else already manages memory: a GLIBC_TUNABLES that sets
 * hugetlb, LD_PRELOAD (valgrind, interposers), a sanitizer build.  When
 * the exec fails, the build runs as it is.
 */
static void
use_huge_pages(char **argv, int pad)
{
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && \
    !defined(__SANITIZE_THREAD__)
	const char	*had = getenv("GLIBC_TUNABLES");
	char		*want;

	if (getenv("LD_PRELOAD") != NULL ||
	    (had != NULL && strstr(had, "glibc.malloc.hugetlb") != NULL))
		return;
	want = xasprintf("%s%s%s%s", had != NULL ? had : "",
	    had != NULL && *had != '\0' ? ":" : "", HUGE_TUNABLE,
	    pad ? ":" PAD_TUNABLE ":" MMAP_TUNABLE : "");
	if (setenv("GLIBC_TUNABLES", want, 1) == 0)
		execv("/proc/self/exe", argv);
	/* Still here: run as we are (the tunable only matters when a
	 * process starts, and porch starts none). */
	free(want);
#else
	(void)argv;
	(void)pad;
#endif
}

/*
 * Only whole 2 MB pieces of the heap, on 2 MB boundaries, get huge pages,
 * and the heap starts wherever the program break was: the part before the
 * first boundary (1 MB on average) was faulted in 4 KB at a time, 15 us a
 * fault on this VM: a build that changed nothing at 10,000 pages, which
 * put its first large tables there, took 200-490 faults in that part,
 * and 3 with this.  So the build takes that part as one block it never
 * touches (malloc writes only its header and the next one's).  Runs only
 * under the tunables use_huge_pages sets, whose mmap threshold keeps the
 * block in the heap.
 */
static void *volatile heap_head;

static void
skip_heap_head(void)
{
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) && \
    !defined(__SANITIZE_THREAD__)
	const char	*t = getenv("GLIBC_TUNABLES");
	uintptr_t	 at, next;
	void		*probe;

	if (t == NULL || strstr(t, HUGE_TUNABLE) == NULL ||
	    strstr(t, MMAP_TUNABLE) == NULL ||
	    (probe = malloc(HEAD_PROBE)) == NULL)
		return;
	at = (uintptr_t)probe;
	next = (at + HUGE_PAGE) & ~(uintptr_t)(HUGE_PAGE - 1);
	free(probe);	/* back into the top, where it came from */
	/* Left allocated: the heap's head stays this block's.  Kept in a
	 * volatile, or the compiler drops a malloc whose result is unused
	 * (it did: the head was still faulted in, 4 KB at a time). */
	if (next - at > 4096)
		heap_head = malloc(next - at - 64);
#endif
}

int
main(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0)
		return cmd_version(0, NULL);
	if ((c = find_command(argv[1])) == NULL) {
		fprintf(stderr, "porch: unknown command '%s'\n\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	if (c->run == cmd_build || c->run == cmd_serve)
		use_huge_pages(argv, c->run == cmd_build);
	if (c->run == cmd_build)
		skip_heap_head();
	return c->run(argc - 1, argv + 1);
}
