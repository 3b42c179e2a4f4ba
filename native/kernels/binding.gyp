{
  "target_defaults": {
    "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-fno-exceptions", "-Wno-psabi"],
    "cflags_cc!": ["-fno-exceptions"]
  },
  "targets": [
    {
      "target_name": "kernels_avx512",
      "type": "static_library",
      "sources": ["src/avx512.cc"],
      "cflags_cc": ["-fPIC", "-mavx512f", "-mavx512vl", "-mavx512dq", "-mavx2", "-mfma", "-mprefer-vector-width=512"]
    },
    {
      "target_name": "kernels_avx2",
      "type": "static_library",
      "sources": ["src/avx2.cc"],
      "cflags_cc": ["-fPIC", "-mavx2", "-mfma"]
    },
    {
      "target_name": "kernels_generic",
      "type": "static_library",
      "sources": ["src/generic.cc"],
      "cflags_cc": ["-fPIC"]
    },
    {
      "target_name": "chronoface_kernels",
      "sources": ["src/addon.cc"],
      "dependencies": ["kernels_avx512", "kernels_avx2", "kernels_generic"]
    }
  ]
}
