#ifndef COPENCL_SHIM_H
#define COPENCL_SHIM_H
#ifndef CL_TARGET_OPENCL_VERSION
#define CL_TARGET_OPENCL_VERSION 120   /* the portable 1.2 API (NVIDIA, AMD, Intel, PoCL) */
#endif
#include <CL/opencl.h>
#endif
