/*
 * solib: a shared library loaded with dlopen when first needed rather
 * than by the dynamic linker at every start (httpd.c: libmicrohttpd for
 * porch serve; stemlib.c: the Snowball stemmers), its functions looked
 * up into a struct of function pointers.
 */
#ifndef PORCH_SOLIB_H
#define PORCH_SOLIB_H

#include <stddef.h>

/* A function of the library and where its pointer goes in the struct. */
struct solib_sym {
	const char	*name;
	size_t		 off;
};

/*
 * Opens the first of libs[0..nlibs-1] that dlopen finds and stores each
 * of syms[0..nsyms-1] at fns + off.  Returns 1; or 0 with *missing the
 * name of a function the library lacks (the library closed again), or
 * with *missing NULL when none of libs opens (dlerror() says why).
 */
int	 solib_load(const char *const *libs, size_t nlibs,
	     const struct solib_sym *syms, size_t nsyms, void *fns,
	     const char **missing);

#endif
