/*
 * sitelua: site.lua runs in a Lua state of its own, with the base library
 * (minus the functions that load code or print), string, table, math
 * (minus random, so a build is reproducible) and utf8; a memory cap and
 * an instruction budget.  The table it returns is converted to JSON with
 * raw accesses only, outside any Lua call, so a conversion error is a
 * plain return and nothing can longjmp past jansson objects.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lauxlib.h>
#include <lua.h>
#include <lualib.h>

#include "buf.h"
#include "diag.h"
#include "luabox.h"
#include "sitelua.h"
#include "xalloc.h"

#define MAX_DEPTH	100		/* nesting of tables */

/*
 * One step of the key path to the value being converted: a key of the
 * table `table` (key NULL: the list index `index`).  The frames live on
 * the C stack, innermost first.
 */
struct kpath {
	const struct kpath	*up;
	const void		*table;
	const char		*key;
	size_t			 keylen;
	lua_Integer		 index;
};

/*
 * Message handler: turns an error into { line, msg }.  Lua's "chunk:LINE: "
 * prefix gives the line; a message without one (error(x, 0), the budget)
 * takes the line the innermost Lua function is at.
 */
static int
msgh(lua_State *L)
{
	lua_Debug	 ar;
	const char	*msg, *p, *q;
	lua_Integer	 line = 0;
	int		 level;

	if ((msg = lua_tostring(L, 1)) == NULL)
		msg = lua_pushfstring(L, "(error object is a %s value)",
		    luaL_typename(L, 1));
	for (p = msg; (p = strchr(p, ':')) != NULL; p++) {
		for (q = p + 1, line = 0; isdigit((unsigned char)*q) &&
		    line < 1000000; q++)
			line = line * 10 + (*q - '0');
		if (q > p + 1 && q[0] == ':' && q[1] == ' ') {
			msg = q + 2;
			break;
		}
		line = 0;
	}
	for (level = 1; p == NULL && lua_getstack(L, level, &ar); level++) {
		if (lua_getinfo(L, "l", &ar) && ar.currentline > 0) {
			line = ar.currentline;
			break;
		}
	}
	lua_createtable(L, 0, 2);
	lua_pushinteger(L, line);
	lua_setfield(L, -2, "line");
	lua_pushstring(L, msg);
	lua_setfield(L, -2, "msg");
	return 1;
}

/*
 * Runs protected, argument the path: opens the allowed libraries, loads
 * the file as text and runs it under the budget; returns its first
 * result.
 */
static int
run_file(lua_State *L)
{
	static const char *const drop[] = {
		"dofile", "loadfile", "load", "require", "print",
		"collectgarbage", NULL,
	};
	const char		*path = lua_touserdata(L, 1);
	const char *const	*p;

	luaL_requiref(L, LUA_GNAME, luaopen_base, 1);
	luaL_requiref(L, LUA_STRLIBNAME, luaopen_string, 1);
	lua_pushnil(L);
	lua_setfield(L, -2, "dump");
	luaL_requiref(L, LUA_TABLIBNAME, luaopen_table, 1);
	luaL_requiref(L, LUA_MATHLIBNAME, luaopen_math, 1);
	lua_pushnil(L);
	lua_setfield(L, -2, "random");
	lua_pushnil(L);
	lua_setfield(L, -2, "randomseed");
	luaL_requiref(L, LUA_UTF8LIBNAME, luaopen_utf8, 1);
	for (p = drop; *p; p++) {
		lua_pushnil(L);
		lua_setglobal(L, *p);
	}
	lua_settop(L, 0);
	if (luaL_loadfilex(L, path, "t") != LUA_OK)
		return lua_error(L);
	luabox_arm(L);
	lua_call(L, 0, 1);
	luabox_disarm(L);
	return 1;
}

/* 1 if key (len bytes) can be written after a '.' in a key path. */
static int
is_name(const char *key, size_t len)
{
	size_t	 i;

	if (len == 0 || isdigit((unsigned char)key[0]))
		return 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)key[i]) && key[i] != '_')
			return 0;
	return 1;
}

/* Appends the key path kp to b ("tickets.types[2].fields[1]"). */
static void
put_kpath(struct buf *b, const struct kpath *kp)
{
	if (kp == NULL)
		return;
	put_kpath(b, kp->up);
	if (kp->key == NULL)
		buf_printf(b, "[%lld]", (long long)kp->index);
	else if (is_name(kp->key, kp->keylen)) {
		if (kp->up != NULL)
			buf_putc(b, '.');
		buf_append(b, kp->key, kp->keylen);
	} else {
		size_t i;

		buf_puts(b, "[\"");
		for (i = 0; i < kp->keylen; i++) {
			if (kp->key[i] == '\0')
				buf_puts(b, "\\0");	/* keeps the message whole */
			else
				buf_putc(b, kp->key[i]);
		}
		buf_puts(b, "\"]");
	}
}

/*
 * Reports a conversion error about the value at kp (NULL: the returned
 * table itself) as "file: error: KEYPATH: message".  Returns NULL.
 */
static json_t *
conv_error(const char *file, const struct kpath *kp, const char *fmt, ...)
{
	struct buf	 b = { 0 };
	char		 msg[256];
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	put_kpath(&b, kp);
	if (b.len == 0)
		buf_puts(&b, "the returned table");
	diag_error(file, 0, 0, "%s: %s", b.data, msg);
	buf_free(&b);
	return NULL;
}

static json_t	*convert(lua_State *, int, const struct kpath *, int,
		    const char *);

/* A key of a table converted to an object. */
struct skey {
	const char	*s;
	size_t		 len;
};

/* Orders object keys bytewise: JSON output must not depend on Lua's hash. */
static int
cmp_skey(const void *a, const void *b)
{
	const struct skey *x = a, *y = b;
	size_t	 n = x->len < y->len ? x->len : y->len;
	int	 c = memcmp(x->s, y->s, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

/* Converts the table at idx, whose keys are exactly 1..n, to an array. */
static json_t *
convert_array(lua_State *L, int idx, size_t n, const struct kpath *kp,
    int depth, const char *file)
{
	json_t		*arr = json_array(), *v;
	struct kpath	 sub = { kp, lua_topointer(L, idx), NULL, 0, 0 };
	size_t		 i;

	for (i = 1; i <= n; i++) {
		sub.index = (lua_Integer)i;
		lua_rawgeti(L, idx, sub.index);
		v = convert(L, lua_gettop(L), &sub, depth + 1, file);
		lua_pop(L, 1);
		if (v == NULL) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, v);
	}
	return arr;
}

/*
 * Converts the table at idx, whose n keys are all strings, to an object
 * with its keys in sorted order.
 */
static json_t *
convert_object(lua_State *L, int idx, size_t n, const struct kpath *kp,
    int depth, const char *file)
{
	struct skey	*keys = xcalloc(n, sizeof(*keys));
	struct kpath	 sub = { kp, lua_topointer(L, idx), NULL, 0, 0 };
	json_t		*obj = json_object(), *v;
	size_t		 i = 0;

	for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
		keys[i].s = lua_tolstring(L, -2, &keys[i].len);
		i++;
	}
	xqsort(keys, n, sizeof(*keys), cmp_skey);
	for (i = 0; i < n; i++) {
		sub.key = keys[i].s;
		sub.keylen = keys[i].len;
		lua_pushlstring(L, keys[i].s, keys[i].len);
		lua_rawget(L, idx);
		v = convert(L, lua_gettop(L), &sub, depth + 1, file);
		lua_pop(L, 1);
		if (v == NULL)
			goto fail;
		/* A NUL would cut the key short in C and make catalog.json
		 * unreadable for porchd: refused like bad UTF-8. */
		if (memchr(keys[i].s, '\0', keys[i].len) != NULL) {
			json_decref(v);
			conv_error(file, &sub, "the key contains a NUL byte");
			goto fail;
		}
		if (json_object_setn_new(obj, keys[i].s, keys[i].len, v) == -1) {
			conv_error(file, &sub, "the key is not valid UTF-8");
			goto fail;
		}
	}
	free(keys);
	return obj;
fail:
	free(keys);
	json_decref(obj);
	return NULL;
}

/*
 * Converts the table at idx: an array when its keys are exactly 1..n, an
 * object when they are all strings (an empty table is an empty object);
 * anything else, a cycle or too deep a nesting is an error.
 */
static json_t *
convert_table(lua_State *L, int idx, const struct kpath *kp, int depth,
    const char *file)
{
	const struct kpath	*k;
	const void		*self = lua_topointer(L, idx);
	size_t			 n = 0, ints = 0, strs = 0;
	lua_Integer		 bad = 0;

	if (depth > MAX_DEPTH)
		return conv_error(file, kp, "tables nested more than %d deep",
		    MAX_DEPTH);
	for (k = kp; k != NULL; k = k->up)
		if (k->table == self)
			return conv_error(file, kp, "the table contains itself "
			    "(a cycle)");
	if (!lua_checkstack(L, 6))
		return conv_error(file, kp, "tables nested too deeply");
	for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
		n++;
		if (lua_type(L, -2) == LUA_TSTRING)
			strs++;
		else if (lua_isinteger(L, -2))
			ints++;
		else {
			conv_error(file, kp, "a %s key is not allowed (keys "
			    "must be strings, or 1..n for a list)",
			    luaL_typename(L, -2));
			lua_pop(L, 2);
			return NULL;
		}
	}
	if (ints == 0)
		return convert_object(L, idx, n, kp, depth, file);
	for (lua_pushnil(L); lua_next(L, idx); lua_pop(L, 1)) {
		if (lua_type(L, -2) == LUA_TSTRING)
			continue;
		bad = lua_tointeger(L, -2);
		if (bad < 1 || (lua_Unsigned)bad > (lua_Unsigned)n) {
			lua_pop(L, 2);
			break;
		}
		bad = 0;
	}
	if (strs > 0)
		return conv_error(file, kp, "a table cannot have both list "
		    "items and named keys");
	if (bad != 0)
		return conv_error(file, kp, "a list must have keys 1..n "
		    "without gaps (found key %lld among %zu)", (long long)bad, n);
	return convert_array(L, idx, n, kp, depth, file);
}

/*
 * Converts the Lua value at idx (an absolute index) to a new JSON value,
 * or reports why not (naming its key path kp) and returns NULL.
 */
static json_t *
convert(lua_State *L, int idx, const struct kpath *kp, int depth,
    const char *file)
{
	const char	*s;
	json_t		*v;
	size_t		 len;
	lua_Number	 d;

	switch (lua_type(L, idx)) {
	case LUA_TSTRING:
		s = lua_tolstring(L, idx, &len);
		if (memchr(s, '\0', len) != NULL)
			return conv_error(file, kp, "the text contains a NUL byte "
			    "(\\0)");
		if ((v = json_stringn(s, len)) == NULL)
			return conv_error(file, kp, "the text is not valid UTF-8");
		return v;
	case LUA_TNUMBER:
		if (lua_isinteger(L, idx))
			return json_integer((json_int_t)lua_tointeger(L, idx));
		if (!isfinite(d = lua_tonumber(L, idx)))
			return conv_error(file, kp, "%s is not allowed (JSON has "
			    "no such number)", isnan(d) ? "nan" : "infinity");
		return json_real((double)d);
	case LUA_TBOOLEAN:
		return json_boolean(lua_toboolean(L, idx));
	case LUA_TTABLE:
		return convert_table(L, idx, kp, depth, file);
	case LUA_TFUNCTION:
		return conv_error(file, kp, "functions are not allowed");
	default:
		return conv_error(file, kp, "%s values are not allowed",
		    luaL_typename(L, idx));
	}
}

json_t *
sitelua_load(const char *path)
{
	struct luabox	 box;
	lua_State	*L;
	json_t		*v = NULL;
	FILE		*f;
	int		 rc;

	/* Lua's own message would name the file twice */
	if ((f = fopen(path, "r")) == NULL) {
		diag_error(path, 0, 0, "cannot read site.lua: %s",
		    strerror(errno));
		return NULL;
	}
	fclose(f);
	L = luabox_new(&box, "site.lua");
	lua_pushcfunction(L, msgh);
	lua_pushcfunction(L, run_file);
	lua_pushlightuserdata(L, (void *)path);
	rc = lua_pcall(L, 1, 1, 1);
	if (rc == LUA_ERRMEM)
		diag_error(path, 0, 0, "site.lua used more than %zu MB of "
		    "memory", LUABOX_MEM_LIMIT >> 20);
	else if (rc != LUA_OK && lua_istable(L, -1)) {
		lua_getfield(L, -1, "line");
		lua_getfield(L, -2, "msg");
		diag_error(path, (unsigned)lua_tointeger(L, -2), 0, "%s",
		    lua_tostring(L, -1));
	} else if (rc != LUA_OK)
		diag_error(path, 0, 0, "%s", lua_isstring(L, -1) ?
		    lua_tostring(L, -1) : "error while reporting an error");
	else if (!lua_istable(L, -1))
		diag_error(path, 0, 0, "site.lua must return a table, e.g. "
		    "return { title = \"My help\" }");
	else
		v = convert(L, lua_gettop(L), NULL, 0, path);
	lua_close(L);
	return v;
}
