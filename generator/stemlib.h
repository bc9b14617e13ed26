/*
 * stemlib: the Snowball stemmers (libstemmer), loaded with dlopen the
 * first time a tokenizer is made, not by the dynamic linker at every
 * start.  The library's 10,800 relocations were 180 page faults of every
 * porch process (and porch build starts twice, for huge pages: main.c),
 * about 3 ms each time on a virtual machine, and a build in which no page
 * changed stems nothing.
 */
#ifndef PORCH_STEMLIB_H
#define PORCH_STEMLIB_H

#include <libstemmer.h>

/* libstemmer.h's functions, by the names they have there. */
struct stem_fns {
	struct sb_stemmer *(*sb_stemmer_new)(const char *algorithm,
			    const char *charenc);
	void		 (*sb_stemmer_delete)(struct sb_stemmer *);
	const sb_symbol	*(*sb_stemmer_stem)(struct sb_stemmer *,
			    const sb_symbol *word, int size);
	int		 (*sb_stemmer_length)(struct sb_stemmer *);
};

/* The file the library is loaded from, when it is there: its identity is
 * part of the code's (cache.c), known without loading it. */
const char *stemlib_file(void);

/* The loaded library's functions.  A library that cannot be loaded is a
 * broken installation, as a missing one was for the dynamic linker: this
 * then says which and exits.  Thread-safe. */
const struct stem_fns *stemlib(void);

#endif
