#define CK_NS ck_generic
#define CK_ISA "generic"
#include "kernels-impl.h"
