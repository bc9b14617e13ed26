#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "solib.h"
#include "stemlib.h"

/* The library the build would have linked (the Makefile asks the
 * compiler), else its soname as the dynamic linker finds it. */
#ifndef PORCH_STEMMER_LIB
#define PORCH_STEMMER_LIB	"libstemmer.so.0d"
#endif

static struct stem_fns	 fns;
static pthread_once_t	 loaded = PTHREAD_ONCE_INIT;

/* The library's functions, in the order of struct stem_fns. */
static const struct solib_sym names[] = {
	{ "sb_stemmer_new", offsetof(struct stem_fns, sb_stemmer_new) },
	{ "sb_stemmer_delete", offsetof(struct stem_fns, sb_stemmer_delete) },
	{ "sb_stemmer_stem", offsetof(struct stem_fns, sb_stemmer_stem) },
	{ "sb_stemmer_length", offsetof(struct stem_fns, sb_stemmer_length) },
};

static void
load(void)
{
	/* The file whose identity the code's includes first, then the
	 * runtime package's name (libstemmer0d) and the development link. */
	static const char *const libs[] = { PORCH_STEMMER_LIB,
	    "libstemmer.so.0d", "libstemmer.so" };
	const char	*missing;

	if (solib_load(libs, sizeof(libs) / sizeof(*libs), names,
	    sizeof(names) / sizeof(*names), &fns, &missing))
		return;
	if (missing != NULL)
		fprintf(stderr, "porch: libstemmer has no %s\n", missing);
	else
		fprintf(stderr, "porch: cannot load the Snowball stemmers "
		    "(libstemmer0d): %s\n", dlerror());
	exit(1);
}

const char *
stemlib_file(void)
{
	return PORCH_STEMMER_LIB;
}

const struct stem_fns *
stemlib(void)
{
	pthread_once(&loaded, load);
	return &fns;
}
