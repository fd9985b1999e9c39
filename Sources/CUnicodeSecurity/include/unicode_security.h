#ifndef FLIPSIDE_UNICODE_SECURITY_H
#define FLIPSIDE_UNICODE_SECURITY_H
#include <stdint.h>

/// Writes the Unicode TS #39 confusable skeleton of `utf8` (`length` bytes) into `out` (NUL-terminated,
/// at most `capacity` bytes with the NUL) using ICU's spoof checker. Returns the skeleton's length in
/// bytes, or -1 when ICU fails or `out` is too small.
int32_t flipside_confusable_skeleton(const char *utf8, int32_t length, char *out, int32_t capacity);

#endif
