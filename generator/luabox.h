/*
 * luabox: the limits of a sandboxed Lua state, shared by templates and
 * site.lua.  A state made here cannot allocate past its memory limit (a
 * runaway table becomes a "not enough memory" error in that run, not the
 * machine's memory), and an armed state raises an error when it has run
 * its instruction budget (a runaway loop is an error, not a hang).
 */
#ifndef PORCH_LUABOX_H
#define PORCH_LUABOX_H

#include <stddef.h>

#include <lua.h>

#define LUABOX_MEM_LIMIT	((size_t)512 << 20)	/* bytes per state */
#define LUABOX_STEPS		50000000UL	/* instructions per run */

struct luabox {
	size_t		 mem, mem_limit;
	unsigned long	 steps;		/* hook calls in this run */
	int		 exhausted;	/* the hook now runs every instruction */
	const char	*what;		/* "template", "site.lua": for messages */
};

/* A new state limited by box (which must outlive it); aborts when even
 * that cannot be allocated. */
lua_State	*luabox_new(struct luabox *box, const char *what);
/* Starts a run: resets and arms the instruction budget. */
void		 luabox_arm(lua_State *);
/* Stops counting (between runs). */
void		 luabox_disarm(lua_State *);

#endif
