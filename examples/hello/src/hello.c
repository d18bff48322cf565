// A tiny real Node-API addon, built once per Node-API version in binary.napi_versions.
#include <stdio.h>
#include <node_api.h>

#define STR_(x) #x
#define STR(x) STR_(x)

static napi_value Greet(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  char name[64] = "world";
  size_t len = 0;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc >= 1) napi_get_value_string_utf8(env, argv[0], name, sizeof(name), &len);
  char out[128];
  int n = snprintf(out, sizeof(out), "hello, %s (Node-API v" STR(NAPI_VERSION) ")", name);
  napi_value result;
  if (napi_create_string_utf8(env, out, (size_t)n, &result) != napi_ok) return NULL;
  return result;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor props[] = {{"greet", NULL, Greet, NULL, NULL, NULL, napi_default, NULL}};
  if (napi_define_properties(env, exports, 1, props) != napi_ok) return NULL;
  return exports;
}
