#ifndef AGENTREVIEW_CFUZZER_H
#define AGENTREVIEW_CFUZZER_H

#include <stddef.h>
#include <stdint.h>

// libFuzzer's driver (compiler-rt, FuzzerDriver.cpp), called from each target's main:
// SwiftPM names an executable's entry point itself, so libFuzzer's own main is not used.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*UserCb)(const uint8_t *Data, size_t Size));

#endif
