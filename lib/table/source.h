/*
 * Byte sources for the readers: a file descriptor, a memory buffer or a
 * read callback, with gzip recognised by its magic bytes and inflated on
 * the fly (several members in a row too, like gzip -d).
 */
#ifndef MRM_TABLE_SOURCE_H
#define MRM_TABLE_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mrm/table.h"

struct mrm__src {
	const char *name;          /* for messages */
	int fd;                    /* -1 if not a descriptor */
	bool close_fd;
	const unsigned char *mem;  /* memory source */
	size_t memlen, mempos;
	mrm_table_read_fn fn;      /* callback source */
	void *arg;
	bool raw_eof;
	uint64_t raw_bytes;        /* bytes read from the underlying source */
	/* Bytes read ahead to look for the gzip magic (plain mode). */
	unsigned char *ahead;
	size_t nahead, aheadpos;
	/* gzip */
	bool gz;
	bool member_end;           /* between two gzip members */
	void *z;                   /* z_stream * */
	unsigned char *zin;
	size_t zcap;
};

/* Sources; the name must outlive the source. */
int mrm__src_open_path(struct mrm__src *s, const char *path, const char *name,
		       struct mrm_error *err);
void mrm__src_open_mem(struct mrm__src *s, const void *data, size_t len,
		       const char *name);
void mrm__src_open_fn(struct mrm__src *s, mrm_table_read_fn fn, void *arg,
		      const char *name);

/* Peeks at the first bytes and switches to gzip mode if they say so. */
int mrm__src_detect(struct mrm__src *s, struct mrm_error *err);

/*
 * Reads up to `cap` bytes into buf, as many as are available up to `cap`
 * (it loops over short reads). *got is 0 only at the end of the input.
 */
int mrm__src_read(struct mrm__src *s, char *buf, size_t cap, size_t *got,
		  struct mrm_error *err);

void mrm__src_close(struct mrm__src *s);

#endif
