/*
 * gzip-compressed POSIX (ustar) tar archives, written and read as streams
 * with zlib: the container of evidence packs. Not a public API (names are
 * mrm__). The reader never touches the file system beyond the archive it
 * reads: it hands out member names and bytes, and the caller decides what
 * they mean (a pack verifier never extracts anything).
 */
#ifndef MRM_COMMON_TARGZ_H
#define MRM_COMMON_TARGZ_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "mrm/error.h"

/* Longest member name (ustar: a 155-byte prefix, '/', a 100-byte name). */
#define MRM__TAR_NAME_MAX 255
/* Largest member ustar's 11 octal digits can say: 8 GiB - 1. */
#define MRM__TAR_SIZE_MAX 077777777777LL

/* ---- writing -------------------------------------------------------------------- */

struct mrm__tgz_writer;

/*
 * Starts a .tar.gz on the open stream `f` (not closed by the writer);
 * every member gets mode 0644, owner "mrm", and `mtime` (seconds since the
 * epoch). Errors: MRM_ESTORE out of memory.
 */
int mrm__tgz_open(FILE *f, int64_t mtime, struct mrm__tgz_writer **out, struct mrm_error *err);

/*
 * Starts a regular-file member `name` of exactly `size` bytes; its bytes
 * follow with mrm__tgz_write and it ends with mrm__tgz_end. Errors
 * (MRM_EINPUT): a name that is empty, absolute, longer than
 * MRM__TAR_NAME_MAX or not splittable into ustar's prefix and name; a size
 * above MRM__TAR_SIZE_MAX; a write error of the stream.
 */
int mrm__tgz_begin(struct mrm__tgz_writer *w, const char *name, uint64_t size, struct mrm_error *err);
int mrm__tgz_write(struct mrm__tgz_writer *w, const void *data, size_t len, struct mrm_error *err);
/* Ends the member: MRM_EINPUT when fewer or more bytes than announced were written. */
int mrm__tgz_end(struct mrm__tgz_writer *w, struct mrm_error *err);

/* A whole member from memory. */
int mrm__tgz_add(struct mrm__tgz_writer *w, const char *name, const void *data, size_t len,
		 struct mrm_error *err);

/* Writes the end-of-archive blocks and the gzip trailer, flushes, frees `w` (always). */
int mrm__tgz_close(struct mrm__tgz_writer *w, struct mrm_error *err);
/* Frees a writer that will not be closed (after an error). NULL is a no-op. */
void mrm__tgz_free(struct mrm__tgz_writer *w);

/* ---- reading -------------------------------------------------------------------- */

struct mrm__tgz_reader;

struct mrm__tgz_entry {
	char name[MRM__TAR_NAME_MAX + 1]; /* prefix "/" name; NUL bytes end it */
	char type;                        /* '0' regular file, '5' directory, ... as stored */
	uint64_t size;
};

/* What went wrong with an archive, for the caller's exit code and message. */
enum mrm__tgz_fault {
	MRM__TGZ_OK,
	MRM__TGZ_NOT_GZIP,  /* the file does not start as gzip data */
	MRM__TGZ_NOT_TAR,   /* gzip data that does not start with a tar header */
	MRM__TGZ_CORRUPT,   /* gzip data error, CRC or length mismatch, bad tar header */
	MRM__TGZ_TRUNCATED, /* the data ends before the archive does */
	MRM__TGZ_IO,        /* the file cannot be read */
};

/* Starts reading the .tar.gz on stream `f` (not closed by the reader). MRM_ESTORE out of memory. */
int mrm__tgz_reader_open(FILE *f, struct mrm__tgz_reader **out, struct mrm_error *err);

/*
 * The next member's header into `e`: 1 when there is one, 0 at the end
 * of the archive (two zero blocks), -1 on a fault (mrm__tgz_fault() says
 * which, `err` what). The unread bytes of the previous member are skipped.
 */
int mrm__tgz_next(struct mrm__tgz_reader *r, struct mrm__tgz_entry *e, struct mrm_error *err);

/*
 * Reads up to `cap` bytes of the current member: the count, 0 at its end,
 * -1 on a fault.
 */
int64_t mrm__tgz_read(struct mrm__tgz_reader *r, void *buf, size_t cap, struct mrm_error *err);

/*
 * After mrm__tgz_next returned 0: reads the rest of the stream to its end
 * and reports whether anything but zero bytes follows the end of the
 * archive (*trailing). -1 on a fault (a truncated or corrupt gzip stream).
 */
int mrm__tgz_finish(struct mrm__tgz_reader *r, bool *trailing, struct mrm_error *err);

enum mrm__tgz_fault mrm__tgz_fault(const struct mrm__tgz_reader *r);
void mrm__tgz_reader_free(struct mrm__tgz_reader *r);

#endif
