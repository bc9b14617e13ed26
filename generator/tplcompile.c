/*
 * tplcompile: the template language translated to Lua source.  A pure
 * text-to-text step (no Lua state), so it can be tested and fuzzed on its
 * own; template.c compiles the result to bytecode once per build.
 *
 * Every newline of the template is exactly one newline of the Lua source,
 * at the same place, so the line numbers in Lua's messages are the
 * template's.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "diag.h"
#include "tplcompile.h"
#include "xalloc.h"

/* The chunk's frame: its arguments are the environment and the output
 * functions; pieces collect in __o and are joined at the end. */
#define PRELUDE		"local _ENV,__e,__r,__c=... local __o,__n={},0 "
#define EPILOGUE	" return __c(__o,\"\",1,__n)"

#define NONE		((size_t)-1)

/* Converts an offset in s to a 1-based line and column (in bytes). */
static void
position(const char *s, size_t pos, unsigned *line, unsigned *col)
{
	size_t		 i, bol = 0;
	unsigned	 l = 1;

	for (i = 0; i < pos; i++) {
		if (s[i] == '\n') {
			l++;
			bol = i + 1;
		}
	}
	*line = l;
	*col = (unsigned)(pos - bol) + 1;
}

/* 1 for the white space a '-' in a tag trims: blanks and line breaks. */
static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	    c == '\v';
}

/*
 * Writes template text s[a..b) as a Lua statement appending it to the
 * output, with the white space of its ends removed when ltrim or rtrim,
 * then one newline per newline of the whole text, trimmed or not, so that
 * the next line of the chunk is the next line of the template.
 */
static void
emit_text(struct buf *lua, const char *s, size_t a, size_t b, int ltrim,
    int rtrim)
{
	size_t	 ka = a, kb = b, i, run = 0;
	char	 esc[8];

	while (ltrim && ka < kb && is_space(s[ka]))
		ka++;
	while (rtrim && kb > ka && is_space(s[kb - 1]))
		kb--;
	if (kb > ka) {
		buf_puts(lua, "__n=__n+1 __o[__n]=\"");
		for (i = run = ka; i < kb; i++) {
			unsigned char c = (unsigned char)s[i];

			if (c == '\\' || c == '"')
				snprintf(esc, sizeof(esc), "\\%c", c);
			else if (c == '\n')
				snprintf(esc, sizeof(esc), "\\n");
			else if (c == '\r')
				snprintf(esc, sizeof(esc), "\\r");
			else if ((c < 0x20 && c != '\t') || c == 0x7f)
				snprintf(esc, sizeof(esc), "\\%03u", c);
			else
				continue;
			buf_append(lua, s + run, i - run);
			buf_puts(lua, esc);
			run = i + 1;
		}
		buf_append(lua, s + run, kb - run);
		buf_puts(lua, "\" ");
	}
	for (i = a; i < b; i++)
		if (s[i] == '\n')
			buf_putc(lua, '\n');
}

/*
 * The level of a Lua long bracket "[==[" opening at s[p] ('['), or -1
 * when s[p] does not open one.
 */
static int
long_level(const char *s, size_t len, size_t p)
{
	size_t	 q = p + 1;

	while (q < len && s[q] == '=')
		q++;
	if (q < len && s[q] == '[' && q - p - 1 < 1000)
		return (int)(q - p - 1);
	return -1;
}

/*
 * Skips the long bracket of the given level opening at s[p]; returns the
 * offset after its closing "]==]", or NONE if it is not closed.
 */
static size_t
skip_long(const char *s, size_t len, size_t p, int level)
{
	size_t	 q = p + (size_t)level + 2, k;

	for (; q < len; q++) {
		if (s[q] != ']')
			continue;
		for (k = 1; q + k < len && s[q + k] == '=' && k <= (size_t)level;
		    k++)
			;
		if (k == (size_t)level + 1 && q + k < len && s[q + k] == ']')
			return q + k + 1;
	}
	return NONE;
}

/*
 * Skips the quoted Lua string opening at s[p]; returns the offset after
 * its closing quote, or NONE when a line break or the end comes first
 * (Lua would say "unfinished string").
 */
static size_t
skip_string(const char *s, size_t len, size_t p)
{
	size_t	 q = p + 1;

	while (q < len) {
		if (s[q] == s[p])
			return q + 1;
		if (s[q] == '\n' || s[q] == '\r')
			return NONE;
		if (s[q] == '\\' && q + 1 < len && s[q + 1] == 'z') {
			/* \z skips the white space after it, newlines too */
			for (q += 2; q < len && is_space(s[q]); q++)
				;
			continue;
		}
		q += s[q] == '\\' ? 2 : 1;
	}
	return NONE;
}

/*
 * Reports a compile error at offset pos of the template at path.
 */
static void
tr_error(const char *path, const char *s, size_t pos, const char *msg,
    const char *arg)
{
	unsigned	 line, col;

	position(s, pos, &line, &col);
	diag_error(path, line, col, msg, arg);
}

/*
 * Copies the Lua code of a tag from s[p] into code, up to close ("}}",
 * "}}}" or "%}"), skipping over strings and comments so that "}}" inside
 * them does not end the tag.  Line comments are left out, and end at the
 * end of their line or at close, whichever comes first, so that
 * "{% f() -- why %}" works.  *lastp is the offset of the last byte
 * copied.  Returns the offset of close, or NONE after reporting an error
 * (open is the offset of the tag, for the message).
 */
static size_t
scan_code(const char *path, const char *s, size_t len, size_t p,
    const char *close, size_t open, struct buf *code, size_t *lastp)
{
	size_t	 cl = strlen(close), q;
	int	 level;

	*lastp = NONE;
	while (p < len) {
		if (len - p >= cl && memcmp(s + p, close, cl) == 0)
			return p;
		q = p + 1;
		if (s[p] == '"' || s[p] == '\'') {
			if ((q = skip_string(s, len, p)) == NONE) {
				tr_error(path, s, p, "unfinished string in a tag%s",
				    "");
				return NONE;
			}
		} else if (s[p] == '[' && (level = long_level(s, len, p)) >= 0) {
			if ((q = skip_long(s, len, p, level)) == NONE) {
				tr_error(path, s, p, "unfinished long string%s", "");
				return NONE;
			}
		} else if (s[p] == '-' && p + 1 < len && s[p + 1] == '-') {
			if (p + 2 < len && s[p + 2] == '[' &&
			    (level = long_level(s, len, p + 2)) >= 0) {
				if ((q = skip_long(s, len, p + 2, level)) == NONE) {
					tr_error(path, s, p,
					    "unfinished long comment%s", "");
					return NONE;
				}
			} else {
				for (q = p + 2; q < len && s[q] != '\n' &&
				    !(len - q >= cl && memcmp(s + q, close, cl) == 0);
				    q++)
					;
				p = q;
				continue;
			}
		}
		buf_append(code, s + p, q - p);
		*lastp = q - 1;
		p = q;
	}
	tr_error(path, s, open, close[0] == '%' ? "unclosed '{%%' (expected '%%}')%s" :
	    cl == 3 ? "unclosed '{{{' (expected '}}}')%s" :
	    "unclosed '{{' (expected '}}')%s", "");
	return NONE;
}

/* 1 if code is only white space. */
static int
is_blank(const struct buf *code)
{
	size_t	 i;

	for (i = 0; i < code->len; i++)
		if (!is_space(code->data[i]))
			return 0;
	return 1;
}

/*
 * Finds the next tag ("{{", "{%" or "{#") in s from pos; returns its
 * offset, or len when there is none.
 */
static size_t
next_tag(const char *s, size_t len, size_t pos)
{
	const char	*p;

	while (pos + 1 < len &&
	    (p = memchr(s + pos, '{', len - pos - 1)) != NULL) {
		pos = (size_t)(p - s);
		if (s[pos + 1] == '{' || s[pos + 1] == '%' || s[pos + 1] == '#')
			return pos;
		pos++;
	}
	return len;
}

/*
 * Translates the comment tag at s[t], whose text starts at cs, into one
 * newline per newline it holds.  Sets *end and *trim as emit_tag does.
 * Returns 1, or 0 after reporting that it is not closed.
 */
static int
emit_comment(const char *path, const char *s, size_t len, size_t t,
    size_t cs, struct buf *lua, size_t *end, int *trim)
{
	const char	*closing = memmem(s + cs, len - cs, "#}", 2);
	size_t		 ce, i;

	if (closing == NULL) {
		tr_error(path, s, t, "unclosed '{#' (expected '#}')%s", "");
		return 0;
	}
	ce = (size_t)(closing - s);
	*trim = ce > cs && s[ce - 1] == '-';
	*end = ce + 2;
	for (i = t; i < ce; i++)
		if (s[i] == '\n')
			buf_putc(lua, '\n');
	return 1;
}

/*
 * Writes the code of a tag: for an expression (call "__e(" or "__r(") the
 * statement appending its value, else the statements themselves.
 */
static void
emit_code(struct buf *lua, struct buf *code, const char *call)
{
	size_t	 i;

	/* Lua counts a lone CR as a line break, the line numbers here do not */
	for (i = 0; i < code->len; i++)
		if (code->data[i] == '\r' &&
		    (i + 1 == code->len || code->data[i + 1] != '\n'))
			code->data[i] = ' ';
	if (call == NULL) {
		buf_putc(lua, ' ');
		buf_append(lua, code->data, code->len);
		buf_puts(lua, " ;");
		return;
	}
	/*
	 * The ')' goes right after the expression, before the white space
	 * ending the tag: Lua gives an expression's error the line of the
	 * token after it.
	 */
	for (i = code->len; i > 0 && is_space(code->data[i - 1]); i--)
		;
	buf_puts(lua, "__n=__n+1 __o[__n]=");
	buf_puts(lua, call);
	buf_append(lua, code->data, i);
	buf_putc(lua, ')');
	buf_append(lua, code->data + i, code->len - i);
	buf_putc(lua, ' ');
}

/*
 * Translates one tag at s[t] (after its text has been written) into lua.
 * Sets *end to the offset after the tag and *trim to whether it trims the
 * text after it.  Returns 1, or 0 after reporting an error.
 */
static int
emit_tag(const char *path, const char *s, size_t len, size_t t,
    struct buf *lua, size_t *end, int *trim)
{
	struct buf	 code = { 0 };
	const char	*close, *call;
	size_t		 cs, ce, last;
	int		 ok = 0;

	if (s[t + 1] == '{' && t + 2 < len && s[t + 2] == '{') {
		close = "}}}";
		call = "__r(";
		cs = t + 3;
	} else {
		close = s[t + 1] == '{' ? "}}" : s[t + 1] == '%' ? "%}" : "#}";
		call = s[t + 1] == '{' ? "__e(" : NULL;
		cs = t + 2;
	}
	if (cs < len && s[cs] == '-')
		cs++;
	if (s[t + 1] == '#')
		return emit_comment(path, s, len, t, cs, lua, end, trim);

	if ((ce = scan_code(path, s, len, cs, close, t, &code, &last)) == NONE)
		goto out;
	if (strcmp(close, "}}") == 0 && ce + 2 < len && s[ce + 2] == '}') {
		tr_error(path, s, t, "'{{' closed with '}}}' (write '{{ x }}', "
		    "or '{{{ x }}}' for raw output)%s", "");
		goto out;
	}
	*trim = ce > cs && s[ce - 1] == '-';
	if (*trim && last == ce - 1)
		code.len--;
	*end = ce + strlen(close);
	if (call != NULL && is_blank(&code)) {
		tr_error(path, s, t, "empty '%s'", close[2] == '}' ?
		    "{{{ }}}" : "{{ }}");
		goto out;
	}
	emit_code(lua, &code, call);
	ok = 1;
out:
	buf_free(&code);
	return ok;
}

/*
 * Translates the template s (len bytes, from path) into the Lua chunk
 * described at the top of this file, appended to lua.  Returns 1, or 0
 * after reporting the first error through diag.
 */
int
tpl_translate(const char *path, const char *s, size_t len, struct buf *lua)
{
	size_t	 pos = 0, t;
	int	 trim_after = 0, trim_before;

	buf_puts(lua, PRELUDE);
	for (;;) {
		t = next_tag(s, len, pos);
		trim_before = t < len && ((t + 2 < len && s[t + 2] == '-') ||
		    (t + 3 < len && s[t + 1] == '{' && s[t + 2] == '{' &&
		    s[t + 3] == '-'));
		emit_text(lua, s, pos, t, trim_after, trim_before);
		if (t == len)
			break;
		if (!emit_tag(path, s, len, t, lua, &pos, &trim_after))
			return 0;
	}
	buf_puts(lua, EPILOGUE);
	return 1;
}

