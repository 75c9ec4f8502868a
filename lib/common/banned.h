/*
 * Functions that are too easy to misuse; included into every file by the
 * build (git's banned.h idea). Use snprintf, memcpy with a known length,
 * or strtok_r instead.
 */
#ifndef MRM_BANNED_H
#define MRM_BANNED_H

#define BANNED(f) sorry_##f##_is_banned_in_mrm

#undef strcpy
#define strcpy(a, b) BANNED(strcpy)
#undef strcat
#define strcat(a, b) BANNED(strcat)
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)
#undef strtok
#define strtok(a, b) BANNED(strtok)
#undef gets
#define gets(a) BANNED(gets)

#endif
