#define CK_NS ck_generic
#define CK_ISA "generic"
#define CK_VEC 4
#define CK_REGS 16
#include "kernels-impl.h"
