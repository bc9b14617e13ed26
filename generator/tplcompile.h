/*
 * tplcompile: template text to Lua source (syntax in template.h).
 */
#ifndef PORCH_TPLCOMPILE_H
#define PORCH_TPLCOMPILE_H

#include <stddef.h>

#include "buf.h"

/*
 * Translates the template s (len bytes, from path) into the source of a
 * Lua chunk appended to lua.  The chunk takes (env, escape, raw, concat)
 * and returns the output.  Returns 1, or 0 after reporting the first
 * error (an unclosed or empty tag) as path:line:col through diag.
 */
int	 tpl_translate(const char *path, const char *s, size_t len,
	     struct buf *lua);

#endif
