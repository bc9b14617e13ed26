/*
 * httpd: libmicrohttpd for porch serve, loaded when serve starts.  Linked
 * into porch, it brought GnuTLS and eight more libraries into every porch
 * process: 5 ms of start-up, twice a build (main.c re-executes porch for
 * huge pages), for a server that only porch serve runs.  Its types and
 * constants come from the header as usual; its functions through mhd.
 */
#ifndef PORCH_HTTPD_H
#define PORCH_HTTPD_H

#include <microhttpd.h>

struct mhd_fns {
	struct MHD_Daemon *(*start_daemon)(unsigned int, uint16_t,
	    MHD_AcceptPolicyCallback, void *, MHD_AccessHandlerCallback,
	    void *, ...);
	void	 (*stop_daemon)(struct MHD_Daemon *);
	const union MHD_DaemonInfo *(*get_daemon_info)(struct MHD_Daemon *,
	    enum MHD_DaemonInfoType, ...);
	struct MHD_Response *(*create_response_from_buffer)(size_t, void *,
	    enum MHD_ResponseMemoryMode);
	struct MHD_Response *(*create_response_from_callback)(uint64_t,
	    size_t, MHD_ContentReaderCallback, void *,
	    MHD_ContentReaderFreeCallback);
	struct MHD_Response *(*create_response_from_fd)(size_t, int);
	enum MHD_Result (*add_response_header)(struct MHD_Response *,
	    const char *, const char *);
	enum MHD_Result (*queue_response)(struct MHD_Connection *,
	    unsigned int, struct MHD_Response *);
	void	 (*destroy_response)(struct MHD_Response *);
};

extern struct mhd_fns mhd;

/* Loads the library into mhd; 1, or 0 after saying why on stderr. */
int	 httpd_load(void);

#endif
