/*
 * front: YAML front matter, split from the body, read with libyaml's event
 * API into a tree of fm_value, then checked against the content model.
 *
 * Positions.  libyaml counts lines itself, and it also breaks lines at a
 * lone '\r', U+0085, U+2028 and U+2029, which editors mostly do not.  So
 * positions are computed from the character index of libyaml's marks by
 * walking the text and counting '\n' only: the line is then the one an
 * editor shows, and it stays right whatever the file contains.  Columns
 * count characters (code points) from 1, as libyaml's do.
 */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "buf.h"
#include "diag.h"
#include "front.h"
#include "xalloc.h"

#define MAX_DEPTH	64	/* front matter needs 3 levels; stops stack abuse */
#define SHOW_MAX	40	/* characters of a value quoted in a message */

struct reader {
	const char	*path;
	const char	*text;		/* the YAML between the marker lines */
	size_t		 len;
	unsigned	 line0;		/* file line of the YAML's first line */
	yaml_parser_t	 yp;
	int		 errors;	/* problems that did not stop the parse */
	size_t		 at_index;	/* locate()'s cursor: a character index, */
	size_t		 at_byte;	/* its byte offset in text */
	unsigned	 at_line;	/* and its position in the file */
	unsigned	 at_col;
};

/*
 * Number of bytes of the UTF-8 sequence that starts with byte c; 1 for a
 * stray continuation or invalid byte so that a walk always moves on.
 */
static size_t
char_width(unsigned char c)
{
	if (c < 0xc0)
		return 1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	if (c < 0xf8)
		return 4;
	return 1;
}

/* Puts locate()'s cursor back at the start of the YAML. */
static void
rewind_cursor(struct reader *r)
{
	r->at_index = 0;
	r->at_byte = 0;
	r->at_line = r->line0;
	r->at_col = 1;
}

/* Moves the cursor one character forward; the caller checks the end. */
static void
step(struct reader *r)
{
	unsigned char	 c = (unsigned char)r->text[r->at_byte];
	size_t		 w = char_width(c);

	if (w > r->len - r->at_byte)
		w = r->len - r->at_byte;
	r->at_byte += w;
	r->at_index++;
	if (c == '\n') {
		r->at_line++;
		r->at_col = 1;
	} else
		r->at_col++;
}

/*
 * Converts a libyaml character index to a file position in *line, *col
 * and returns its byte offset in the YAML.  Marks mostly come in order, so
 * the walk goes on from the previous call and the whole parse stays linear.
 */
static size_t
locate(struct reader *r, size_t index, unsigned *line, unsigned *col)
{
	if (index < r->at_index)
		rewind_cursor(r);
	while (r->at_index < index && r->at_byte < r->len)
		step(r);
	*line = r->at_line;
	*col = r->at_col;
	return r->at_byte;
}

/* Like locate() for a byte offset (libyaml's reader errors give those). */
static void
locate_byte(struct reader *r, size_t off, unsigned *line, unsigned *col)
{
	rewind_cursor(r);
	while (r->at_byte < off && r->at_byte < r->len)
		step(r);
	*line = r->at_line;
	*col = r->at_col;
}

/*
 * Appends s (len bytes) to b in single quotes for a message: cut after
 * SHOW_MAX characters with "...", line breaks, tabs and other control
 * characters written as escapes, so that a message stays on one line.
 */
static void
put_shown(struct buf *b, const char *s, size_t len)
{
	size_t	 i, nchars = 0;
	unsigned char c;

	buf_putc(b, '\'');
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if ((c & 0xc0) != 0x80 && nchars++ == SHOW_MAX) {
			buf_puts(b, "...");
			break;
		}
		if (c == '\n')
			buf_puts(b, "\\n");
		else if (c == '\t')
			buf_puts(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(b, "\\x%02x", c);
		else
			buf_putc(b, (char)c);
	}
	buf_putc(b, '\'');
}

/*
 * Describes v for a message that says what was found: the quoted text of
 * a scalar, or "a list", "a map", "an empty value".  Returns a heap string
 * the caller frees.
 */
char *
front_describe(const struct fm_value *v)
{
	struct buf	 b = { 0 };

	switch (v->kind) {
	case FM_NULL:
		buf_puts(&b, "an empty value");
		break;
	case FM_LIST:
		buf_puts(&b, "a list");
		break;
	case FM_MAP:
		buf_puts(&b, "a map");
		break;
	default:
		put_shown(&b, v->str ? v->str : "",
		    v->str ? strlen(v->str) : 0);
		break;
	}
	return buf_take(&b);
}

/* True when the line s (n bytes, without its '\n') is marker m ("---"
 * or "...") followed only by spaces, tabs and a final '\r'. */
static int
is_marker(const char *s, size_t n, const char *m)
{
	size_t	 i;

	if (n < 3 || memcmp(s, m, 3) != 0)
		return 0;
	for (i = 3; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && !(s[i] == '\r' && i == n - 1))
			return 0;
	return 1;
}

/*
 * Finds the front matter block in text.  Returns 0 when the file has none,
 * -1 when it is opened but never closed, 1 when found: then the YAML is
 * text[*ystart, *yend) and the body starts at *body_off, line *body_line.
 */
static int
split(const char *text, size_t len, size_t *ystart, size_t *yend,
    size_t *body_off, unsigned *body_line)
{
	const char	*eol;
	size_t		 p = 0, n;
	unsigned	 line = 2;

	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		p = 3;
	eol = memchr(text + p, '\n', len - p);
	n = eol ? (size_t)(eol - (text + p)) : len - p;
	if (!is_marker(text + p, n, "---"))
		return 0;
	if (eol == NULL)
		return -1;
	*ystart = p = (size_t)(eol - text) + 1;
	while (p < len) {
		eol = memchr(text + p, '\n', len - p);
		n = eol ? (size_t)(eol - (text + p)) : len - p;
		if (is_marker(text + p, n, "---") ||
		    is_marker(text + p, n, "...")) {
			*yend = p;
			*body_off = eol ? (size_t)(eol - text) + 1 : len;
			*body_line = line + 1;
			return 1;
		}
		if (eol == NULL)
			break;
		p = (size_t)(eol - text) + 1;
		line++;
	}
	return -1;
}

/* Returns a short hint for a libyaml problem, "" when there is none. */
static const char *
syntax_hint(const char *problem, const char *context, int c)
{
	if (strstr(problem, "tab character") != NULL)
		return "; indent with spaces, not tabs";
	if (strcmp(problem, "found character that cannot start any token") == 0)
		return c == '\t' ? "; indent with spaces, not tabs" :
		    "; put a value that starts with this character in quotes";
	if (strcmp(problem, "mapping values are not allowed in this context") == 0)
		return "; put a value that contains ': ' in quotes";
	if (strcmp(problem, "could not find expected ':'") == 0)
		return "; write each entry as 'key: value'";
	if (strcmp(problem, "did not find expected key") == 0)
		return "; check the indentation of this line";
	if (context != NULL &&
	    strcmp(context, "while scanning a quoted scalar") == 0)
		return "; a quote is opened but not closed";
	return "";
}

/*
 * Appends libyaml's problem text to b, made plainer where it speaks of
 * YAML internals: the character that cannot start a token is named, and
 * the "end of stream" is the end of the front matter.  c is the byte at
 * the problem mark (0 at the end).
 */
static void
put_problem(struct buf *b, const char *problem, int c)
{
	if (strcmp(problem, "found character that cannot start any token") == 0) {
		if (c == '\t')
			buf_puts(b, "found a tab character");
		else if (c > 0x20 && c < 0x7f)
			buf_printf(b, "found character '%c'", c);
		else
			buf_puts(b, "found a character");
		buf_puts(b, " that cannot start any token");
	} else if (strcmp(problem, "found unexpected end of stream") == 0)
		buf_puts(b, "found the end of the front matter");
	else
		buf_puts(b, problem);
}

/*
 * Reports a scanner or parser error at libyaml's problem mark, with its
 * context ("while scanning a simple key") and where that context started
 * when it is elsewhere.
 */
static void
syntax_error(struct reader *r)
{
	yaml_parser_t	*p = &r->yp;
	struct buf	 b = { 0 };
	const char	*problem = p->problem ? p->problem : "syntax error";
	unsigned	 line, col, cline, ccol;
	size_t		 off;
	int		 c;

	/*
	 * A key without ':' is only found out at the next line, where
	 * libyaml's problem mark is; the line to fix is where the key began.
	 */
	if (strcmp(problem, "could not find expected ':'") == 0)
		off = locate(r, p->context_mark.index, &line, &col);
	else
		off = locate(r, p->problem_mark.index, &line, &col);
	c = off < r->len ? (unsigned char)r->text[off] : 0;
	put_problem(&b, problem, c);
	if (p->context != NULL) {
		buf_printf(&b, " (%s", p->context);
		locate(r, p->context_mark.index, &cline, &ccol);
		if (cline != line || ccol != col)
			buf_printf(&b, " at line %u, column %u", cline, ccol);
		buf_putc(&b, ')');
	}
	buf_puts(&b, syntax_hint(problem, p->context, c));
	diag_error(r->path, line, col, "%s", b.data);
	buf_free(&b);
}

/* Reports why yaml_parser_parse failed. */
static void
yaml_failed(struct reader *r)
{
	yaml_parser_t	*p = &r->yp;
	const char	*problem = p->problem ? p->problem : "out of memory";
	unsigned	 line, col;

	switch (p->error) {
	case YAML_READER_ERROR:
		locate_byte(r, p->problem_offset, &line, &col);
		if (strstr(problem, "UTF-8") != NULL)
			diag_error(r->path, line, col, "found bytes that are "
			    "not valid UTF-8 (%s); save the file as UTF-8",
			    problem);
		else if (p->problem_value != -1)
			diag_error(r->path, line, col, "found character "
			    "U+%04X (%s)", (unsigned)p->problem_value, problem);
		else
			diag_error(r->path, line, col, "%s", problem);
		break;
	case YAML_SCANNER_ERROR:
	case YAML_PARSER_ERROR:
		syntax_error(r);
		break;
	default:
		diag_error(r->path, r->line0 - 1, 1,
		    "could not read the front matter (%s)", problem);
		break;
	}
}

/* Gets the next event into *ev; on failure reports it and returns 0
 * (then there is nothing in *ev to delete). */
static int
next_event(struct reader *r, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&r->yp, ev)) {
		yaml_failed(r);
		return 0;
	}
	return 1;
}

/*
 * Reports anchors and tags on a node: both are rare in front matter and
 * make it hard to read for the writers who maintain it.  Not fatal.
 */
static void
check_props(struct reader *r, const yaml_char_t *anchor,
    const yaml_char_t *tag, unsigned line, unsigned col)
{
	static const char yaml_tag[] = "tag:yaml.org,2002:";
	struct buf	 b = { 0 };
	const char	*t = (const char *)tag;
	char		*shown;

	if (anchor != NULL) {
		diag_error(r->path, line, col, "anchors ('&%s') are not "
		    "supported in front matter; write the value out",
		    (const char *)anchor);
		r->errors++;
	}
	if (t == NULL)
		return;
	if (strncmp(t, yaml_tag, sizeof(yaml_tag) - 1) == 0) {
		buf_puts(&b, "!!");
		t += sizeof(yaml_tag) - 1;
	}
	buf_puts(&b, t);
	shown = buf_take(&b);
	put_shown(&b, shown, strlen(shown));
	diag_error(r->path, line, col, "tags such as %s are not supported "
	    "in front matter; put the value in quotes to make it text",
	    b.data);
	buf_free(&b);
	free(shown);
	r->errors++;
}

/* True for the YAML 1.2 core schema's null words and the empty string. */
static int
is_null_word(const char *s)
{
	return *s == '\0' || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 ||
	    strcmp(s, "Null") == 0 || strcmp(s, "NULL") == 0;
}

/* Returns 1 or 0 for the core schema's true/false words, -1 otherwise. */
static int
bool_word(const char *s)
{
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 ||
	    strcmp(s, "TRUE") == 0)
		return 1;
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 ||
	    strcmp(s, "FALSE") == 0)
		return 0;
	return -1;
}

/* Skips the digits at s and returns how many there were. */
static size_t
digits(const char **s)
{
	const char	*p = *s;

	while (**s >= '0' && **s <= '9')
		(*s)++;
	return (size_t)(*s - p);
}

int
front_is_int_text(const char *s)
{
	if (*s == '-' || *s == '+')
		s++;
	return digits(&s) > 0 && *s == '\0';
}

/* True for the core schema's decimal float:
 * [-+]? ( \.[0-9]+ | [0-9]+ ( \.[0-9]* )? ) ( [eE][-+]?[0-9]+ )?
 * (.inf and .nan are left as text: front matter has no use for them). */
static int
is_float_word(const char *s)
{
	size_t	 n;

	if (*s == '-' || *s == '+')
		s++;
	n = digits(&s);
	if (*s == '.') {
		s++;
		n += digits(&s);
	}
	if (n == 0)
		return 0;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '-' || *s == '+')
			s++;
		if (digits(&s) == 0)
			return 0;
	}
	return *s == '\0';
}

/* strtod in the C locale, whatever LC_NUMERIC the process has. */
static double
c_strtod(const char *s)
{
	locale_t	 c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	double		 d;

	if (c == (locale_t)0)
		return strtod(s, NULL);
	d = strtod_l(s, NULL, c);
	freelocale(c);
	return d;
}

/*
 * Types a plain scalar v->str per the core schema.  A number too large is
 * reported (not fatal) and left as text.
 */
static void
type_plain(struct reader *r, struct fm_value *v)
{
	int	 b;

	if (is_null_word(v->str))
		v->kind = FM_NULL;
	else if ((b = bool_word(v->str)) != -1) {
		v->kind = FM_BOOL;
		v->b = b;
	} else if (front_is_int_text(v->str)) {
		errno = 0;
		v->i = strtoll(v->str, NULL, 10);
		if (errno == ERANGE) {
			diag_error(r->path, v->line, v->col, "number '%s' is "
			    "too large: integers must be between %lld and %lld "
			    "(put it in quotes to use it as text)", v->str,
			    LLONG_MIN, LLONG_MAX);
			r->errors++;
			v->i = 0;
		} else
			v->kind = FM_INT;
	} else if (is_float_word(v->str)) {
		v->f = c_strtod(v->str);
		if (isinf(v->f)) {
			diag_error(r->path, v->line, v->col, "number '%s' is "
			    "too large (put it in quotes to use it as text)",
			    v->str);
			r->errors++;
			v->f = 0;
		} else
			v->kind = FM_FLOAT;
	}
}

/*
 * Returns a heap copy of the text of scalar event ev, at line:col.  A NUL
 * in it (from a "\0" escape) is reported, as C strings would cut it, and
 * *ok cleared.
 */
static char *
scalar_text(struct reader *r, const yaml_event_t *ev, unsigned line,
    unsigned col, int *ok)
{
	const char	*s = (const char *)ev->data.scalar.value;
	size_t		 n = ev->data.scalar.length;

	*ok = memchr(s, '\0', n) == NULL;
	if (!*ok) {
		diag_error(r->path, line, col,
		    "text must not contain a NUL character ('\\0')");
		r->errors++;
	}
	return xstrndup(s, n);
}

/* Fills v from a scalar event; v->line, v->col are set.  Plain scalars
 * are typed, quoted ones are always text. */
static void
read_scalar(struct reader *r, const yaml_event_t *ev, struct fm_value *v)
{
	int	 ok;

	v->kind = FM_STRING;
	v->str = scalar_text(r, ev, v->line, v->col, &ok);
	if (ok && ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
		type_plain(r, v);
}

static int	read_node(struct reader *, const yaml_event_t *,
		    struct fm_value *, int);

/* Reads the items of a sequence into v up to its end event. */
static int
read_list(struct reader *r, struct fm_value *v, int depth)
{
	yaml_event_t	 ev;
	size_t		 cap = 0;
	int		 ok;

	for (;;) {
		if (!next_event(r, &ev))
			return 0;
		if (ev.type == YAML_SEQUENCE_END_EVENT) {
			yaml_event_delete(&ev);
			return 1;
		}
		v->items = xreallocarray(v->items, v->n + 1,
		    sizeof(*v->items), &cap);
		memset(&v->items[v->n], 0, sizeof(*v->items));
		v->n++;
		ok = read_node(r, &ev, &v->items[v->n - 1], depth + 1);
		yaml_event_delete(&ev);
		if (!ok)
			return 0;
	}
}

/* Reports key pair as a repeat of the earlier first. */
static void
duplicate(struct reader *r, const struct fm_pair *pair,
    const struct fm_pair *first)
{
	struct buf	 key = { 0 };

	put_shown(&key, pair->key, strlen(pair->key));
	diag_error(r->path, pair->line, pair->col, "duplicate key %s (first "
	    "given at line %u)", key.data, first->line);
	buf_free(&key);
	r->errors++;
}

/*
 * Checks the key event of pair (the last in map) and sets pair->key: a key
 * must be non-empty text, and must not repeat an earlier one.  A list or
 * map as key is read (to get past it), reported, and dropped.
 */
static int
read_key(struct reader *r, const yaml_event_t *ev, struct fm_value *map,
    struct fm_pair *pair, int depth)
{
	struct fm_value	 tmp = { 0 };
	size_t		 i;
	int		 ok;

	if (ev->type != YAML_SCALAR_EVENT) {
		if (ev->type != YAML_ALIAS_EVENT) {
			diag_error(r->path, pair->line, pair->col, "keys must "
			    "be plain text, found %s", ev->type ==
			    YAML_SEQUENCE_START_EVENT ? "a list" : "a map");
			r->errors++;
		}
		ok = read_node(r, ev, &tmp, depth + 1);
		front_free(&tmp);
		pair->key = xstrdup("");
		return ok;
	}
	check_props(r, ev->data.scalar.anchor, ev->data.scalar.tag,
	    pair->line, pair->col);
	pair->key = scalar_text(r, ev, pair->line, pair->col, &ok);
	if (!ok)
		return 1;
	if (*pair->key == '\0') {
		diag_error(r->path, pair->line, pair->col, "found an empty key");
		r->errors++;
		return 1;
	}
	for (i = 0; map->pairs + i != pair; i++)
		if (strcmp(map->pairs[i].key, pair->key) == 0) {
			duplicate(r, pair, &map->pairs[i]);
			break;
		}
	return 1;
}

/* Reads the pairs of a mapping into v up to its end event. */
static int
read_map(struct reader *r, struct fm_value *v, int depth)
{
	yaml_event_t	 ev;
	struct fm_pair	*pair;
	size_t		 cap = 0;
	int		 ok;

	for (;;) {
		if (!next_event(r, &ev))
			return 0;
		if (ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return 1;
		}
		v->pairs = xreallocarray(v->pairs, v->n + 1,
		    sizeof(*v->pairs), &cap);
		pair = &v->pairs[v->n++];
		memset(pair, 0, sizeof(*pair));
		locate(r, ev.start_mark.index, &pair->line, &pair->col);
		ok = read_key(r, &ev, v, pair, depth);
		yaml_event_delete(&ev);
		if (!ok || !next_event(r, &ev))
			return 0;
		ok = read_node(r, &ev, &pair->value, depth + 1);
		yaml_event_delete(&ev);
		if (!ok)
			return 0;
	}
}

/*
 * Reads the node that starts with event ev (owned by the caller) into v,
 * which is zeroed.  Returns 0 after a fatal error (syntax, nesting); v is
 * then partly filled but always consistent, for front_free.  Problems that
 * do not stop the parse are counted in r->errors.
 */
static int
read_node(struct reader *r, const yaml_event_t *ev, struct fm_value *v,
    int depth)
{
	locate(r, ev->start_mark.index, &v->line, &v->col);
	if (depth > MAX_DEPTH) {
		diag_error(r->path, v->line, v->col, "front matter is nested "
		    "more than %d levels deep", MAX_DEPTH);
		return 0;
	}
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		check_props(r, ev->data.scalar.anchor, ev->data.scalar.tag,
		    v->line, v->col);
		read_scalar(r, ev, v);
		return 1;
	case YAML_SEQUENCE_START_EVENT:
		check_props(r, ev->data.sequence_start.anchor,
		    ev->data.sequence_start.tag, v->line, v->col);
		v->kind = FM_LIST;
		return read_list(r, v, depth);
	case YAML_MAPPING_START_EVENT:
		check_props(r, ev->data.mapping_start.anchor,
		    ev->data.mapping_start.tag, v->line, v->col);
		v->kind = FM_MAP;
		return read_map(r, v, depth);
	case YAML_ALIAS_EVENT:
		diag_error(r->path, v->line, v->col, "aliases ('*%s') are not "
		    "supported in front matter; write the value out",
		    (const char *)ev->data.alias.anchor);
		r->errors++;
		return 1;
	default:
		diag_error(r->path, v->line, v->col,
		    "unexpected YAML event %d", (int)ev->type);
		return 0;
	}
}

/* Reports a top level that is not a mapping, saying what it is. */
static void
not_a_map(struct reader *r, const yaml_event_t *ev)
{
	struct buf	 found = { 0 };
	unsigned	 line, col;

	locate(r, ev->start_mark.index, &line, &col);
	if (ev->type == YAML_SCALAR_EVENT)
		put_shown(&found, (const char *)ev->data.scalar.value,
		    ev->data.scalar.length);
	else
		buf_puts(&found, ev->type == YAML_SEQUENCE_START_EVENT ?
		    "a list" : "an alias");
	diag_error(r->path, line, col, "front matter must be a mapping "
	    "of keys to values (one 'key: value' per line), found %s",
	    found.data);
	buf_free(&found);
}

/*
 * Reads the YAML stream: nothing (an empty map) or one document that is a
 * mapping.  Fills out; returns 0 after a fatal error.
 */
static int
read_stream(struct reader *r, struct fm_value *out)
{
	yaml_event_t	 ev;
	int		 ok = 0;

	out->kind = FM_MAP;
	out->line = r->line0 - 1;
	out->col = 1;
	if (!next_event(r, &ev))	/* stream start */
		return 0;
	yaml_event_delete(&ev);
	if (!next_event(r, &ev))
		return 0;
	if (ev.type == YAML_STREAM_END_EVENT)
		goto done;
	yaml_event_delete(&ev);		/* document start */
	if (!next_event(r, &ev))
		return 0;
	if (ev.type != YAML_MAPPING_START_EVENT) {
		not_a_map(r, &ev);
		goto out;
	}
	ok = read_node(r, &ev, out, 1);
	yaml_event_delete(&ev);
	if (!ok || !next_event(r, &ev))	/* document end */
		return 0;
	yaml_event_delete(&ev);
	ok = 0;
	if (!next_event(r, &ev))
		return 0;
	if (ev.type != YAML_STREAM_END_EVENT) {
		locate(r, ev.start_mark.index, &out->line, &out->col);
		diag_error(r->path, out->line, out->col, "front matter must "
		    "be a single YAML document; a line starting with '---' or "
		    "'...' inside it starts another one");
		goto out;
	}
done:
	ok = 1;
out:
	yaml_event_delete(&ev);
	return ok;
}

/* Parses the YAML r->text into out; see front_parse. */
static int
parse_yaml(struct reader *r, struct fm_value *out)
{
	const char	*nul;
	unsigned	 line, col;
	int		 ok;

	if ((nul = memchr(r->text, '\0', r->len)) != NULL) {
		locate_byte(r, (size_t)(nul - r->text), &line, &col);
		diag_error(r->path, line, col, "front matter contains a NUL byte");
		return 0;
	}
	if (!yaml_parser_initialize(&r->yp)) {
		diag_error(r->path, 1, 1, "could not read the front matter "
		    "(out of memory)");
		return 0;
	}
	yaml_parser_set_encoding(&r->yp, YAML_UTF8_ENCODING);
	yaml_parser_set_input_string(&r->yp, (const unsigned char *)r->text,
	    r->len);
	ok = read_stream(r, out) && r->errors == 0;
	yaml_parser_delete(&r->yp);
	return ok;
}

/*
 * Splits text into front matter and body and parses the front matter; see
 * front.h.  *body_off and *body_line are set whenever the block is closed,
 * even when its YAML has errors, so a caller may still check the body.
 */
int
front_parse(const char *path, const char *text, size_t len,
    struct fm_value *out, size_t *body_off, unsigned *body_line)
{
	struct reader	 r;
	size_t		 ystart = 0, yend = 0;

	memset(out, 0, sizeof(*out));
	*body_off = 0;
	*body_line = 1;
	switch (split(text, len, &ystart, &yend, body_off, body_line)) {
	case 0:
		out->kind = FM_MAP;
		out->line = out->col = 1;
		return 1;
	case -1:
		diag_error(path, 1, 1,
		    "front matter is not closed (expected a line '---')");
		return 0;
	}
	memset(&r, 0, sizeof(r));
	r.path = path;
	r.text = text + ystart;
	r.len = yend - ystart;
	r.line0 = 2;
	rewind_cursor(&r);
	if (!parse_yaml(&r, out)) {
		front_free(out);
		return 0;
	}
	return 1;
}

/* Frees what v holds (not v itself) and zeroes it.  NULL is allowed. */
void
front_free(struct fm_value *v)
{
	size_t	 i;

	if (v == NULL)
		return;
	if (v->block != NULL) {
		free(v->block);
		memset(v, 0, sizeof(*v));
		return;
	}
	if (v->items != NULL)
		for (i = 0; i < v->n; i++)
			front_free(&v->items[i]);
	if (v->pairs != NULL)
		for (i = 0; i < v->n; i++) {
			free((char *)v->pairs[i].key);
			front_free(&v->pairs[i].value);
		}
	free(v->items);
	free(v->pairs);
	free((char *)v->str);
	memset(v, 0, sizeof(*v));
}

/* Returns the value under key in map (borrowed), or NULL when map is not
 * a map or has no such key. */
const struct fm_value *
front_get(const struct fm_value *map, const char *key)
{
	size_t	 i;

	if (map == NULL || map->kind != FM_MAP)
		return NULL;
	for (i = 0; i < map->n; i++)
		if (map->pairs[i].key != NULL &&
		    strcmp(map->pairs[i].key, key) == 0)
			return &map->pairs[i].value;
	return NULL;
}

