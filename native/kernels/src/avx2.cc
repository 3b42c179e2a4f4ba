#define CK_NS ck_avx2
#define CK_ISA "avx2"
#define CK_VEC 8
#define CK_REGS 16
#include "kernels-impl.h"
