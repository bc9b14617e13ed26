/*
 * sitelua: runs a site's site.lua in a sandbox and gives back the table it
 * returns as JSON, so the rest of the generator (and catalog.json) never
 * touches Lua for configuration.
 */
#ifndef PORCH_SITELUA_H
#define PORCH_SITELUA_H

#include <jansson.h>

/*
 * Runs path (a Lua chunk that must `return { ... }`) with no io, os, require
 * or load, and an instruction budget.  Converts the result: tables whose
 * keys are exactly 1..n become arrays (an empty table becomes an empty
 * object), other tables objects with string keys; strings, numbers
 * (integers stay integers), booleans.  A function, userdata, a non-string
 * key in a map, a cycle or a non-UTF-8 string is an error naming its key
 * path ("tickets.types[2].fields[1]: functions are not allowed").  On error
 * reports "path:line: message" through diag and returns NULL.  The caller
 * owns the returned object (json_decref).
 */
json_t	*sitelua_load(const char *path);

#endif
