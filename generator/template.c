/*
 * template: templates are translated to Lua source once, in tpl_set_load,
 * checked and compiled there, and kept as Lua bytecode (lua_dump) in the
 * set; each worker lua_load()s the bytecode ("b" mode) into its own state.
 *
 * A template becomes one chunk:
 *
 *	local _ENV,__e,__r,__c=... local __o,__n={},0 <template> return __c(__o,"",1,__n)
 *
 * Text becomes `__n=__n+1 __o[__n]="..."` (newlines written as \n inside
 * the string, then as real newlines after it), {{ x }} becomes
 * `__n=__n+1 __o[__n]=__e(x)`, {{{ x }}} the same with __r, and {% s %}
 * becomes `s ;`.  Every newline of the template is one newline of the
 * chunk at the same place, so Lua's "path:LINE:" is the template's line.
 * The environment is a local, not the chunk's upvalue, so one compiled
 * function can run for a page and, at the same time, as a partial with
 * another environment (a partial that includes itself).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "buf.h"
#include "diag.h"
#include "luabox.h"
#include "markdown.h"
#include "template.h"
#include "tplcompile.h"
#include "xalloc.h"

#define DEFAULT_LAYOUT	"layouts/base.html"

#define LAYOUT_DEPTH	8
#define PARTIAL_DEPTH	50
#define DATA_DEPTH	200		/* nesting of JSON data and json() */
#define JSON_MAX	((size_t)64 << 20)	/* json() output */
#define DIR_DEPTH	16


struct tpl {
	char		*name;		/* "partials/sidebar.html" */
	char		*path;		/* the dir as given + "/" + name */
	char		*code;		/* Lua bytecode */
	size_t		 len;
	size_t		 dir;		/* index of its folder (while loading) */
};

struct tpl_set {
	struct tpl	*v;		/* sorted by name */
	size_t		 n, cap;
};

struct tpl_worker {
	lua_State		*L;
	const struct tpl_set	*set;
	struct luabox		 box;		/* memory and instruction limits */
	int			 partials;	/* partial() nesting */
	int			 layout_set;	/* layout assigned in this template */
	const char		*layout_src;	/* where: the template's path */
	int			 layout_line;
	int			 fns;		/* registry: { __e, __r, __c, tpl1, ... } */
	int			 env_mt;	/* registry: { __index = base, __newindex } */
	int			 base;		/* registry: the read-only globals */
	tpl_expand_fn		*expand;	/* site's deferred parts, or NULL */
	void			*expand_ctx;
	json_t			**expanded;	/* what expand made, kept: the
						   tables made of it read it */
	size_t			 nexpanded, capexpanded;
	json_int_t		*reads;		/* the tracked values read by
						   this render (tpl_reads) */
	size_t			 nreads, capreads;
	int			 disarmed;	/* registry: their proxies'
						   metatables, to arm again */
	lua_Integer		 ndisarmed;
};

/* The bytes of a scratch buffer userdata: freed by __gc if Lua unwinds. */
#define SCRATCH_MT	"porch.scratch"

static int	 run(lua_State *, struct tpl_worker *, const struct tpl *, int);

/*
 * Finds the "chunk:LINE: " at the front of a Lua message; returns the text
 * after it and sets *line and *prefix_len (the length of "chunk"), or
 * returns msg with *line 0 when there is none.
 */
static const char *
split_position(const char *msg, unsigned *line, size_t *prefix_len)
{
	const char	*p = msg, *q;
	unsigned long	 n;

	while ((p = strchr(p, ':')) != NULL) {
		for (q = p + 1, n = 0; isdigit((unsigned char)*q) && n < 1000000;
		    q++)
			n = n * 10 + (unsigned long)(*q - '0');
		if (q > p + 1 && q[0] == ':' && q[1] == ' ') {
			*line = (unsigned)n;
			*prefix_len = (size_t)(p - msg);
			return q + 2;
		}
		p++;
	}
	*line = 0;
	*prefix_len = 0;
	return msg;
}

/* lua_Writer collecting the dump into a struct buf. */
static int
dump_writer(lua_State *L, const void *p, size_t sz, void *ud)
{
	(void)L;
	buf_append(ud, p, sz);
	return 0;
}

/*
 * Reads the file at path into b.  Returns 1, or 0 after reporting why not.
 */
static int
read_file(const char *path, struct buf *b)
{
	FILE	*f;
	char	 chunk[8192];
	size_t	 n;
	int	 ok;

	if ((f = fopen(path, "rb")) == NULL) {
		diag_error(path, 0, 0, "cannot read template: %s",
		    strerror(errno));
		return 0;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(b, chunk, n);
	if (!(ok = !ferror(f)))
		diag_error(path, 0, 0, "cannot read template: %s",
		    strerror(errno));
	fclose(f);
	return ok;
}

/*
 * Translates and compiles t->path with the scratch state S, storing the
 * bytecode in t.  Returns 1, or 0 after reporting the error.
 */
static int
compile(lua_State *S, struct tpl *t)
{
	struct buf	 src = { 0 }, lua = { 0 }, code = { 0 };
	char		*chunk = xasprintf("@%s", t->path);
	const char	*msg;
	unsigned	 line;
	size_t		 plen;
	int		 ok = 0;

	if (!read_file(t->path, &src) ||
	    !tpl_translate(t->path, src.data ? src.data : "", src.len, &lua))
		goto out;
	if (luaL_loadbufferx(S, lua.data, lua.len, chunk, "t") != LUA_OK) {
		msg = split_position(lua_tostring(S, -1), &line, &plen);
		diag_error(t->path, line, 0, "%s", msg);
		goto out;
	}
	lua_dump(S, dump_writer, &code, 0);
	t->len = code.len;
	t->code = buf_take(&code);
	ok = 1;
out:
	lua_settop(S, 0);
	free(chunk);
	buf_free(&src);
	buf_free(&lua);
	buf_free(&code);
	return ok;
}

/* Adds a candidate template (name under its folder, path) to set. */
static void
add_candidate(struct tpl_set *set, const char *name, const char *path,
    size_t dir)
{
	set->v = xreallocarray(set->v, set->n + 1, sizeof(*set->v), &set->cap);
	memset(&set->v[set->n], 0, sizeof(*set->v));
	set->v[set->n].name = xstrdup(name);
	set->v[set->n].path = xstrdup(path);
	set->v[set->n].dir = dir;
	set->n++;
}

/* Joins a folder and a name with one '/' between them; heap string. */
static char *
join(const char *dir, const char *name)
{
	size_t	 n = strlen(dir);

	if (n == 0)
		return xstrdup(name);
	return xasprintf("%s%s%s", dir, dir[n - 1] == '/' ? "" : "/", name);
}

/*
 * Adds every *.html file under root/rel (rel NULL for root itself) to set
 * as a candidate of folder dir; hidden files are skipped.  Returns 1, or 0
 * after reporting a folder it could not read (a missing root is fine).
 */
static int
walk(struct tpl_set *set, const char *root, const char *rel, size_t dir,
    int depth)
{
	char		*path = rel ? join(root, rel) : xstrdup(root);
	char		*name, *full;
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	size_t		 n;
	int		 ok = 1;

	if ((d = opendir(path)) == NULL) {
		if (rel != NULL || (errno != ENOENT && errno != ENOTDIR)) {
			diag_error(path, 0, 0, "cannot read folder: %s",
			    strerror(errno));
			ok = 0;
		}
		free(path);
		return ok;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		name = rel ? join(rel, de->d_name) : xstrdup(de->d_name);
		full = join(root, name);
		n = strlen(name);
		if (stat(full, &st) == -1) {
			diag_error(full, 0, 0, "cannot read: %s", strerror(errno));
			ok = 0;
		} else if (S_ISDIR(st.st_mode) && depth < DIR_DEPTH) {
			if (!walk(set, root, name, dir, depth + 1))
				ok = 0;
		} else if (S_ISREG(st.st_mode) && n > 5 &&
		    strcmp(name + n - 5, ".html") == 0)
			add_candidate(set, name, full, dir);
		free(name);
		free(full);
	}
	closedir(d);
	free(path);
	return ok;
}

/* Orders templates by name, then by folder (the first folder wins). */
static int
cmp_tpl(const void *a, const void *b)
{
	const struct tpl *x = a, *y = b;
	int	 c;

	if ((c = strcmp(x->name, y->name)) != 0)
		return c;
	return x->dir < y->dir ? -1 : x->dir > y->dir;
}

/*
 * Collects the *.html files of every folder, keeps the first folder's file
 * for each name, and compiles them all, reporting every error.  Returns
 * the set, or NULL if there was an error.
 */
struct tpl_set *
tpl_set_load(const char *const *dirs, size_t ndirs)
{
	struct tpl_set	*set = xcalloc(1, sizeof(*set));
	lua_State	*S;
	size_t		 i, j;
	int		 ok = 1;

	for (i = 0; i < ndirs; i++)
		if (!walk(set, dirs[i], NULL, i, 0))
			ok = 0;
	if (set->n > 0)
		xqsort(set->v, set->n, sizeof(*set->v), cmp_tpl);
	for (i = j = 0; i < set->n; i++) {
		if (j > 0 && strcmp(set->v[j - 1].name, set->v[i].name) == 0) {
			free(set->v[i].name);
			free(set->v[i].path);
			continue;
		}
		set->v[j++] = set->v[i];
	}
	set->n = j;

	if ((S = luaL_newstate()) == NULL) {
		fprintf(stderr, "porch: out of memory (Lua state)\n");
		abort();
	}
	for (i = 0; i < set->n; i++)
		if (!compile(S, &set->v[i]))
			ok = 0;
	lua_close(S);
	if (!ok) {
		tpl_set_free(set);
		return NULL;
	}
	return set;
}

void
tpl_set_free(struct tpl_set *set)
{
	size_t	 i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++) {
		free(set->v[i].name);
		free(set->v[i].path);
		free(set->v[i].code);
	}
	free(set->v);
	free(set);
}

/* bsearch comparison of a name with a template. */
static int
cmp_name(const void *key, const void *elem)
{
	return strcmp(key, ((const struct tpl *)elem)->name);
}

/* The template called name, or NULL. */
static const struct tpl *
find(const struct tpl_set *set, const char *name)
{
	if (set->n == 0)
		return NULL;
	return bsearch(name, set->v, set->n, sizeof(*set->v), cmp_name);
}

int
tpl_set_has(const struct tpl_set *set, const char *name)
{
	return find(set, name) != NULL;
}

/*
 * The worker's Lua state: memory cap, instruction budget, errors.
 */

/* The worker a state belongs to (kept in the state's extra space). */
static struct tpl_worker *
worker(lua_State *L)
{
	return *(struct tpl_worker **)lua_getextraspace(L);
}

/*
 * Raises an error as the table the message handler makes ({ path, line,
 * msg } marked as ours), for errors that belong to a template as a whole
 * (a bad layout) rather than to a line Lua is running.
 */
static int
fail(lua_State *L, const char *path, int line, const char *msg)
{
	lua_createtable(L, 0, 4);
	lua_pushstring(L, path);
	lua_setfield(L, -2, "path");
	lua_pushinteger(L, line);
	lua_setfield(L, -2, "line");
	lua_pushstring(L, msg);
	lua_setfield(L, -2, "msg");
	lua_pushlightuserdata(L, worker(L));
	lua_pushboolean(L, 1);
	lua_rawset(L, -3);
	return lua_error(L);
}

/*
 * Message handler of a render: turns the error into { path, line, msg }
 * where path is the full path of the template (Lua's messages shorten long
 * names) and line its line.  A message that starts "chunk:LINE: " keeps
 * that line and takes the path of the frame running chunk; one without a
 * position (error(x, 0), the budget) gets the innermost template frame's.
 */
static int
msgh(lua_State *L)
{
	lua_Debug	 ar;
	const char	*msg, *text, *path = NULL;
	unsigned	 line = 0;
	size_t		 plen;
	int		 level;

	if (lua_type(L, 1) == LUA_TTABLE) {
		lua_pushlightuserdata(L, worker(L));
		if (lua_rawget(L, 1) != LUA_TNIL) {
			lua_settop(L, 1);
			return 1;
		}
		lua_pop(L, 1);
	}
	if ((msg = lua_tostring(L, 1)) == NULL)
		msg = lua_pushfstring(L, "(error object is a %s value)",
		    luaL_typename(L, 1));
	text = split_position(msg, &line, &plen);
	for (level = 1; lua_getstack(L, level, &ar); level++) {
		if (!lua_getinfo(L, "Sl", &ar) || ar.source[0] != '@' ||
		    ar.currentline <= 0)
			continue;
		if (plen == 0) {
			path = ar.source + 1;
			line = (unsigned)ar.currentline;
			break;
		}
		if (strlen(ar.short_src) == plen &&
		    memcmp(ar.short_src, msg, plen) == 0) {
			path = ar.source + 1;
			break;
		}
	}
	lua_createtable(L, 0, 3);
	if (path != NULL)
		lua_pushstring(L, path);
	else if (plen > 0)
		lua_pushlstring(L, msg, plen);
	else
		lua_pushnil(L);
	lua_setfield(L, -2, "path");
	lua_pushinteger(L, line);
	lua_setfield(L, -2, "line");
	lua_pushstring(L, text);
	lua_setfield(L, -2, "msg");
	return 1;
}

/*
 * Scratch buffers: a struct buf inside a userdata, so that a Lua error
 * (which longjmps) cannot leak it; __gc frees it.
 */
static int
scratch_gc(lua_State *L)
{
	buf_free(lua_touserdata(L, 1));
	return 0;
}

/* Pushes a new empty scratch buffer; returns it. */
static struct buf *
scratch(lua_State *L)
{
	struct buf	*b = lua_newuserdatauv(L, sizeof(*b), 0);

	memset(b, 0, sizeof(*b));
	luaL_setmetatable(L, SCRATCH_MT);
	return b;
}

/*
 * Read-only tables: site and the libraries are shared by every render, so
 * they are empty proxies whose metatable reads through to the real table
 * and refuses writes.  #, pairs and ipairs work on them; next() does not.
 *
 * site's tables are also lazy: a proxy of a JSON object or array starts
 * with lazy_index as its __index and the JSON in its metatable, and the first
 * read converts that one level (its own tables lazy in turn) and puts the
 * real table in __index.  A page reads the top of the docs tree and its
 * own branch: converting all of a 10,000-page tree up front was most of
 * the time a build that renders one page took to render it.
 */
#define LAZY_JSON	"porch.json"	/* a lazy proxy's json_t */
#define LAZY_DEPTH	"porch.depth"	/* and its nesting */
/* The key of a deferred value's place (tpl_deferred): a byte no site.lua
 * key or front matter key starts with; a tracked one has TRACK_KEY too. */
#define DEFER_KEY	"\x01porch.deferred"
#define TRACK_KEY	"\x01porch.tracked"
/*
 * A tracked value's proxy (tpl_deferred_tracked) has its id in LAZY_ID
 * and its real table, once made, in LAZY_REAL.  Its __index is
 * lazy_index until the render's first read, which records the id
 * (tpl_reads) and puts the real table in __index, so the render's other
 * reads cost what any other read costs; tpl_render arms it again for the
 * next render (the proxy's metatable is kept in the worker's disarmed
 * list).
 */
#define LAZY_ID		"porch.id"
#define LAZY_REAL	"porch.real"

static void	 push_table(lua_State *, json_t *, int, int);
static void	 push_json(lua_State *, json_t *, int, int);

static int
ro_set(lua_State *L)
{
	return luaL_error(L, "cannot modify a read-only table (site and the "
	    "libraries are shared by every page)");
}

json_t *
tpl_deferred(json_int_t id)
{
	json_t	*v = json_object();

	json_object_set_new_nocheck(v, DEFER_KEY, json_integer(id));
	return v;
}

json_t *
tpl_deferred_tracked(json_int_t id)
{
	json_t	*v = tpl_deferred(id);

	json_object_set_new_nocheck(v, TRACK_KEY, json_true());
	return v;
}

/* The id of the deferred value v (*tracked set), or NULL when v is not
 * one. */
static json_t *
deferred_id(json_t *v, int *tracked)
{
	json_t	*id;

	if (!json_is_object(v) || json_object_size(v) > 2 ||
	    (id = json_object_get(v, DEFER_KEY)) == NULL)
		return NULL;
	*tracked = json_object_get(v, TRACK_KEY) != NULL;
	return json_object_size(v) == 1u + (size_t)*tracked ? id : NULL;
}

/* What stands in v's place: v, or what the worker's expand makes of a
 * deferred value (kept as long as the worker: the tables made of it read
 * it lazily in turn).  NULL: an empty table. */
static json_t *
expanded(lua_State *L, json_t *v)
{
	struct tpl_worker *w = worker(L);
	json_t		*id, *real;
	int		 tracked;

	if ((id = deferred_id(v, &tracked)) == NULL)
		return v;
	if (w->expand == NULL ||
	    (real = w->expand(w->expand_ctx, json_integer_value(id))) == NULL)
		return NULL;
	w->expanded = xreallocarray(w->expanded, w->nexpanded + 1,
	    sizeof(*w->expanded), &w->capexpanded);
	w->expanded[w->nexpanded++] = real;
	return json_is_object(real) || json_is_array(real) ? real : NULL;
}

/* Pushes the real table of the proxy whose metatable is at mt, converting
 * its JSON now if this is the first read; kept in its __index, or in
 * LAZY_REAL for a tracked proxy. */
static void
push_real(lua_State *L, int mt)
{
	json_t	*v;
	int	 depth, tracked;

	mt = lua_absindex(L, mt);
	if (lua_getfield(L, mt, "__index") == LUA_TTABLE)
		return;
	lua_pop(L, 1);
	if (lua_getfield(L, mt, LAZY_REAL) == LUA_TTABLE)
		return;
	lua_pop(L, 1);
	tracked = lua_getfield(L, mt, LAZY_ID) != LUA_TNIL;
	lua_getfield(L, mt, LAZY_JSON);
	v = lua_touserdata(L, -1);
	lua_getfield(L, mt, LAZY_DEPTH);
	depth = (int)lua_tointeger(L, -1);
	lua_pop(L, 3);
	if ((v = expanded(L, v)) == NULL)
		lua_createtable(L, 0, 0);
	else
		push_table(L, v, 1, depth);
	lua_pushvalue(L, -1);
	lua_setfield(L, mt, tracked ? LAZY_REAL : "__index");
	lua_pushnil(L);
	lua_setfield(L, mt, LAZY_JSON);
}

/* A read of the proxy whose metatable is at mt: the first one of this
 * render of a tracked proxy records its id and disarms it. */
static void
touch(lua_State *L, int mt)
{
	struct tpl_worker *w = worker(L);
	int		 top = lua_gettop(L);
	json_int_t	 id;

	mt = lua_absindex(L, mt);
	if (lua_getfield(L, mt, "__index") != LUA_TFUNCTION ||
	    lua_getfield(L, mt, LAZY_ID) != LUA_TNUMBER) {
		lua_settop(L, top);	/* untracked, or read this render */
		return;
	}
	id = (json_int_t)lua_tointeger(L, -1);
	lua_settop(L, top);
	w->reads = xreallocarray(w->reads, w->nreads + 1, sizeof(*w->reads),
	    &w->capreads);
	w->reads[w->nreads++] = id;
	push_real(L, mt);
	lua_setfield(L, mt, "__index");
	lua_rawgeti(L, LUA_REGISTRYINDEX, w->disarmed);
	lua_pushvalue(L, mt);
	lua_rawseti(L, -2, ++w->ndisarmed);
	lua_pop(L, 1);
}

/* The real table of the proxy whose metatable is at mt, the read
 * recorded (touch). */
static void
push_read(lua_State *L, int mt)
{
	touch(L, mt);
	push_real(L, mt);
}

/* __index of a lazy proxy until its first read, and of a tracked one
 * until its first read of each render. */
static int
lazy_index(lua_State *L)
{
	lua_getmetatable(L, 1);
	push_read(L, -1);
	lua_pushvalue(L, 2);
	lua_rawget(L, -2);
	return 1;
}

/* Arms again every tracked proxy the last render disarmed. */
static void
rearm(lua_State *L, struct tpl_worker *w)
{
	lua_Integer	 i;

	lua_rawgeti(L, LUA_REGISTRYINDEX, w->disarmed);
	for (i = 1; i <= w->ndisarmed; i++) {
		lua_rawgeti(L, -1, i);
		lua_pushcfunction(L, lazy_index);
		lua_setfield(L, -2, "__index");
		lua_pop(L, 1);
		lua_pushnil(L);
		lua_rawseti(L, -2, i);
	}
	lua_pop(L, 1);
	w->ndisarmed = 0;
	w->nreads = 0;
}

/* __len of a proxy: the length of the real table (a read, template.h). */
static int
ro_len(lua_State *L)
{
	lua_getmetatable(L, 1);
	push_read(L, -1);
	lua_pushinteger(L, (lua_Integer)lua_rawlen(L, -1));
	return 1;
}

/* The iterator ro_pairs returns: next() over a plain table. */
static int
ro_next(lua_State *L)
{
	lua_settop(L, 2);
	if (lua_next(L, 1))
		return 2;
	lua_pushnil(L);
	return 1;
}

/* __pairs of a proxy: iterates the real table. */
static int
ro_pairs(lua_State *L)
{
	lua_pushcfunction(L, ro_next);
	lua_getmetatable(L, 1);
	push_read(L, -1);
	lua_remove(L, -2);
	lua_pushnil(L);
	return 3;
}

/* Pushes an empty proxy and, above it, its metatable with the read-only
 * methods but no __index yet. */
static void
new_proxy(lua_State *L)
{
	lua_createtable(L, 0, 0);
	lua_createtable(L, 0, 6);
	lua_pushcfunction(L, ro_set);
	lua_setfield(L, -2, "__newindex");
	lua_pushcfunction(L, ro_len);
	lua_setfield(L, -2, "__len");
	lua_pushcfunction(L, ro_pairs);
	lua_setfield(L, -2, "__pairs");
}

/*
 * Replaces the real table at the top of the stack by a read-only proxy of
 * it.
 */
static void
make_proxy(lua_State *L)
{
	new_proxy(L);
	lua_pushvalue(L, -3);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, -2);
	lua_remove(L, -2);
}

/* Pushes a lazy read-only proxy of the object or array v (which outlives
 * the state); a tracked one when v is a tracked deferred value. */
static void
push_lazy(lua_State *L, json_t *v, int depth)
{
	json_t	*id;
	int	 tracked = 0;

	id = deferred_id(v, &tracked);
	new_proxy(L);
	lua_pushcfunction(L, lazy_index);
	lua_setfield(L, -2, "__index");
	if (tracked) {
		lua_pushinteger(L, (lua_Integer)json_integer_value(id));
		lua_setfield(L, -2, LAZY_ID);
	}
	lua_pushlightuserdata(L, v);
	lua_setfield(L, -2, LAZY_JSON);
	lua_pushinteger(L, depth);
	lua_setfield(L, -2, LAZY_DEPTH);
	lua_setmetatable(L, -2);
}

/*
 * If the value at idx is a read-only proxy, pushes its real table and
 * returns the real table's index; otherwise returns idx unchanged and
 * pushes nothing.
 */
static int
unwrap(lua_State *L, int idx)
{
	idx = lua_absindex(L, idx);
	if (!lua_getmetatable(L, idx))
		return idx;
	lua_getfield(L, -1, "__newindex");
	if (lua_tocfunction(L, -1) != ro_set) {
		lua_pop(L, 2);
		return idx;
	}
	lua_pop(L, 1);
	push_read(L, -1);
	lua_remove(L, -2);
	return lua_gettop(L);
}

/* Metatable marking a table that came from an empty JSON array. */
#define ARRAY_MT	"porch.array"

/*
 * Pushes the table of the object or array v: objects keyed by name,
 * arrays 1-based sequences, null dropped; an empty array gets the
 * ARRAY_MT metatable so that json() writes it back as [].  Its own tables
 * are pushed as push_json does with ro.
 */
static void
push_table(lua_State *L, json_t *v, int ro, int depth)
{
	const char	*key;
	json_t		*val;
	size_t		 klen, i, n;

	if (json_is_object(v)) {
		lua_createtable(L, 0, (int)json_object_size(v));
		json_object_keylen_foreach(v, key, klen, val) {
			if (json_is_null(val))
				continue;
			lua_pushlstring(L, key, klen);
			push_json(L, val, ro, depth + 1);
			lua_rawset(L, -3);
		}
		return;
	}
	n = json_array_size(v);
	lua_createtable(L, (int)n, 0);
	for (i = 0; i < n; i++) {
		if (json_is_null(val = json_array_get(v, i)))
			continue;
		push_json(L, val, ro, depth + 1);
		lua_rawseti(L, -2, (lua_Integer)i + 1);
	}
	if (n == 0)
		luaL_setmetatable(L, ARRAY_MT);
}

/*
 * Pushes v as a Lua value: objects and arrays as push_table makes them,
 * integers Lua integers.  With ro, every table is a lazy read-only proxy
 * (site; v must outlive the state).  A NULL v pushes an empty table.
 */
static void
push_json(lua_State *L, json_t *v, int ro, int depth)
{
	if (depth > DATA_DEPTH)
		luaL_error(L, "data nested more than %d deep", DATA_DEPTH);
	luaL_checkstack(L, 6, NULL);
	if (v == NULL) {
		lua_createtable(L, 0, 0);
		if (ro)
			make_proxy(L);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
	case JSON_ARRAY:
		if (ro)
			push_lazy(L, v, depth);
		else
			push_table(L, v, 0, depth);
		break;
	case JSON_STRING:
		lua_pushlstring(L, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		lua_pushinteger(L, (lua_Integer)json_integer_value(v));
		break;
	case JSON_REAL:
		lua_pushnumber(L, json_real_value(v));
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		lua_pushboolean(L, json_is_true(v));
		break;
	default:
		lua_pushnil(L);
		break;
	}
}

/*
 * Helpers visible to templates.
 */

/*
 * Pushes the value at idx as the text {{ }} writes: nil is "", numbers
 * and booleans as tostring() writes them; a table or function is an
 * error.  Returns the string (len bytes), valid while it is on the stack.
 */
static const char *
printable(lua_State *L, int idx, size_t *len)
{
	switch (lua_type(L, idx)) {
	case LUA_TNONE:
	case LUA_TNIL:
		lua_pushliteral(L, "");
		break;
	case LUA_TSTRING:
		lua_pushvalue(L, idx);
		break;
	case LUA_TNUMBER:
	case LUA_TBOOLEAN:
		luaL_tolstring(L, idx, NULL);
		break;
	case LUA_TTABLE:
		luaL_error(L, "cannot print a table");
		break;
	default:
		luaL_error(L, "cannot print a %s value", luaL_typename(L, idx));
		break;
	}
	return lua_tolstring(L, -1, len);
}

/*
 * escape(v), also what {{ }} calls: v as printable() makes it, with & < >
 * " ' replaced by entities (as buf_put_html does).  A string with none of
 * them is returned as it is, without a copy.
 */
static int
fn_escape(lua_State *L)
{
	luaL_Buffer	 b;
	const char	*s, *ent;
	size_t		 len, i, run;

	s = printable(L, 1, &len);
	for (i = 0; i < len; i++)
		if (s[i] == '&' || s[i] == '<' || s[i] == '>' || s[i] == '"' ||
		    s[i] == '\'')
			break;
	if (i == len)
		return 1;
	luaL_buffinit(L, &b);
	for (run = 0; i < len; i++) {
		switch (s[i]) {
		case '&': ent = "&amp;"; break;
		case '<': ent = "&lt;"; break;
		case '>': ent = "&gt;"; break;
		case '"': ent = "&quot;"; break;
		case '\'': ent = "&#39;"; break;
		default: continue;
		}
		luaL_addlstring(&b, s + run, i - run);
		luaL_addstring(&b, ent);
		run = i + 1;
	}
	luaL_addlstring(&b, s + run, len - run);
	luaL_pushresult(&b);
	return 1;
}

/* What {{{ }}} calls: v as printable() makes it, unescaped. */
static int
fn_raw(lua_State *L)
{
	size_t	 len;

	printable(L, 1, &len);
	return 1;
}

/*
 * 1 if s is a full URL that url() leaves alone: it starts with a scheme
 * ("https:", "mailto:") or with "//".
 */
static int
is_absolute(const char *s, size_t len)
{
	size_t	 i;

	if (len >= 2 && s[0] == '/' && s[1] == '/')
		return 1;
	if (len == 0 || !isalpha((unsigned char)s[0]))
		return 0;
	for (i = 1; i < len; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '+' &&
		    s[i] != '-' && s[i] != '.')
			break;
	return i < len && s[i] == ':';
}

/*
 * url(path) and abs_url(path): the base in upvalue 1 (without its
 * trailing '/'; nil when site has none) joined with path by exactly one
 * '/'.  A full URL is returned unchanged.
 */
static int
fn_url(lua_State *L)
{
	luaL_Buffer	 b;
	const char	*p, *base;
	size_t		 len, blen;

	p = luaL_checklstring(L, 1, &len);
	if (is_absolute(p, len)) {
		lua_settop(L, 1);
		return 1;
	}
	if ((base = lua_tolstring(L, lua_upvalueindex(1), &blen)) == NULL)
		return luaL_error(L, "abs_url: site.base_url is not set");
	while (len > 0 && *p == '/') {
		p++;
		len--;
	}
	luaL_buffinit(L, &b);
	luaL_addlstring(&b, base, blen);
	luaL_addchar(&b, '/');
	luaL_addlstring(&b, p, len);
	luaL_pushresult(&b);
	return 1;
}

/*
 * Pushes site[key] as a base for url(): without its trailing slashes, and
 * for base_path with a leading '/' ("/help/" -> "/help", "/" -> "").
 * Pushes def when site has no such string (def NULL: nil).
 */
static void
push_base(lua_State *L, json_t *site, const char *key, const char *def)
{
	const char	*s = json_string_value(json_object_get(site, key));
	size_t		 len;

	if (s == NULL && (s = def) == NULL) {
		lua_pushnil(L);
		return;
	}
	len = strlen(s);
	while (len > 0 && s[len - 1] == '/')
		len--;
	if (def != NULL && len > 0 && s[0] != '/') {
		lua_pushliteral(L, "/");
		lua_pushlstring(L, s, len);
		lua_concat(L, 2);
	} else
		lua_pushlstring(L, s, len);
}

/* asset(name): site.assets[name] (upvalue 1, a plain table), or an error. */
static int
fn_asset(lua_State *L)
{
	const char	*name = luaL_checkstring(L, 1);

	if (lua_getfield(L, lua_upvalueindex(1), name) != LUA_TSTRING)
		return luaL_error(L, "unknown asset '%s'", name);
	return 1;
}

static const char *const months[12] = {
	"January", "February", "March", "April", "May", "June", "July",
	"August", "September", "October", "November", "December",
};

/* Days in month m (1..12) of year y. */
static int
month_days(int y, int m)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/*
 * Parses "YYYY-MM-DD" (a time may follow after 'T' or ' ') into *y, *m,
 * *d.  Returns 1, or 0 if s is not a valid date.
 */
static int
parse_date(const char *s, size_t len, int *y, int *m, int *d)
{
	size_t	 i;

	if (len < 10 || (len > 10 && s[10] != 'T' && s[10] != ' '))
		return 0;
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? s[i] != '-' :
		    !isdigit((unsigned char)s[i]))
			return 0;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 +
	    (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	return *m >= 1 && *m <= 12 && *d >= 1 && *d <= month_days(*y, *m);
}

/*
 * date(s [, fmt]): formats the date s with %Y %m %d %e (day without
 * padding) %B %b %j %%; English month names; default "%B %e, %Y".
 */
static int
fn_date(lua_State *L)
{
	luaL_Buffer	 b;
	const char	*s, *fmt;
	char		 tmp[16];
	size_t		 len;
	int		 y, m, d, i, yday;

	if (lua_type(L, 1) != LUA_TSTRING)
		return luaL_error(L, "date: expected a \"YYYY-MM-DD\" string, "
		    "got %s", luaL_typename(L, 1));
	s = lua_tolstring(L, 1, &len);
	fmt = luaL_optstring(L, 2, "%B %e, %Y");
	if (!parse_date(s, len, &y, &m, &d))
		return luaL_error(L, "date: \"%s\" is not a date (expected "
		    "YYYY-MM-DD)", s);
	for (yday = d, i = 1; i < m; i++)
		yday += month_days(y, i);
	luaL_buffinit(L, &b);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			luaL_addchar(&b, *fmt);
			continue;
		}
		switch (*++fmt) {
		case 'Y': snprintf(tmp, sizeof(tmp), "%04d", y); break;
		case 'm': snprintf(tmp, sizeof(tmp), "%02d", m); break;
		case 'd': snprintf(tmp, sizeof(tmp), "%02d", d); break;
		case 'e': snprintf(tmp, sizeof(tmp), "%d", d); break;
		case 'j': snprintf(tmp, sizeof(tmp), "%03d", yday); break;
		case 'b': snprintf(tmp, sizeof(tmp), "%.3s", months[m - 1]); break;
		case 'B': luaL_addstring(&b, months[m - 1]); continue;
		case '%': luaL_addchar(&b, '%'); continue;
		case '\0':
			return luaL_error(L, "date: format ends with '%%'");
		default:
			return luaL_error(L, "date: unknown conversion '%%%c' "
			    "(use %%Y %%m %%d %%e %%B %%b %%j %%%%)", *fmt);
		}
		luaL_addstring(&b, tmp);
	}
	luaL_pushresult(&b);
	return 1;
}

/* markdown(s): inline HTML of s (raw); nil gives "". */
static int
fn_markdown(lua_State *L)
{
	struct buf	*b;
	char		*html;

	if (lua_isnoneornil(L, 1)) {
		lua_pushliteral(L, "");
		return 1;
	}
	luaL_checkstring(L, 1);
	b = scratch(L);
	html = md_inline(lua_tostring(L, 1));
	b->data = html;
	b->len = strlen(html);
	b->cap = b->len + 1;
	lua_pushlstring(L, b->data, b->len);
	buf_free(b);
	return 1;
}

/* A key of a table json() writes as an object. */
struct jkey {
	const char	*s;
	size_t		 len;
};

/* Orders object keys bytewise, so that json() output is deterministic. */
static int
cmp_jkey(const void *a, const void *b)
{
	const struct jkey *x = a, *y = b;
	size_t	 n = x->len < y->len ? x->len : y->len;
	int	 c = memcmp(x->s, y->s, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/*
 * Appends s as a JSON string, with "</" written "<\/" (and U+2028/2029
 * escaped) so the text is safe inside <script>.
 */
static void
put_json_string(struct buf *b, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t	 i, run = 0;
	char	 esc[8];

	buf_putc(b, '"');
	for (i = 0; i < len; i++) {
		if (u[i] == '"' || u[i] == '\\')
			snprintf(esc, sizeof(esc), "\\%c", u[i]);
		else if (u[i] == '\n')
			snprintf(esc, sizeof(esc), "\\n");
		else if (u[i] == '\r')
			snprintf(esc, sizeof(esc), "\\r");
		else if (u[i] == '\t')
			snprintf(esc, sizeof(esc), "\\t");
		else if (u[i] < 0x20)
			snprintf(esc, sizeof(esc), "\\u%04x", u[i]);
		else if (u[i] == '/' && i > 0 && u[i - 1] == '<')
			snprintf(esc, sizeof(esc), "\\/");
		else if (u[i] == 0xe2 && i + 2 < len && u[i + 1] == 0x80 &&
		    (u[i + 2] == 0xa8 || u[i + 2] == 0xa9)) {
			snprintf(esc, sizeof(esc), "\\u%s",
			    u[i + 2] == 0xa8 ? "2028" : "2029");
			buf_append(b, s + run, i - run);
			buf_puts(b, esc);
			i += 2;
			run = i + 1;
			continue;
		} else
			continue;
		buf_append(b, s + run, i - run);
		buf_puts(b, esc);
		run = i + 1;
	}
	buf_append(b, s + run, len - run);
	buf_putc(b, '"');
}

/* Appends d with the fewest digits that read back as the same double. */
static void
put_number(struct buf *b, double d)
{
	char	 tmp[40];
	int	 prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	buf_puts(b, tmp);
}

static void	 encode(lua_State *, int, struct buf *, int);

/*
 * Appends the table at idx as JSON: an array when its keys are exactly
 * 1..n, else an object with string keys in sorted order.  An empty table
 * is {} unless it came from an empty JSON array.
 */
static void
encode_table(lua_State *L, int idx, struct buf *b, int depth)
{
	struct jkey	*keys;
	size_t		 n = 0, i;
	int		 top = lua_gettop(L), array;

	if (depth > DATA_DEPTH)
		luaL_error(L, "json: value nested more than %d deep (a cycle?)",
		    DATA_DEPTH);
	luaL_checkstack(L, 8, NULL);
	idx = unwrap(L, idx);
	for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1))
		n++;
	if (n == 0) {
		array = lua_getmetatable(L, idx) &&
		    (luaL_getmetatable(L, ARRAY_MT), lua_rawequal(L, -1, -2));
		buf_puts(b, array ? "[]" : "{}");
		lua_settop(L, top);
		return;
	}
	array = lua_rawlen(L, idx) == n;
	for (i = 1; array && i <= n; i++) {
		array = lua_rawgeti(L, idx, (lua_Integer)i) != LUA_TNIL;
		lua_pop(L, 1);
	}
	if (array) {
		buf_putc(b, '[');
		for (i = 1; i <= n; i++) {
			if (i > 1)
				buf_putc(b, ',');
			lua_rawgeti(L, idx, (lua_Integer)i);
			encode(L, lua_gettop(L), b, depth + 1);
			lua_pop(L, 1);
		}
		buf_putc(b, ']');
		lua_settop(L, top);
		return;
	}
	keys = lua_newuserdatauv(L, n * sizeof(*keys), 0);
	i = 0;
	for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
		if (lua_type(L, -2) != LUA_TSTRING)
			luaL_error(L, "json: cannot write a table with a %s key "
			    "(keys must be 1..n for an array, strings for an "
			    "object)", luaL_typename(L, -2));
		keys[i].s = lua_tolstring(L, -2, &keys[i].len);
		i++;
	}
	xqsort(keys, n, sizeof(*keys), cmp_jkey);
	buf_putc(b, '{');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(b, ',');
		put_json_string(b, keys[i].s, keys[i].len);
		buf_putc(b, ':');
		lua_pushlstring(L, keys[i].s, keys[i].len);
		lua_rawget(L, idx);
		encode(L, lua_gettop(L), b, depth + 1);
		lua_pop(L, 1);
	}
	buf_putc(b, '}');
	lua_settop(L, top);
}

/* Appends the value at idx (an absolute index) to b as JSON. */
static void
encode(lua_State *L, int idx, struct buf *b, int depth)
{
	size_t		 len;
	const char	*s;
	lua_Number	 d;

	if (b->len > JSON_MAX)
		luaL_error(L, "json: output larger than %d MB",
		    (int)(JSON_MAX >> 20));
	switch (lua_type(L, idx)) {
	case LUA_TNONE:
	case LUA_TNIL:
		buf_puts(b, "null");
		break;
	case LUA_TBOOLEAN:
		buf_puts(b, lua_toboolean(L, idx) ? "true" : "false");
		break;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx)) {
			buf_printf(b, LUA_INTEGER_FMT,
			    (LUAI_UACINT)lua_tointeger(L, idx));
			break;
		}
		if (!isfinite(d = lua_tonumber(L, idx)))
			luaL_error(L, "json: cannot write %s",
			    isnan(d) ? "nan" : "an infinite number");
		put_number(b, (double)d);
		break;
	case LUA_TSTRING:
		s = lua_tolstring(L, idx, &len);
		put_json_string(b, s, len);
		break;
	case LUA_TTABLE:
		encode_table(L, idx, b, depth);
		break;
	default:
		luaL_error(L, "json: cannot write a %s value",
		    luaL_typename(L, idx));
		break;
	}
}

/* json(v): v as compact JSON text. */
static int
fn_json(lua_State *L)
{
	struct buf	*b;

	lua_settop(L, 1);
	b = scratch(L);
	encode(L, 1, b, 0);
	lua_pushlstring(L, b->data ? b->data : "", b->len);
	buf_free(b);
	return 1;
}

/*
 * Pushes the environment of the template code that called the running C
 * function: the _ENV local of the innermost Lua frame that has one (a
 * template's main chunk), or its _ENV upvalue (a function the template
 * defined).  Falls back to the base table.
 */
static void
caller_env(lua_State *L, struct tpl_worker *w)
{
	lua_Debug	 ar;
	const char	*name;
	int		 level, i, found;

	for (level = 1; lua_getstack(L, level, &ar); level++) {
		if (!lua_getinfo(L, "S", &ar) || strcmp(ar.what, "C") == 0)
			continue;
		found = 0;
		for (i = 1; (name = lua_getlocal(L, &ar, i)) != NULL; i++) {
			if (strcmp(name, "_ENV") != 0)
				lua_pop(L, 1);
			else if (found++)
				lua_remove(L, -2);
		}
		if (found)
			return;
		lua_getinfo(L, "f", &ar);
		for (i = 1; (name = lua_getupvalue(L, -1, i)) != NULL; i++) {
			if (strcmp(name, "_ENV") == 0 && lua_istable(L, -1)) {
				lua_remove(L, -2);
				return;
			}
			lua_pop(L, 1);
		}
		lua_pop(L, 1);
	}
	lua_rawgeti(L, LUA_REGISTRYINDEX, w->base);
}

/*
 * partial(name [, vars]): renders template name, without layout, in a new
 * environment holding vars' fields that reads through to the caller's.
 */
static int
fn_partial(lua_State *L)
{
	struct tpl_worker	*w = worker(L);
	const struct tpl	*t;
	const char		*name = luaL_checkstring(L, 1);
	int			 vars;

	if (!lua_isnoneornil(L, 2))
		luaL_checktype(L, 2, LUA_TTABLE);
	if ((t = find(w->set, name)) == NULL)
		return luaL_error(L, "partial: unknown template '%s'", name);
	if (w->partials >= PARTIAL_DEPTH)
		return luaL_error(L, "partials nested more than %d deep (does "
		    "'%s' include itself?)", PARTIAL_DEPTH, name);
	lua_settop(L, 2);
	lua_createtable(L, 0, 4);		/* 3: the environment */
	if (!lua_isnil(L, 2)) {
		vars = unwrap(L, 2);
		lua_pushnil(L);
		while (lua_next(L, vars)) {
			lua_pushvalue(L, -2);
			lua_insert(L, -2);
			lua_rawset(L, 3);	/* leaves the key for lua_next */
		}
		lua_settop(L, 3);
	}
	lua_createtable(L, 0, 1);
	caller_env(L, w);
	lua_setfield(L, -2, "__index");
	lua_setmetatable(L, 3);
	w->partials++;
	run(L, w, t, 3);
	w->partials--;
	return 1;
}

/*
 * __newindex of a page's environment: stores the global, and for
 * `layout` notes the template line that set it, for a message about an
 * unknown layout.  (Only the first assignment in a template passes here;
 * later ones find the key set.)
 */
static int
env_set(lua_State *L)
{
	struct tpl_worker	*w = worker(L);
	lua_Debug		 ar;
	const char		*k;
	size_t			 len;
	int			 level;

	if (lua_type(L, 2) == LUA_TSTRING &&
	    (k = lua_tolstring(L, 2, &len), len == 6) &&
	    memcmp(k, "layout", 6) == 0) {
		w->layout_set = 1;
		w->layout_src = NULL;
		w->layout_line = 0;
		for (level = 1; lua_getstack(L, level, &ar); level++) {
			if (lua_getinfo(L, "Sl", &ar) && ar.source[0] == '@' &&
			    ar.currentline > 0) {
				w->layout_src = ar.source + 1;
				w->layout_line = ar.currentline;
				break;
			}
		}
	}
	lua_settop(L, 3);
	lua_rawset(L, 1);
	return 0;
}

/*
 * Rendering.
 */

/*
 * Runs template t with the environment at index env and pushes its output
 * (a string).  Errors propagate to the render's message handler.
 */
static int
run(lua_State *L, struct tpl_worker *w, const struct tpl *t, int env)
{
	int	 type;

	env = lua_absindex(L, env);
	luaL_checkstack(L, 8, NULL);
	lua_rawgeti(L, LUA_REGISTRYINDEX, w->fns);
	lua_rawgeti(L, -1, 4 + (lua_Integer)(t - w->set->v));
	lua_pushvalue(L, env);
	lua_rawgeti(L, -3, 1);
	lua_rawgeti(L, -4, 2);
	lua_rawgeti(L, -5, 3);
	lua_call(L, 4, 1);
	lua_remove(L, -2);
	if ((type = lua_type(L, -1)) == LUA_TNIL) {
		lua_pop(L, 1);
		lua_pushliteral(L, "");
	} else if (type != LUA_TSTRING) {
		lua_pushfstring(L, "the template returned a %s value instead "
		    "of its output", lua_typename(L, type));
		return fail(L, t->path, 0, lua_tostring(L, -1));
	}
	return 1;
}

/*
 * The protected part of tpl_render: arguments page (json_t *) and the
 * template (light userdata).  Makes the page's environment, runs the
 * template and then its layouts; returns the output.
 */
static int
render_main(lua_State *L)
{
	struct tpl_worker	*w = worker(L);
	json_t			*page = lua_touserdata(L, 1);
	const struct tpl	*t = lua_touserdata(L, 2), *lt;
	const char		*name, *path;
	int			 depth, line;

	lua_settop(L, 0);
	rearm(L, w);
	lua_createtable(L, 0, 4);		/* 1: the environment */
	lua_pushliteral(L, "page");
	push_json(L, page, 0, 0);
	lua_rawset(L, 1);
	lua_rawgeti(L, LUA_REGISTRYINDEX, w->env_mt);
	lua_setmetatable(L, 1);
	w->layout_set = 0;
	run(L, w, t, 1);			/* 2: the output so far */
	for (depth = 0;; depth++) {
		lua_pushliteral(L, "layout");
		lua_rawget(L, 1);
		if (lua_isnil(L, -1) && depth == 0 && !w->layout_set) {
			lua_pop(L, 1);
			lua_pushliteral(L, DEFAULT_LAYOUT);
		}
		if (lua_isnil(L, -1) ||
		    (lua_isboolean(L, -1) && !lua_toboolean(L, -1)))
			break;
		path = w->layout_set ? w->layout_src : t->path;
		line = w->layout_set ? w->layout_line : 0;
		if (lua_type(L, -1) != LUA_TSTRING) {
			lua_pushfstring(L, "layout must be a template name or "
			    "false, not a %s", luaL_typename(L, -1));
			return fail(L, path, line, lua_tostring(L, -1));
		}
		name = lua_tostring(L, -1);
		if (depth == LAYOUT_DEPTH) {
			lua_pushfstring(L, "layouts nested more than %d deep "
			    "(does '%s' set itself as its layout?)",
			    LAYOUT_DEPTH, name);
			return fail(L, path, line, lua_tostring(L, -1));
		}
		if ((lt = find(w->set, name)) == NULL) {
			lua_pushfstring(L, "unknown layout '%s'%s", name,
			    w->layout_set ? "" : " (the default layout; set "
			    "{% layout = false %} for none)");
			return fail(L, path, line, lua_tostring(L, -1));
		}
		lua_pushliteral(L, "content");
		lua_pushvalue(L, 2);
		lua_rawset(L, 1);
		lua_pushliteral(L, "layout");
		lua_pushnil(L);
		lua_rawset(L, 1);
		w->layout_set = 0;
		t = lt;
		lua_settop(L, 1);
		run(L, w, lt, 1);
	}
	lua_settop(L, 2);
	return 1;
}

/*
 * Pushes library table lib (made by open) without the named fields, as a
 * read-only proxy, and stores it in the table at base under name.
 */
static void
add_library(lua_State *L, int base, const char *name, lua_CFunction open,
    const char *const *drop)
{
	luaL_requiref(L, name, open, 0);
	for (; drop && *drop; drop++) {
		lua_pushnil(L);
		lua_setfield(L, -2, *drop);
	}
	make_proxy(L);
	lua_setfield(L, base, name);
}

/*
 * Pushes the read-only table every template environment reads through
 * to: the allowed library, the helpers and site.
 */
static void
push_base_table(lua_State *L, json_t *site)
{
	static const char *const basics[] = {
		"pairs", "ipairs", "next", "select", "type", "tostring",
		"tonumber", "error", "assert", "pcall", NULL,
	};
	static const char *const no_dump[] = { "dump", NULL };
	static const char *const no_random[] = { "random", "randomseed", NULL };
	static const luaL_Reg helpers[] = {
		{ "escape", fn_escape }, { "date", fn_date },
		{ "markdown", fn_markdown }, { "json", fn_json },
		{ "partial", fn_partial }, { NULL, NULL },
	};
	const char *const	*p;
	int			 base;

	luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
	lua_createtable(L, 0, 32);
	base = lua_gettop(L);
	for (p = basics; *p; p++) {
		lua_getfield(L, base - 1, *p);
		lua_setfield(L, base, *p);
	}
	add_library(L, base, LUA_STRLIBNAME, luaopen_string, no_dump);
	add_library(L, base, LUA_TABLIBNAME, luaopen_table, NULL);
	add_library(L, base, LUA_MATHLIBNAME, luaopen_math, no_random);
	add_library(L, base, LUA_UTF8LIBNAME, luaopen_utf8, NULL);
	luaL_setfuncs(L, helpers, 0);
	push_base(L, site, "base_path", "/");
	lua_pushcclosure(L, fn_url, 1);
	lua_setfield(L, base, "url");
	push_base(L, site, "base_url", NULL);
	lua_pushcclosure(L, fn_url, 1);
	lua_setfield(L, base, "abs_url");
	push_json(L, json_object_get(site, "assets"), 0, 0);
	lua_pushcclosure(L, fn_asset, 1);
	lua_setfield(L, base, "asset");
	lua_pushliteral(L, DEFAULT_LAYOUT);
	lua_setfield(L, base, "layout");
	push_json(L, site, 1, 0);
	lua_setfield(L, base, "site");
	lua_createtable(L, 0, 1);
	lua_pushcfunction(L, ro_set);
	lua_setfield(L, -2, "__newindex");
	lua_setmetatable(L, base);
	lua_remove(L, base - 1);	/* the global table */
}

/*
 * Pushes the table run() takes functions from: [1] __e, [2] __r, [3]
 * table.concat, [4 + i] template i of the set, loaded from its bytecode.
 */
static void
push_functions(lua_State *L, const struct tpl_set *set)
{
	const struct tpl	*t;
	size_t			 i;

	lua_createtable(L, (int)set->n + 3, 0);
	lua_pushcfunction(L, fn_escape);
	lua_rawseti(L, -2, 1);
	lua_pushcfunction(L, fn_raw);
	lua_rawseti(L, -2, 2);
	luaL_getsubtable(L, LUA_REGISTRYINDEX, LUA_LOADED_TABLE);
	lua_getfield(L, -1, LUA_TABLIBNAME);
	lua_getfield(L, -1, "concat");
	lua_rawseti(L, -4, 3);
	lua_pop(L, 2);
	for (i = 0; i < set->n; i++) {
		t = &set->v[i];
		if (luaL_loadbufferx(L, t->code, t->len, t->path, "b") != LUA_OK)
			lua_error(L);
		/* the chunk's own _ENV is never used: make it nothing */
		lua_pushnil(L);
		lua_setupvalue(L, -2, 1);
		lua_rawseti(L, -2, 4 + (lua_Integer)i);
	}
}

/*
 * Builds a worker's state (run protected, argument site): the read-only
 * base of every template's globals, the environments' metatable, and the
 * set's templates.
 */
static int
setup(lua_State *L)
{
	struct tpl_worker	*w = worker(L);
	json_t			*site = lua_touserdata(L, 1);

	luaL_newmetatable(L, SCRATCH_MT);
	lua_pushcfunction(L, scratch_gc);
	lua_setfield(L, -2, "__gc");
	luaL_newmetatable(L, ARRAY_MT);
	lua_settop(L, 1);

	push_base_table(L, site);		/* 2 */
	lua_createtable(L, 0, 2);		/* environments' metatable */
	lua_pushvalue(L, 2);
	lua_setfield(L, -2, "__index");
	lua_pushcfunction(L, env_set);
	lua_setfield(L, -2, "__newindex");
	w->env_mt = luaL_ref(L, LUA_REGISTRYINDEX);
	lua_createtable(L, 0, 0);
	w->disarmed = luaL_ref(L, LUA_REGISTRYINDEX);
	push_functions(L, w->set);
	w->fns = luaL_ref(L, LUA_REGISTRYINDEX);
	w->base = luaL_ref(L, LUA_REGISTRYINDEX);
	return 0;
}

struct tpl_worker *
tpl_worker_new(const struct tpl_set *set, json_t *site, tpl_expand_fn *expand,
    void *ctx)
{
	struct tpl_worker	*w = xcalloc(1, sizeof(*w));
	lua_State		*L;

	w->set = set;
	w->expand = expand;
	w->expand_ctx = ctx;
	L = luabox_new(&w->box, "template");
	w->L = L;
	*(struct tpl_worker **)lua_getextraspace(L) = w;
	lua_pushcfunction(L, setup);
	lua_pushlightuserdata(L, site);
	if (lua_pcall(L, 1, 0, 0) != LUA_OK) {
		diag_error(NULL, 0, 0, "cannot prepare the templates: %s",
		    lua_tostring(L, -1));
		tpl_worker_free(w);
		return NULL;
	}
	/* The site tables stay for the whole build: in generational mode
	 * the collector stops re-marking them at every cycle, which the
	 * incremental mode did (7% of a 10,000-page build, PERFORMANCE.md). */
	lua_gc(L, LUA_GCGEN, 0, 0);
	return w;
}

void
tpl_worker_free(struct tpl_worker *w)
{
	size_t	 i;

	if (w == NULL)
		return;
	lua_close(w->L);
	for (i = 0; i < w->nexpanded; i++)
		json_decref(w->expanded[i]);
	free(w->expanded);
	free(w->reads);
	free(w);
}

/*
 * Reports the error a render ended with (pcall status rc, error object on
 * top of the stack) through diag; suffix names the page.
 */
static void
report(lua_State *L, const struct tpl *t, int rc, const char *suffix)
{
	const char	*path = t->path, *msg = "unknown error";
	unsigned	 line = 0;

	if (rc == LUA_ERRMEM) {
		diag_error(t->path, 0, 0, "template used more than %zu MB of "
		    "memory%s", LUABOX_MEM_LIMIT >> 20, suffix);
		return;
	}
	if (lua_type(L, -1) == LUA_TTABLE) {
		if (lua_getfield(L, -1, "path") == LUA_TSTRING)
			path = lua_tostring(L, -1);
		lua_getfield(L, -2, "line");
		line = (unsigned)lua_tointeger(L, -1);
		if (lua_getfield(L, -3, "msg") == LUA_TSTRING)
			msg = lua_tostring(L, -1);
	} else if (lua_type(L, -1) == LUA_TSTRING)
		msg = lua_tostring(L, -1);
	diag_error(path, line, 0, "%s%s", msg, suffix);
}

const json_int_t *
tpl_reads(const struct tpl_worker *w, size_t *n)
{
	*n = w->nreads;
	return w->reads;
}

int
tpl_render(struct tpl_worker *w, const char *name, json_t *page,
    struct buf *out)
{
	lua_State		*L = w->L;
	const struct tpl	*t = find(w->set, name);
	const char		*source, *s;
	char			*suffix;
	size_t			 len;
	int			 rc, ok = 0;

	source = json_string_value(json_object_get(page, "source"));
	suffix = source ? xasprintf(" (rendering %s)", source) : xstrdup("");
	if (t == NULL) {
		diag_error(source, 0, 0, "unknown template '%s'", name);
		goto out;
	}
	w->partials = 0;
	luabox_arm(L);
	lua_settop(L, 0);
	lua_pushcfunction(L, msgh);
	lua_pushcfunction(L, render_main);
	lua_pushlightuserdata(L, page);
	lua_pushlightuserdata(L, (void *)t);
	if ((rc = lua_pcall(L, 2, 1, 1)) == LUA_OK) {
		s = lua_tolstring(L, -1, &len);
		buf_append(out, s, len);
		ok = 1;
	} else
		report(L, t, rc, suffix);
	lua_settop(L, 0);
	if (rc == LUA_ERRMEM)
		lua_gc(L, LUA_GCCOLLECT);
out:
	free(suffix);
	return ok;
}
