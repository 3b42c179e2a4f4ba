#define CK_NS ck_avx2
#define CK_ISA "avx2"
#include "kernels-impl.h"
