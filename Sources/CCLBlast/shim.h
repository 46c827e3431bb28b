#ifndef CCLBLAST_SHIM_H
#define CCLBLAST_SHIM_H
#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120   /* the same API surface as COpenCL's shim */
#endif
#include <clblast_c.h>
#endif
