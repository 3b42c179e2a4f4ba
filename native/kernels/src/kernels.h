// Training kernels of Chronoface's native addon: NHWC convolutions (forward, input and filter gradients) and Adam.
// The same source is compiled once per instruction set (kernels-impl.h in avx512.cc, avx2.cc, generic.cc); addon.cc
// picks one at load time from the CPU's features.
#pragma once
#include <cstdint>

struct ConvDims {
  int n, h, w, ci;       // the convolution's input x (for the input gradient: dx)
  int oh, ow, co;        // its output y (for the gradients: dy)
  int kh, kw, sh, sw;    // filter [kh, kw, ci, co], strides
  int pad_top, pad_left; // padding before the first row / column
  int dh, dw;            // dilations
};

struct KernelTable {
  const char* isa;
  // y = conv(x, w) (+ bias per output channel when bias is not null)
  void (*conv2d)(const float* x, const float* w, const float* bias, float* y, const ConvDims& d);
  // dx = the input gradient of conv(., w) for dy; also the transposed convolution of dy
  void (*conv2d_backprop_input)(const float* dy, const float* w, float* dx, const ConvDims& d);
  // dw = the filter gradient of conv(x, .) for dy
  void (*conv2d_backprop_filter)(const float* x, const float* dy, float* dw, const ConvDims& d);
  // C = op(A) op(B) for `batch` row-major matrices (op: transposed when ta / tb), C [M x N]
  void (*matmul)(const float* a, const float* b, float* c, int batch, int m, int n, int k, bool ta, bool tb);
  // out[r, c] = x[r, c] op b[c], or op b[r] when per_row (op 0: +, 1: *): a bias or scale per channel or per image;
  // and out[c] = sum over rows of x[r, c] (a bias gradient)
  void (*broadcast)(const float* x, const float* b, float* out, int64_t rows, int64_t c, int op, bool per_row);
  void (*sum_rows)(const float* x, float* out, int64_t rows, int c);
  // Training-mode BatchNorm over rows x c (NHWC flattened) then LeakyReLU(leak) (leak 1: none): y, xhat, and the
  // batch mean, (biased) variance and 1 / sqrt(variance + eps) per channel
  void (*batch_norm_forward)(const float* x, const float* gamma, const float* beta, float* y, float* xhat, float* mean,
                             float* var, float* rstd, int64_t rows, int c, float eps, float leak);
  // Its gradient from dy (the gradient at the LeakyReLU's output): dx, dgamma, dbeta
  void (*batch_norm_backward)(const float* dy, const float* xhat, const float* gamma, const float* beta, const float* rstd,
                              float* dx, float* dgamma, float* dbeta, int64_t rows, int c, float leak);
  // Adam: m, v in place, out = p - step * m / (sqrt(v) + eps), from the gradient g0 (+ g1 when not null)
  void (*adam)(const float* p, float* out, float* m, float* v, const float* g0, const float* g1, int64_t n, float b1,
               float b2, float step, float eps);
};

namespace ck_avx512 { const KernelTable* table(); }
namespace ck_avx2 { const KernelTable* table(); }
namespace ck_generic { const KernelTable* table(); }
