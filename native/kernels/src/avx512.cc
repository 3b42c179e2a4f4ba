#define CK_NS ck_avx512
#define CK_ISA "avx512"
#include "kernels-impl.h"
