/* utf8: validity of UTF-8 text (RFC 3629: no overlongs, no surrogates). */
#ifndef PORCH_UTF8_H
#define PORCH_UTF8_H

#include <stddef.h>

/* Returns the offset of the first byte that is not valid UTF-8, or len when
 * all of s is valid. */
size_t	 utf8_invalid_at(const char *s, size_t len);

#endif
