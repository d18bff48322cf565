{
  "targets": [
    {
      "target_name": "<(module_name)",
      "sources": ["src/hello.c"],
      "defines": ["NAPI_VERSION=<(napi_build_version)"],
      "product_dir": "<(module_path)"
    }
  ]
}
