#define CK_NS ck_avx512
#define CK_ISA "avx512"
#define CK_VEC 16
#define CK_REGS 32
#include "kernels-impl.h"
