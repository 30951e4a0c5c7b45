#ifndef SSC_CAIO_SHIM_H
#define SSC_CAIO_SHIM_H
#include <libaio.h>
#endif
