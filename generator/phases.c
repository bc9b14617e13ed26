#include <stdlib.h>
#include <time.h>

#include "phases.h"

#define MAX_PHASES	24

static struct {
	int		 on;
	double		 mark, start;
	size_t		 n;
	const char	*name[MAX_PHASES];
	double		 ms[MAX_PHASES];
} ph;

double
phase_clock_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

void
phase_start(void)
{
	ph.on = getenv("PORCH_PHASES") != NULL;
	ph.n = 0;
	ph.start = ph.mark = ph.on ? phase_clock_ms() : 0;
}

void
phase_end(const char *name)
{
	double	 t;

	if (!ph.on || ph.n == MAX_PHASES)
		return;
	t = phase_clock_ms();
	ph.name[ph.n] = name;
	ph.ms[ph.n++] = t - ph.mark;
	ph.mark = t;
}

void
phase_report(FILE *f)
{
	size_t	 i;

	if (!ph.on)
		return;
	fputs("phases (ms):", f);
	for (i = 0; i < ph.n; i++)
		fprintf(f, " %s %.1f,", ph.name[i], ph.ms[i]);
	fprintf(f, " total %.1f\n", phase_clock_ms() - ph.start);
}
