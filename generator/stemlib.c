#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stemlib.h"

/* The library the build would have linked (the Makefile asks the
 * compiler), else its soname as the dynamic linker finds it. */
#ifndef PORCH_STEMMER_LIB
#define PORCH_STEMMER_LIB	"libstemmer.so.0d"
#endif

static struct stem_fns	 fns;
static pthread_once_t	 loaded = PTHREAD_ONCE_INIT;

/* The library's names, in the order of struct stem_fns. */
static const struct {
	const char	*name;
	size_t		 off;
} names[] = {
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
	void		*h = NULL, *f;
	size_t		 i;

	for (i = 0; h == NULL && i < sizeof(libs) / sizeof(*libs); i++)
		h = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		fprintf(stderr, "porch: cannot load the Snowball stemmers "
		    "(libstemmer0d): %s\n", dlerror());
		exit(1);
	}
	for (i = 0; i < sizeof(names) / sizeof(*names); i++) {
		if ((f = dlsym(h, names[i].name)) == NULL) {
			fprintf(stderr, "porch: libstemmer has no %s\n",
			    names[i].name);
			exit(1);
		}
		/* POSIX: a function's address as dlsym gives it. */
		memcpy((char *)&fns + names[i].off, &f, sizeof(f));
	}
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
