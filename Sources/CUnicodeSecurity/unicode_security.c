#include "unicode_security.h"
#include <pthread.h>
#include <unicode/uspoof.h>

// One checker for the process: ICU's spoof checker is safe to use from many threads once configured.
static USpoofChecker *checker = NULL;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void open_checker(void) {
    UErrorCode status = U_ZERO_ERROR;
    USpoofChecker *made = uspoof_open(&status);
    if (U_FAILURE(status)) { return; }
    uspoof_setChecks(made, USPOOF_CONFUSABLE, &status);
    if (U_FAILURE(status)) { uspoof_close(made); return; }
    checker = made;
}

int32_t flipside_confusable_skeleton(const char *utf8, int32_t length, char *out, int32_t capacity) {
    pthread_once(&once, open_checker);
    if (checker == NULL) { return -1; }
    UErrorCode status = U_ZERO_ERROR;
    int32_t written = uspoof_getSkeletonUTF8(checker, 0, utf8, length, out, capacity, &status);
    if (U_FAILURE(status) || written >= capacity) { return -1; }
    return written;
}
