// N-API entry: picks the kernels for this CPU and exposes them to JavaScript. Every array argument is a Float32Array
// (typically a view on the wasm heap or a SharedArrayBuffer), read and written in place without copies.
#include <node_api.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "kernels.h"

namespace {

const KernelTable* pick(std::string* why) {
  const char* force = std::getenv("CHRONOFACE_NATIVE_ISA");
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq");
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (force && std::strcmp(force, "generic") == 0) { *why = "CHRONOFACE_NATIVE_ISA=generic"; return ck_generic::table(); }
  if (force && std::strcmp(force, "avx2") == 0 && avx2) { *why = "CHRONOFACE_NATIVE_ISA=avx2"; return ck_avx2::table(); }
  if (avx512) { *why = "the CPU has AVX-512"; return ck_avx512::table(); }
  if (avx2) { *why = "the CPU has AVX2 and FMA, not AVX-512"; return ck_avx2::table(); }
  *why = "the CPU has neither AVX-512 nor AVX2";
  return ck_generic::table();
}

// Chosen once per process (a function-local static is initialised once even when gradient workers load together).
struct Choice {
  const KernelTable* table;
  std::string why;
};
const Choice& choice() {
  static const Choice c = [] {
    Choice r;
    r.table = pick(&r.why);
    return r;
  }();
  return c;
}
const KernelTable* kernels() { return choice().table; }

bool throwIf(napi_env env, bool bad, const char* msg) {
  if (bad) napi_throw_type_error(env, nullptr, msg);
  return bad;
}

// A Float32Array argument's data (null for JavaScript null when allowNull), and its length in floats.
bool f32(napi_env env, napi_value v, bool allowNull, float** data, size_t* length) {
  napi_valuetype t;
  napi_typeof(env, v, &t);
  if (allowNull && (t == napi_null || t == napi_undefined)) {
    *data = nullptr;
    *length = 0;
    return true;
  }
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type;
  void* p = nullptr;
  if (!is || napi_get_typedarray_info(env, v, &type, length, &p, nullptr, nullptr) != napi_ok || type != napi_float32_array) {
    napi_throw_type_error(env, nullptr, "expected a Float32Array");
    return false;
  }
  *data = static_cast<float*>(p);
  return true;
}

bool number(napi_env env, napi_value v, double* out) {
  if (napi_get_value_double(env, v, out) != napi_ok) {
    napi_throw_type_error(env, nullptr, "expected a number");
    return false;
  }
  return true;
}

// dims: [n, h, w, ci, oh, ow, co, kh, kw, sh, sw, padTop, padLeft, dh, dw]
bool dims(napi_env env, napi_value v, ConvDims* d) {
  bool is = false;
  napi_is_typedarray(env, v, &is);
  napi_typedarray_type type;
  size_t len = 0;
  void* p = nullptr;
  if (!is || napi_get_typedarray_info(env, v, &type, &len, &p, nullptr, nullptr) != napi_ok || type != napi_int32_array || len != 15) {
    napi_throw_type_error(env, nullptr, "expected 15 convolution dimensions in an Int32Array");
    return false;
  }
  const int32_t* a = static_cast<const int32_t*>(p);
  *d = ConvDims{a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14]};
  for (int i = 0; i < 15; i++)
    if (a[i] < (i == 11 || i == 12 ? -1000000 : 1)) {
      napi_throw_range_error(env, nullptr, "convolution dimensions must be positive");
      return false;
    }
  return true;
}

template <size_t N>
bool args(napi_env env, napi_callback_info info, napi_value (&argv)[N]) {
  size_t argc = N;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  return !throwIf(env, argc < N, "too few arguments");
}

int64_t sz(int64_t a, int64_t b, int64_t c, int64_t d) { return a * b * c * d; }

// conv2d(x, w, bias | null, y, dims)
napi_value Conv2d(napi_env env, napi_callback_info info) {
  napi_value a[5];
  float *x, *w, *b, *y;
  size_t nx, nw, nb, ny;
  ConvDims d;
  if (!args(env, info, a) || !f32(env, a[0], false, &x, &nx) || !f32(env, a[1], false, &w, &nw) || !f32(env, a[2], true, &b, &nb) ||
      !f32(env, a[3], false, &y, &ny) || !dims(env, a[4], &d))
    return nullptr;
  if (throwIf(env, (int64_t)nx < sz(d.n, d.h, d.w, d.ci) || (int64_t)nw < sz(d.kh, d.kw, d.ci, d.co) || (b && (int64_t)nb < d.co) ||
                       (int64_t)ny < sz(d.n, d.oh, d.ow, d.co),
              "conv2d: an array is smaller than its dimensions"))
    return nullptr;
  kernels()->conv2d(x, w, b, y, d);
  return nullptr;
}

// conv2dBackpropInput(dy, w, dx, dims)
napi_value Conv2dBackpropInput(napi_env env, napi_callback_info info) {
  napi_value a[4];
  float *dy, *w, *dx;
  size_t ndy, nw, ndx;
  ConvDims d;
  if (!args(env, info, a) || !f32(env, a[0], false, &dy, &ndy) || !f32(env, a[1], false, &w, &nw) || !f32(env, a[2], false, &dx, &ndx) ||
      !dims(env, a[3], &d))
    return nullptr;
  if (throwIf(env, (int64_t)ndy < sz(d.n, d.oh, d.ow, d.co) || (int64_t)nw < sz(d.kh, d.kw, d.ci, d.co) || (int64_t)ndx < sz(d.n, d.h, d.w, d.ci),
              "conv2dBackpropInput: an array is smaller than its dimensions"))
    return nullptr;
  kernels()->conv2d_backprop_input(dy, w, dx, d);
  return nullptr;
}

// conv2dBackpropFilter(x, dy, dw, dims)
napi_value Conv2dBackpropFilter(napi_env env, napi_callback_info info) {
  napi_value a[4];
  float *x, *dy, *dw;
  size_t nx, ndy, ndw;
  ConvDims d;
  if (!args(env, info, a) || !f32(env, a[0], false, &x, &nx) || !f32(env, a[1], false, &dy, &ndy) || !f32(env, a[2], false, &dw, &ndw) ||
      !dims(env, a[3], &d))
    return nullptr;
  if (throwIf(env, (int64_t)nx < sz(d.n, d.h, d.w, d.ci) || (int64_t)ndy < sz(d.n, d.oh, d.ow, d.co) || (int64_t)ndw < sz(d.kh, d.kw, d.ci, d.co),
              "conv2dBackpropFilter: an array is smaller than its dimensions"))
    return nullptr;
  kernels()->conv2d_backprop_filter(x, dy, dw, d);
  return nullptr;
}

bool arrays(napi_env env, napi_value* a, int count, float** out, size_t* len) {
  for (int i = 0; i < count; i++)
    if (!f32(env, a[i], false, &out[i], &len[i])) return false;
  return true;
}

bool integer(napi_env env, napi_value v, int64_t* out) {
  if (napi_get_value_int64(env, v, out) != napi_ok || *out < 1) {
    napi_throw_type_error(env, nullptr, "expected a positive integer");
    return false;
  }
  return true;
}

// matmul(a, b, c, batch, m, n, k, transposeA, transposeB)
napi_value MatMul(napi_env env, napi_callback_info info) {
  napi_value a[9];
  float* p[3];
  size_t n[3];
  int64_t batch, m, nn, k;
  bool ta, tb;
  if (!args(env, info, a) || !arrays(env, a, 3, p, n) || !integer(env, a[3], &batch) || !integer(env, a[4], &m) || !integer(env, a[5], &nn) ||
      !integer(env, a[6], &k))
    return nullptr;
  if (napi_get_value_bool(env, a[7], &ta) != napi_ok || napi_get_value_bool(env, a[8], &tb) != napi_ok) {
    napi_throw_type_error(env, nullptr, "matmul: expected booleans for the transposes");
    return nullptr;
  }
  if (throwIf(env, (int64_t)n[0] < batch * m * k || (int64_t)n[1] < batch * k * nn || (int64_t)n[2] < batch * m * nn,
              "matmul: an array is smaller than its dimensions"))
    return nullptr;
  kernels()->matmul(p[0], p[1], p[2], (int)batch, (int)m, (int)nn, (int)k, ta, tb);
  return nullptr;
}

// broadcast(x, b, out, rows, columns, op, perRow): op 0 adds, 1 multiplies b per column (or per row when perRow)
napi_value Broadcast(napi_env env, napi_callback_info info) {
  napi_value a[7];
  float* p[3];
  size_t n[3];
  int64_t rows, c;
  double op;
  bool perRow;
  if (!args(env, info, a) || !arrays(env, a, 3, p, n) || !integer(env, a[3], &rows) || !integer(env, a[4], &c) || !number(env, a[5], &op))
    return nullptr;
  if (napi_get_value_bool(env, a[6], &perRow) != napi_ok) {
    napi_throw_type_error(env, nullptr, "broadcast: expected a boolean perRow");
    return nullptr;
  }
  if (throwIf(env, op != 0 && op != 1, "broadcast: op must be 0 (add) or 1 (multiply)")) return nullptr;
  if (throwIf(env, (int64_t)n[0] < rows * c || (int64_t)n[1] < (perRow ? rows : c) || (int64_t)n[2] < rows * c,
              "broadcast: an array is smaller than its dimensions"))
    return nullptr;
  kernels()->broadcast(p[0], p[1], p[2], rows, c, (int)op, perRow);
  return nullptr;
}

// sumRows(x, out, rows, channels)
napi_value SumRows(napi_env env, napi_callback_info info) {
  napi_value a[4];
  float* p[2];
  size_t n[2];
  int64_t rows, c;
  if (!args(env, info, a) || !arrays(env, a, 2, p, n) || !integer(env, a[2], &rows) || !integer(env, a[3], &c)) return nullptr;
  if (throwIf(env, (int64_t)n[0] < rows * c || (int64_t)n[1] < c, "sumRows: an array is smaller than rows x channels")) return nullptr;
  kernels()->sum_rows(p[0], p[1], rows, (int)c);
  return nullptr;
}

// batchNormForward(x, gamma, beta, y, xhat, mean, variance, rstd, rows, channels, eps, leak)
napi_value BatchNormForward(napi_env env, napi_callback_info info) {
  napi_value a[12];
  float* p[8];
  size_t n[8];
  int64_t rows, c;
  double eps, leak;
  if (!args(env, info, a) || !arrays(env, a, 8, p, n) || !integer(env, a[8], &rows) || !integer(env, a[9], &c) || !number(env, a[10], &eps) ||
      !number(env, a[11], &leak))
    return nullptr;
  const size_t full = static_cast<size_t>(rows * c), ch = static_cast<size_t>(c);
  if (throwIf(env, n[0] < full || n[3] < full || n[4] < full || n[1] < ch || n[2] < ch || n[5] < ch || n[6] < ch || n[7] < ch,
              "batchNormForward: an array is smaller than rows x channels"))
    return nullptr;
  kernels()->batch_norm_forward(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], rows, static_cast<int>(c), static_cast<float>(eps),
                                static_cast<float>(leak));
  return nullptr;
}

// batchNormBackward(dy, xhat, gamma, beta, rstd, dx, dgamma, dbeta, rows, channels, leak)
napi_value BatchNormBackward(napi_env env, napi_callback_info info) {
  napi_value a[11];
  float* p[8];
  size_t n[8];
  int64_t rows, c;
  double leak;
  if (!args(env, info, a) || !arrays(env, a, 8, p, n) || !integer(env, a[8], &rows) || !integer(env, a[9], &c) || !number(env, a[10], &leak))
    return nullptr;
  const size_t full = static_cast<size_t>(rows * c), ch = static_cast<size_t>(c);
  if (throwIf(env, n[0] < full || n[1] < full || n[5] < full || n[2] < ch || n[3] < ch || n[4] < ch || n[6] < ch || n[7] < ch,
              "batchNormBackward: an array is smaller than rows x channels"))
    return nullptr;
  kernels()->batch_norm_backward(p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], rows, static_cast<int>(c), static_cast<float>(leak));
  return nullptr;
}

// adam(p, out, m, v, g0, g1 | null, b1, b2, step, eps)
napi_value Adam(napi_env env, napi_callback_info info) {
  napi_value a[10];
  float *p, *out, *m, *v, *g0, *g1;
  size_t np, nout, nm, nv, ng0, ng1;
  double b1, b2, step, eps;
  if (!args(env, info, a) || !f32(env, a[0], false, &p, &np) || !f32(env, a[1], false, &out, &nout) || !f32(env, a[2], false, &m, &nm) ||
      !f32(env, a[3], false, &v, &nv) || !f32(env, a[4], false, &g0, &ng0) || !f32(env, a[5], true, &g1, &ng1) || !number(env, a[6], &b1) ||
      !number(env, a[7], &b2) || !number(env, a[8], &step) || !number(env, a[9], &eps))
    return nullptr;
  if (throwIf(env, nout != np || nm != np || nv != np || ng0 != np || (g1 && ng1 != np), "adam: arrays of different lengths")) return nullptr;
  kernels()->adam(p, out, m, v, g0, g1, static_cast<int64_t>(np), static_cast<float>(b1), static_cast<float>(b2), static_cast<float>(step),
                static_cast<float>(eps));
  return nullptr;
}

void set(napi_env env, napi_value exports, const char* name, napi_callback cb) {
  napi_value f;
  napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, nullptr, &f);
  napi_set_named_property(env, exports, name, f);
}

void setString(napi_env env, napi_value exports, const char* name, const char* value) {
  napi_value s;
  napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &s);
  napi_set_named_property(env, exports, name, s);
}

}  // namespace

NAPI_MODULE_INIT() {
  setString(env, exports, "isa", kernels()->isa);
  setString(env, exports, "reason", choice().why.c_str());
  set(env, exports, "conv2d", Conv2d);
  set(env, exports, "conv2dBackpropInput", Conv2dBackpropInput);
  set(env, exports, "conv2dBackpropFilter", Conv2dBackpropFilter);
  set(env, exports, "matmul", MatMul);
  set(env, exports, "broadcast", Broadcast);
  set(env, exports, "sumRows", SumRows);
  set(env, exports, "batchNormForward", BatchNormForward);
  set(env, exports, "batchNormBackward", BatchNormBackward);
  set(env, exports, "adam", Adam);
  return exports;
}
