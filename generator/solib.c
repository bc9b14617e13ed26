#include <dlfcn.h>
#include <string.h>

#include "solib.h"

int
solib_load(const char *const *libs, size_t nlibs,
    const struct solib_sym *syms, size_t nsyms, void *fns,
    const char **missing)
{
	void	*h = NULL, *f;
	size_t	 i;

	*missing = NULL;
	for (i = 0; h == NULL && i < nlibs; i++)
		h = dlopen(libs[i], RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return 0;
	for (i = 0; i < nsyms; i++) {
		if ((f = dlsym(h, syms[i].name)) == NULL) {
			*missing = syms[i].name;
			dlclose(h);
			return 0;
		}
		/* POSIX: a function's address as dlsym gives it. */
		memcpy((char *)fns + syms[i].off, &f, sizeof(f));
	}
	return 1;
}
