/* libdeflate's whole-buffer zlib decompression (Debian: libdeflate-dev), which the pack
   reader inflates objects with. Linked as Package.swift's staticLibDeflate says. */
#include <libdeflate.h>
