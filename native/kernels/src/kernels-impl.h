// The kernels, written once with GCC vector types of CK_VEC floats (one register: 16 for AVX-512, 8 for AVX2, 4 for
// SSE) and register tiles sized for CK_REGS vector registers (32 with AVX-512, 16 otherwise).
// Included by one file per instruction set, each compiled with its own -m flags (binding.gyp), inside namespace CK_NS.
// No standard-library templates here: their out-of-line copies are shared between the three objects at link time,
// so one compiled for AVX-512 could end up called on a CPU without it.
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "kernels.h"

namespace CK_NS {
namespace {

constexpr int VEC = CK_VEC;
constexpr int REGS = CK_REGS;
typedef float vf __attribute__((vector_size(4 * VEC)));
typedef float vfu __attribute__((vector_size(4 * VEC), aligned(4)));

inline vf load(const float* p) { return *reinterpret_cast<const vfu*>(p); }
inline void store(float* p, vf v) { *reinterpret_cast<vfu*>(p) = v; }

// Panels of NV registers' width: 1, 2, or (with 32 registers) 4.
constexpr int MAX_NV = REGS >= 32 ? 4 : 2;
inline int panel_vectors(int N) { return N <= VEC ? 1 : (N <= 2 * VEC || MAX_NV == 2) ? 2 : 4; }

template <typename T> inline T lo(T a, T b) { return a < b ? a : b; }
template <typename T> inline T hi(T a, T b) { return a < b ? b : a; }

// Scratch buffers reused between calls (one set per thread: each gradient worker is its own thread).
struct Buffer {
  float* data = nullptr;
  int64_t size = 0;
  ~Buffer() { std::free(data); }
};
struct Scratch {
  Buffer a, b, c, p, t;
};
thread_local Scratch scratch;

float* grow(Buffer& v, int64_t n) {
  if (v.size < n) {
    std::free(v.data);
    v.data = static_cast<float*>(std::malloc(sizeof(float) * n));
    if (!v.data) std::abort();
    v.size = n;
  }
  return v.data;
}

// B (K x N, element (k, j) at B[k * bk + j * bj]) packed into panels of NR columns, zero-padded: panel p holds
// out[(p * K + k) * NR + j] = B(k, p * NR + j).
void pack_b(const float* B, int64_t bk, int64_t bj, int K, int N, int NR, float* out) {
  const int panels = (N + NR - 1) / NR;
  for (int p = 0; p < panels; p++) {
    const int j0 = p * NR;
    const int cols = lo(NR, N - j0);
    float* dst = out + static_cast<int64_t>(p) * K * NR;
    for (int k = 0; k < K; k++, dst += NR) {
      const float* src = B + k * bk + j0 * bj;
      if (bj == 1) {
        std::memcpy(dst, src, sizeof(float) * cols);
      } else {
        for (int j = 0; j < cols; j++) dst[j] = src[j * bj];
      }
      for (int j = cols; j < NR; j++) dst[j] = 0.f;
    }
  }
}

// C[MR x cols] (=|+=) A[MR x K] * B[K x NR] with A(i, k) at A[i * ai + k * ak] and B(k, j) at Bp[k * ldb + j] (a
// packed panel, ldb = NR, or a row-major matrix's own rows); accumulators stay in registers.
template <int MR, int NV>
void micro(int K, const float* A, int64_t ai, int64_t ak, const float* Bp, int64_t ldb, float* C, int64_t ldc, int cols, bool acc) {
  constexpr int NR = VEC * NV;
  vf c[MR][NV];
#pragma GCC unroll 16
  for (int i = 0; i < MR; i++)
#pragma GCC unroll 8
    for (int j = 0; j < NV; j++) c[i][j] = vf{};
  for (int k = 0; k < K; k++) {
    vf b[NV];
#pragma GCC unroll 8
    for (int j = 0; j < NV; j++) b[j] = load(Bp + k * ldb + VEC * j);
    const float* a = A + k * ak;
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++) {
      const float s = a[i * ai];
#pragma GCC unroll 8
      for (int j = 0; j < NV; j++) c[i][j] += s * b[j];
    }
  }
  if (cols == NR) {
#pragma GCC unroll 16
    for (int i = 0; i < MR; i++)
#pragma GCC unroll 8
      for (int j = 0; j < NV; j++) {
        float* p = C + i * ldc + VEC * j;
        store(p, acc ? load(p) + c[i][j] : c[i][j]);
      }
    return;
  }
  for (int i = 0; i < MR; i++) {
    float t[NR];
    for (int j = 0; j < NV; j++) store(t + VEC * j, c[i][j]);
    float* p = C + i * ldc;
    if (acc) {
      for (int j = 0; j < cols; j++) p[j] += t[j];
    } else {
      for (int j = 0; j < cols; j++) p[j] = t[j];
    }
  }
}

// Rows per tile: MR x NV accumulators, NV loads of B and a broadcast of A fit in the registers.
template <int NV> constexpr int rows_for() { return REGS >= 32 ? (NV == 1 ? 12 : NV == 2 ? 8 : 6) : (NV == 1 ? 12 : 6); }

template <int NV, int MR>
void micro_rows(int rows, int K, const float* A, int64_t ai, int64_t ak, const float* Bp, int64_t ldb, float* C, int64_t ldc,
                int cols, bool acc) {
  if constexpr (MR > 0) {
    if (rows == MR) return micro<MR, NV>(K, A, ai, ak, Bp, ldb, C, ldc, cols, acc);
    return micro_rows<NV, MR - 1>(rows, K, A, ai, ak, Bp, ldb, C, ldc, cols, acc);
  }
}

template <int NV>
void gemm_nv(int M, int N, int K, const float* A, int64_t ai, int64_t ak, const float* Bp, float* C, int64_t ldc, bool acc) {
  constexpr int NR = VEC * NV;
  constexpr int MR = rows_for<NV>();
  for (int j0 = 0, p = 0; j0 < N; j0 += NR, p++) {
    const float* panel = Bp + static_cast<int64_t>(p) * K * NR;
    const int cols = lo(NR, N - j0);
    for (int i = 0; i < M; i += MR) {
      const int rows = lo(MR, M - i);
      micro_rows<NV, MR>(rows, K, A + i * ai, ai, ak, panel, NR, C + i * ldc + j0, ldc, cols, acc);
    }
  }
}

// C[M x N] (=|+=) A[M x K] * B[K x N] for any strides: B(k, j) at B[k * bk + j * bj]. K is taken in chunks whose
// B panel stays in L2; a panel of a row-major B is read in place, others are packed chunk by chunk.
template <int NV>
void gemm_strided_nv(int M, int N, int K, const float* A, int64_t ai, int64_t ak, const float* B, int64_t bk, int64_t bj, float* C,
                     int64_t ldc, bool acc) {
  constexpr int NR = VEC * NV;
  constexpr int MR = rows_for<NV>();
  constexpr int KC = 512;
  float* buf = grow(scratch.p, static_cast<int64_t>(KC) * NR);
  for (int k0 = 0; k0 < K; k0 += KC) {
    const int kc = lo(KC, K - k0);
    for (int j0 = 0; j0 < N; j0 += NR) {
      const int cols = lo(NR, N - j0);
      const float* panel = B + k0 * bk + j0 * bj;
      int64_t ldb = bk;
      if (bj != 1 || cols != NR) {
        pack_b(panel, bk, bj, kc, cols, NR, buf);
        panel = buf;
        ldb = NR;
      }
      for (int i = 0; i < M; i += MR)
        micro_rows<NV, MR>(lo(MR, M - i), kc, A + i * ai + k0 * ak, ai, ak, panel, ldb, C + i * ldc + j0, ldc, cols, acc || k0 > 0);
    }
  }
}

void gemm_strided(int M, int N, int K, const float* A, int64_t ai, int64_t ak, const float* B, int64_t bk, int64_t bj, float* C,
                  int64_t ldc) {
  if (K == 0) {
    for (int i = 0; i < M; i++) std::memset(C + i * ldc, 0, sizeof(float) * N);
    return;
  }
  switch (panel_vectors(N)) {
    case 1: return gemm_strided_nv<1>(M, N, K, A, ai, ak, B, bk, bj, C, ldc, false);
    case 2: return gemm_strided_nv<2>(M, N, K, A, ai, ak, B, bk, bj, C, ldc, false);
    default: return gemm_strided_nv<MAX_NV>(M, N, K, A, ai, ak, B, bk, bj, C, ldc, false);
  }
}


// C[M x N] (=|+=) A[M x K] * B[K x N]; A(i, k) at A[i * ai + k * ak]; B already packed with panel_vectors(N).
void gemm(int M, int N, int K, const float* A, int64_t ai, int64_t ak, const float* Bp, float* C, int64_t ldc, bool acc) {
  switch (panel_vectors(N)) {
    case 1: return gemm_nv<1>(M, N, K, A, ai, ak, Bp, C, ldc, acc);
    case 2: return gemm_nv<2>(M, N, K, A, ai, ak, Bp, C, ldc, acc);
    default: return gemm_nv<MAX_NV>(M, N, K, A, ai, ak, Bp, C, ldc, acc);
  }
}

int64_t packed_size(int K, int N) {
  const int NR = VEC * panel_vectors(N);
  return static_cast<int64_t>((N + NR - 1) / NR) * NR * K;
}

// A few channels (the RGB layers) are copied inline: a memcpy call per 12 bytes cost more than the copy.
inline void copy(float* __restrict dst, const float* __restrict src, int n) {
  if (n >= 16) {
    std::memcpy(dst, src, sizeof(float) * n);
    return;
  }
  for (int c = 0; c < n; c++) dst[c] = src[c];
}

// Rows m0 .. m0+rows of the patch matrix of x: row m = output pixel (n, oh, ow), columns (kh, kw, ci). CI > 0 fixes
// the channel count at compile time (the RGB layers: three moves per tap instead of a loop).
template <int CI>
void im2col_t(const float* x, const ConvDims& d, int64_t m0, int rows, float* tile) {
  const int ci = CI > 0 ? CI : d.ci;
  const int K = d.kh * d.kw * ci;
  const int64_t plane = static_cast<int64_t>(d.oh) * d.ow;
  for (int r = 0; r < rows; r++) {
    const int64_t m = m0 + r;
    const int64_t n = m / plane;
    const int rem = static_cast<int>(m - n * plane);
    const int oh = rem / d.ow, ow = rem % d.ow;
    float* dst = tile + static_cast<int64_t>(r) * K;
    for (int i = 0; i < d.kh; i++) {
      const int ih = oh * d.sh - d.pad_top + i * d.dh;
      for (int j = 0; j < d.kw; j++, dst += ci) {
        const int iw = ow * d.sw - d.pad_left + j * d.dw;
        if (ih < 0 || ih >= d.h || iw < 0 || iw >= d.w) {
          for (int c = 0; c < ci; c++) dst[c] = 0.f;
        } else if (CI > 0) {
          const float* src = x + ((n * d.h + ih) * d.w + iw) * ci;
          for (int c = 0; c < ci; c++) dst[c] = src[c];
        } else {
          copy(dst, x + ((n * d.h + ih) * d.w + iw) * ci, ci);
        }
      }
    }
  }
}

void im2col(const float* x, const ConvDims& d, int64_t m0, int rows, float* tile) {
  if (d.ci == 3) return im2col_t<3>(x, d, m0, rows, tile);
  im2col_t<0>(x, d, m0, rows, tile);
}

// dx += the columns of rows m0 .. m0+rows (col, row stride ldc) put back at their input pixels.
template <int CI>
void col2im_t(const float* col, int64_t ldc, const ConvDims& d, int64_t m0, int rows, float* dx) {
  const int ci = CI > 0 ? CI : d.ci;
  const int64_t plane = static_cast<int64_t>(d.oh) * d.ow;
  for (int r = 0; r < rows; r++) {
    const int64_t m = m0 + r;
    const int64_t n = m / plane;
    const int rem = static_cast<int>(m - n * plane);
    const int oh = rem / d.ow, ow = rem % d.ow;
    const float* src = col + static_cast<int64_t>(r) * ldc;
    for (int i = 0; i < d.kh; i++) {
      const int ih = oh * d.sh - d.pad_top + i * d.dh;
      for (int j = 0; j < d.kw; j++, src += ci) {
        const int iw = ow * d.sw - d.pad_left + j * d.dw;
        if (ih < 0 || ih >= d.h || iw < 0 || iw >= d.w) continue;
        float* __restrict dst = dx + ((n * d.h + ih) * d.w + iw) * ci;
        for (int c = 0; c < ci; c++) dst[c] += src[c];
      }
    }
  }
}

void col2im(const float* col, int64_t ldc, const ConvDims& d, int64_t m0, int rows, float* dx) {
  if (d.ci == 3) return col2im_t<3>(col, ldc, d, m0, rows, dx);
  col2im_t<0>(col, ldc, d, m0, rows, dx);
}

// Output pixels per block: the block's patch rows stay in L2 (about 256 KB).
int block_rows(int K) { return hi(48, lo(1024, (65536 / hi(K, 1)) / 48 * 48)); }

void conv2d(const float* x, const float* w, const float* bias, float* y, const ConvDims& d) {
  const int K = d.kh * d.kw * d.ci;
  const int64_t M = static_cast<int64_t>(d.n) * d.oh * d.ow;
  float* bp = grow(scratch.b, packed_size(K, d.co));
  pack_b(w, d.co, 1, K, d.co, VEC * panel_vectors(d.co), bp);
  const bool direct = d.kh == 1 && d.kw == 1 && d.sh == 1 && d.sw == 1 && d.pad_top == 0 && d.pad_left == 0;
  const int MB = block_rows(K);
  float* tile = direct ? nullptr : grow(scratch.a, static_cast<int64_t>(MB) * K);
  for (int64_t m0 = 0; m0 < M; m0 += MB) {
    const int rows = static_cast<int>(lo<int64_t>(MB, M - m0));
    const float* a = x + m0 * K;
    if (!direct) {
      im2col(x, d, m0, rows, tile);
      a = tile;
    }
    float* out = y + m0 * d.co;
    gemm(rows, d.co, K, a, K, 1, bp, out, d.co, false);
    if (bias) {
      for (int r = 0; r < rows; r++)
        for (int c = 0; c < d.co; c++) out[static_cast<int64_t>(r) * d.co + c] += bias[c];
    }
  }
}

void conv2d_backprop_input(const float* dy, const float* w, float* dx, const ConvDims& d) {
  const int K = d.kh * d.kw * d.ci;
  const int64_t M = static_cast<int64_t>(d.n) * d.oh * d.ow;
  // col[m, (kh, kw, ci)] = sum_co dy[m, co] * w[kh, kw, ci, co]: B(k = co, j) = w[j * co + k].
  float* bp = grow(scratch.b, packed_size(d.co, K));
  const int NR = VEC * panel_vectors(K);
  pack_b(w, 1, d.co, d.co, K, NR, bp);
  std::memset(dx, 0, sizeof(float) * static_cast<int64_t>(d.n) * d.h * d.w * d.ci);
  // col rows padded to whole panels (the packed zero columns), so every tile is stored whole (27 columns for RGB).
  const int Kp = (K + NR - 1) / NR * NR;
  const int MB = block_rows(Kp);
  float* col = grow(scratch.c, static_cast<int64_t>(MB) * Kp);
  for (int64_t m0 = 0; m0 < M; m0 += MB) {
    const int rows = static_cast<int>(lo<int64_t>(MB, M - m0));
    gemm(rows, Kp, d.co, dy + m0 * d.co, d.co, 1, bp, col, Kp, false);
    col2im(col, Kp, d, m0, rows, dx);
  }
}

void conv2d_backprop_filter(const float* x, const float* dy, float* dw, const ConvDims& d) {
  const int K = d.kh * d.kw * d.ci;
  const int64_t M = static_cast<int64_t>(d.n) * d.oh * d.ow;
  const int MB = 256;
  float* tile = grow(scratch.a, static_cast<int64_t>(MB) * K);
  float* bp = grow(scratch.b, packed_size(MB, d.co));
  bool acc = false;
  for (int64_t m0 = 0; m0 < M; m0 += MB) {
    const int rows = static_cast<int>(lo<int64_t>(MB, M - m0));
    im2col(x, d, m0, rows, tile);
    pack_b(dy + m0 * d.co, d.co, 1, rows, d.co, VEC * panel_vectors(d.co), bp);
    // dw[k, co] (+)= sum_r tile[r, k] * dy[m0 + r, co]: A(i = k, r) = tile[r * K + i].
    gemm(K, d.co, rows, tile, 1, K, bp, dw, d.co, acc);
    acc = true;
  }
  if (!acc) std::memset(dw, 0, sizeof(float) * K * d.co);
}

void batch_norm_forward(const float* __restrict x, const float* gamma, const float* beta, float* __restrict y,
                        float* __restrict xhat, float* mean, float* var, float* rstd, int64_t rows, int c, float eps, float leak) {
  // Sums in double per channel (rows run to 10^5-10^6), mean first, then the centred squares (as tf.moments does).
  double* acc = static_cast<double*>(std::calloc(2 * c, sizeof(double)));
  if (!acc) std::abort();
  double* s1 = acc;
  double* s2 = acc + c;
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * c;
    for (int j = 0; j < c; j++) s1[j] += xr[j];
  }
  for (int j = 0; j < c; j++) mean[j] = static_cast<float>(s1[j] / rows);
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * c;
    for (int j = 0; j < c; j++) {
      const double d = static_cast<double>(xr[j]) - mean[j];
      s2[j] += d * d;
    }
  }
  for (int j = 0; j < c; j++) {
    var[j] = static_cast<float>(s2[j] / rows);
    rstd[j] = 1.f / std::sqrt(var[j] + eps);
  }
  std::free(acc);
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * c;
    float* hr = xhat + r * c;
    float* yr = y + r * c;
    for (int j = 0; j < c; j++) {
      const float h = (xr[j] - mean[j]) * rstd[j];
      const float pre = h * gamma[j] + beta[j];
      hr[j] = h;
      yr[j] = pre > 0.f ? pre : pre * leak;
    }
  }
}

void batch_norm_backward(const float* __restrict dy, const float* __restrict xhat, const float* gamma, const float* beta,
                         const float* rstd, float* __restrict dx, float* dgamma, float* dbeta, int64_t rows, int c, float leak) {
  double* acc = static_cast<double*>(std::calloc(2 * c, sizeof(double)));
  if (!acc) std::abort();
  double* sb = acc;
  double* sg = acc + c;
  for (int64_t r = 0; r < rows; r++) {
    const float* dr = dy + r * c;
    const float* hr = xhat + r * c;
    for (int j = 0; j < c; j++) {
      const float pre = hr[j] * gamma[j] + beta[j];
      const float d = pre > 0.f ? dr[j] : dr[j] * leak;
      sb[j] += d;
      sg[j] += static_cast<double>(d) * hr[j];
    }
  }
  float* k = static_cast<float*>(std::malloc(sizeof(float) * 3 * c));
  if (!k) std::abort();
  float* mb = k;
  float* mg = k + c;
  float* scale = k + 2 * c;
  for (int j = 0; j < c; j++) {
    dbeta[j] = static_cast<float>(sb[j]);
    dgamma[j] = static_cast<float>(sg[j]);
    mb[j] = static_cast<float>(sb[j] / rows);
    mg[j] = static_cast<float>(sg[j] / rows);
    scale[j] = gamma[j] * rstd[j];
  }
  std::free(acc);
  for (int64_t r = 0; r < rows; r++) {
    const float* dr = dy + r * c;
    const float* hr = xhat + r * c;
    float* out = dx + r * c;
    for (int j = 0; j < c; j++) {
      const float pre = hr[j] * gamma[j] + beta[j];
      const float d = pre > 0.f ? dr[j] : dr[j] * leak;
      out[j] = (d - mb[j] - hr[j] * mg[j]) * scale[j];
    }
  }
  std::free(k);
}

// C = op(A) op(B) for each of `batch` matrices; op transposes when asked. Computed as C or as (op(B)^T op(A)^T)^T,
// whichever packs less: the large operand is always read in place.
void matmul(const float* A, const float* B, float* C, int batch, int M, int N, int K, bool ta, bool tb) {
  const int64_t direct = tb ? static_cast<int64_t>(K) * N : 0;
  const int64_t swapped = (ta ? 0 : static_cast<int64_t>(K) * M) + static_cast<int64_t>(M) * N;
  for (int b = 0; b < batch; b++) {
    const float* a = A + static_cast<int64_t>(b) * M * K;
    const float* bb = B + static_cast<int64_t>(b) * K * N;
    float* c = C + static_cast<int64_t>(b) * M * N;
    const int64_t ai = ta ? 1 : K, ak = ta ? M : 1;
    const int64_t bk = tb ? 1 : N, bj = tb ? K : 1;
    if (direct <= swapped) {
      gemm_strided(M, N, K, a, ai, ak, bb, bk, bj, c, N);
      continue;
    }
    // C^T[N x M]: A'(i, k) = op(B)(k, i), B'(k, j) = op(A)(j, k).
    float* t = grow(scratch.t, static_cast<int64_t>(N) * M);
    gemm_strided(N, M, K, bb, bj, bk, a, ak, ai, t, M);
    for (int i = 0; i < M; i++)
      for (int j = 0; j < N; j++) c[static_cast<int64_t>(i) * N + j] = t[static_cast<int64_t>(j) * M + i];
  }
}

// out[r, c] = x[r, c] op b[c] (per_row false: a value per channel) or x[r, c] op b[r] (per_row: a value per row);
// op 0 adds, 1 multiplies
void broadcast(const float* __restrict x, const float* __restrict b, float* __restrict out, int64_t rows, int64_t c, int op,
               bool per_row) {
  for (int64_t r = 0; r < rows; r++) {
    const float* xr = x + r * c;
    float* o = out + r * c;
    if (per_row) {
      const float v = b[r];
      if (op == 0) {
        for (int64_t j = 0; j < c; j++) o[j] = xr[j] + v;
      } else {
        for (int64_t j = 0; j < c; j++) o[j] = xr[j] * v;
      }
    } else if (op == 0) {
      for (int64_t j = 0; j < c; j++) o[j] = xr[j] + b[j];
    } else {
      for (int64_t j = 0; j < c; j++) o[j] = xr[j] * b[j];
    }
  }
}

// out[c] = sum_r x[r, c], in double
void sum_rows(const float* __restrict x, float* __restrict out, int64_t rows, int c) {
  double* acc = static_cast<double*>(std::calloc(c, sizeof(double)));
  if (!acc) std::abort();
  for (int64_t r = 0; r < rows; r++)
    for (int j = 0; j < c; j++) acc[j] += x[r * c + j];
  for (int j = 0; j < c; j++) out[j] = static_cast<float>(acc[j]);
  std::free(acc);
}

void adam(const float* __restrict p, float* __restrict out, float* __restrict m, float* __restrict v,
          const float* __restrict g0, const float* __restrict g1, int64_t n, float b1, float b2, float step, float eps) {
  const float c1 = 1.f - b1, c2 = 1.f - b2;
  if (g1) {
    for (int64_t j = 0; j < n; j++) {
      const float g = g0[j] + g1[j];
      const float mj = m[j] = m[j] * b1 + g * c1;
      const float vj = v[j] = v[j] * b2 + g * g * c2;
      out[j] = p[j] - (mj * step) / (std::sqrt(vj) + eps);
    }
  } else {
    for (int64_t j = 0; j < n; j++) {
      const float g = g0[j];
      const float mj = m[j] = m[j] * b1 + g * c1;
      const float vj = v[j] = v[j] * b2 + g * g * c2;
      out[j] = p[j] - (mj * step) / (std::sqrt(vj) + eps);
    }
  }
}

const KernelTable kTable = {CK_ISA, conv2d, conv2d_backprop_input, conv2d_backprop_filter, matmul, broadcast, sum_rows, batch_norm_forward, batch_norm_backward, adam};

}  // namespace

const KernelTable* table() { return &kTable; }

}  // namespace CK_NS
