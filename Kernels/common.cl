// Definitions shared by every DRNet kernel. The host builds all Kernels/*.cl as one program
// with these macros (chosen per device, see OpenCLBackend.swift):
//   LANES      floats per work-item chunk in the decoder's grid loops: 1 on GPUs (consecutive
//              work-items read consecutive grid points: coalesced), the device's native float
//              vector width on CPUs (PoCL vectorises explicit floatN code, not scalar code);
//   WG_PAIR    work-group size of the per-(sample, phase) decoder kernels (power of two);
//   WG_SAMPLE  work-group size of the per-sample mixture and loss kernels (power of two).
// Reductions are tree reductions in local memory in a fixed order: results are deterministic
// for a given device and configuration (no atomics, no float atomics).

#ifndef LANES
#define LANES 1
#endif
#ifndef WG_PAIR
#define WG_PAIR 64
#endif
#ifndef WG_SAMPLE
#define WG_SAMPLE 256
#endif

// Accumulator type of the reductions: double where the device has it (all our targets do).
#ifdef cl_khr_fp64
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
typedef double real;
#else
typedef float real;
#endif

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

#if LANES == 1
typedef float floatv;
typedef int intv;
#define VLOAD(p) (*(p))
#define VSTORE(v, p) (*(p) = (v))
#define LANE_INDEX 0
#define HSUM(v) (v)
#else
typedef CAT(float, LANES) floatv;
typedef CAT(int, LANES) intv;
#define VLOAD(p) CAT(vload, LANES)(0, (p))
#define VSTORE(v, p) CAT(vstore, LANES)((v), 0, (p))
#if LANES == 4
#define LANE_INDEX ((int4)(0, 1, 2, 3))
#define HSUM(v) ((v).s0 + (v).s1 + (v).s2 + (v).s3)
#elif LANES == 8
#define LANE_INDEX ((int8)(0, 1, 2, 3, 4, 5, 6, 7))
#define HSUM(v) (((v).s0 + (v).s1) + ((v).s2 + (v).s3) + ((v).s4 + (v).s5) + ((v).s6 + (v).s7))
#elif LANES == 16
#define LANE_INDEX ((int16)(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15))
#define HSUM(v) ((((v).s0 + (v).s1) + ((v).s2 + (v).s3) + ((v).s4 + (v).s5) + ((v).s6 + (v).s7)) \
               + (((v).s8 + (v).s9) + ((v).sa + (v).sb) + ((v).sc + (v).sd) + ((v).se + (v).sf)))
#else
#error "LANES must be 1, 4, 8 or 16"
#endif
#endif

// First index t in [0, T) with q[t] >= x (T if none); q ascending. Same search as the CPU path.
inline int lower_index(float x, __global const float* q, int T) {
    int lo = 0, hi = T;
    while (lo < hi) {
        int mid = (lo + hi) >> 1;
        if (q[mid] < x) lo = mid + 1; else hi = mid;
    }
    return lo;
}

// Sum of n ≤ 4 values over the work-group (size W, a power of two) in a fixed tree order;
// every work-item gets the totals. scratch: 4·W reals of local memory.
inline void group_sum(__local real* scratch, real* v, int n) {
    const int lid = get_local_id(0), W = get_local_size(0);
    for (int i = 0; i < n; i++) scratch[i * W + lid] = v[i];
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = W >> 1; s > 0; s >>= 1) {
        if (lid < s) for (int i = 0; i < n; i++) scratch[i * W + lid] += scratch[i * W + lid + s];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int i = 0; i < n; i++) v[i] = scratch[i * W];
    barrier(CLK_LOCAL_MEM_FENCE);
}

// Max over the work-group with its index; ties go to the smaller index (the CPU path keeps the
// first maximum). Every work-item gets the result. scratch: W floats and W ints.
inline void group_argmax(__local float* smax, __local int* sarg, float* m, int* at) {
    const int lid = get_local_id(0), W = get_local_size(0);
    smax[lid] = *m; sarg[lid] = *at;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int s = W >> 1; s > 0; s >>= 1) {
        if (lid < s) {
            float a = smax[lid], b = smax[lid + s];
            int ia = sarg[lid], ib = sarg[lid + s];
            if (b > a || (b == a && ib < ia)) { smax[lid] = b; sarg[lid] = ib; }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    *m = smax[0]; *at = sarg[0];
    barrier(CLK_LOCAL_MEM_FENCE);
}
