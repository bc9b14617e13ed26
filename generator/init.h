/* init: `porch init DIR`, a new minimal site that builds at once. */
#ifndef PORCH_INIT_H
#define PORCH_INIT_H

/* Creates the starter site in dir (which must not exist or be empty).
 * Returns 1, or 0 after printing why not. */
int	 init_site(const char *dir);

#endif
