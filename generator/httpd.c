#include <dlfcn.h>
#include <stddef.h>
#include <stdio.h>

#include "httpd.h"
#include "solib.h"

struct mhd_fns mhd;

/* The library's functions, in the order of struct mhd_fns. */
static const struct solib_sym fns[] = {
	{ "MHD_start_daemon", offsetof(struct mhd_fns, start_daemon) },
	{ "MHD_stop_daemon", offsetof(struct mhd_fns, stop_daemon) },
	{ "MHD_get_daemon_info", offsetof(struct mhd_fns, get_daemon_info) },
	{ "MHD_create_response_from_buffer",
	    offsetof(struct mhd_fns, create_response_from_buffer) },
	{ "MHD_create_response_from_callback",
	    offsetof(struct mhd_fns, create_response_from_callback) },
	{ "MHD_create_response_from_fd",
	    offsetof(struct mhd_fns, create_response_from_fd) },
	{ "MHD_add_response_header",
	    offsetof(struct mhd_fns, add_response_header) },
	{ "MHD_queue_response", offsetof(struct mhd_fns, queue_response) },
	{ "MHD_destroy_response", offsetof(struct mhd_fns, destroy_response) },
};

int
httpd_load(void)
{
	/* The runtime package's name first (libmicrohttpd12), then the
	 * development link. */
	static const char *const names[] = { "libmicrohttpd.so.12",
	    "libmicrohttpd.so" };
	struct mhd_fns	 got;
	const char	*missing;

	if (mhd.start_daemon != NULL)
		return 1;
	if (!solib_load(names, sizeof(names) / sizeof(*names), fns,
	    sizeof(fns) / sizeof(*fns), &got, &missing)) {
		if (missing != NULL)
			fprintf(stderr, "porch: libmicrohttpd has no %s\n",
			    missing);
		else
			fprintf(stderr, "porch: cannot load libmicrohttpd for "
			    "the preview server: %s\n", dlerror());
		return 0;
	}
	mhd = got;	/* whole, or not at all: start_daemon says loaded */
	return 1;
}
