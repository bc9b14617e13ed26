#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>

#include "luabox.h"

#define STEP_EVERY	1000	/* instructions between two hook calls */

static struct luabox *
box_of(lua_State *L)
{
	void	*ud;

	lua_getallocf(L, &ud);
	return ud;
}

/* lua_Alloc refusing to grow the state beyond its box's memory limit. */
static void *
lalloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
	struct luabox	*b = ud;
	void		*p;

	if (ptr == NULL)
		osize = 0;
	if (nsize == 0) {
		free(ptr);
		b->mem -= osize;
		return NULL;
	}
	if (nsize > osize && nsize - osize > b->mem_limit - b->mem)
		return NULL;
	if ((p = realloc(ptr, nsize)) == NULL)
		return NULL;
	b->mem = b->mem - osize + nsize;
	return p;
}

/*
 * Count hook, every STEP_EVERY instructions.  Past the budget it raises an
 * error, and from then on runs at every instruction, so that a pcall() in
 * the sandboxed code cannot swallow the error and go on looping.
 */
static void
hook(lua_State *L, lua_Debug *ar)
{
	struct luabox	*b = box_of(L);

	(void)ar;
	if (++b->steps <= LUABOX_STEPS / STEP_EVERY)
		return;
	if (!b->exhausted) {
		b->exhausted = 1;
		lua_sethook(L, hook, LUA_MASKCOUNT, 1);
	}
	lua_pushfstring(L, "%s took too long (instruction budget exceeded)",
	    b->what);
	lua_error(L);
}

lua_State *
luabox_new(struct luabox *box, const char *what)
{
	lua_State	*L;

	memset(box, 0, sizeof(*box));
	box->mem_limit = LUABOX_MEM_LIMIT;
	box->what = what;
	if ((L = lua_newstate(lalloc, box)) == NULL) {
		fprintf(stderr, "porch: out of memory (Lua state)\n");
		abort();
	}
	return L;
}

void
luabox_arm(lua_State *L)
{
	struct luabox	*b = box_of(L);

	b->steps = 0;
	b->exhausted = 0;
	lua_sethook(L, hook, LUA_MASKCOUNT, STEP_EVERY);
}

void
luabox_disarm(lua_State *L)
{
	lua_sethook(L, NULL, 0, 0);
}
