/*
 * report: `porchd report KIND`, the staff reports on votes, "was this
 * helpful?", search gaps and ticket deflection (docs/reports.md), as
 * text, CSV, JSON or (gaps) markdown.
 */
#ifndef PORCHD_REPORT_H
#define PORCHD_REPORT_H

#include <stddef.h>
#include <stdio.h>

struct settings;

/* argv[0] is "report", argv[1] the kind; exit status 0, 1 or 2. */
int	 report_main(const struct settings *cfg, int argc, char **argv);
/*
 * Writes s (len bytes) to out as one CSV cell: quoted when it holds a
 * comma, quote, CR or LF; with a leading ' when it starts with =, +, -,
 * @, tab or CR, so a spreadsheet never runs it as a formula.  out needs
 * 2 * len + 4 bytes; returns out.
 */
char	*report_csv_cell(const char *s, size_t len, char *out);
/* The same cell written to f (NULL writes an empty cell). */
void	 report_csv_put(FILE *f, const char *s);
/* Unix time t as 2026-11-22T21:34:10Z in buf (len bytes), "-" for 0:
 * the times of the staff commands' text, CSV and JSON. */
void	 report_time(char *buf, size_t len, long long t);

#endif
