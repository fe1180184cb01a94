{
  "targets": [
    {
      "target_name": "switchyard_relay",
      "sources": ["src/relay.cc"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-lzmq"],
      "defines": ["NAPI_VERSION=8"]
    },
    {
      "target_name": "switchyard_loadgen",
      "sources": ["src/loadgen.cc"],
      "cflags_cc": ["-std=c++17", "-O2", "-Wall", "-Wextra", "-Wno-unused-parameter", "-Wno-missing-field-initializers"],
      "cflags_cc!": ["-fno-exceptions"],
      "libraries": ["-lzmq"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
