/* The one C ABI between skiffd and a plugin .so: nothing but C types and bytes cross it. */
#ifndef SKIFF_ABI_PLUGIN_ABI_H
#define SKIFF_ABI_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* "SKIF" — lets the kernel tell a descriptor from random memory. */
#define SKIFF_DESCRIPTOR_MAGIC 0x534B4946u
/* Layout of skiff_plugin_descriptor. Later layouts only append fields: a reader accepts any
 * layout whose struct_size covers the fields it knows, and ignores what follows them. */
#define SKIFF_DESCRIPTOR_LAYOUT 3u
/* The SDK API versions this header describes (the host struct and the callbacks). */
#define SKIFF_API_VERSION_MIN 1u
#define SKIFF_API_VERSION_MAX 1u

/* The single exported symbol every plugin defines. */
#define SKIFF_PLUGIN_ENTRY_SYMBOL "skiff_plugin_entry"

enum skiff_log_level {
  SKIFF_LOG_TRACE = 0,
  SKIFF_LOG_DEBUG = 1,
  SKIFF_LOG_INFO = 2,
  SKIFF_LOG_WARN = 3,
  SKIFF_LOG_ERROR = 4,
  SKIFF_LOG_CRITICAL = 5,
  SKIFF_LOG_OFF = 6
};

enum skiff_health_state { SKIFF_HEALTH_OK = 0, SKIFF_HEALTH_DEGRADED = 1, SKIFF_HEALTH_FAILING = 2 };

enum skiff_capability_flags {
  /* Only one plugin of a node may provide this capability (e.g. "store"). */
  SKIFF_CAPABILITY_EXCLUSIVE = 1u
};

typedef struct skiff_capability {
  const char* name;
  uint32_t flags;
} skiff_capability;

/* One row of a plugin's config table. type is one of:
 * "string", "int", "bool", "double", "duration", "list", "map", "any". */
typedef struct skiff_config_key {
  const char* name;
  const char* type;
  const char* default_value; /* YAML text; NULL means "required" */
  const char* description;
} skiff_config_key;

/* A constraint on one config key (descriptor layout 2). The kernel refuses a profile whose
 * value breaks it, with the line; the plugin's SDK checks it again when binding. */
typedef struct skiff_config_rule {
  const char* key;
  const char* one_of;  /* allowed values, each followed by '\n'; NULL: any */
  const char* minimum; /* YAML scalar (a number, or a duration for duration keys); NULL: none */
  const char* maximum;
} skiff_config_rule;

/* What the kernel hands to create(). Size-prefixed and append-only, like the descriptor: a
 * plugin reads only fields inside struct_size and accepts a larger struct from a newer kernel. */
typedef struct skiff_host {
  uint32_t struct_size;
  uint32_t api_version; /* negotiated: the highest version both sides support */
  const char* instance_name;
  const char* cluster_name;
  const char* node_name;
  const char* data_dir; /* the plugin's own state directory, created by the kernel */
  const char* config_yaml; /* the validated config block with defaults applied (YAML mapping) */
  size_t config_size;
  const char* bus_yaml; /* how to join the bus: url, credentials, tls (YAML mapping) */
  size_t bus_size;
  int32_t log_level; /* enum skiff_log_level */
  void* log_context;
  /* Called from any plugin thread; msg is not NUL-terminated. */
  void (*log)(void* log_context, int32_t level, const char* msg, size_t msg_size);
  const char* node_data_dir; /* the node's data dir (shared files such as the admin kubeconfig) */
  /* The node's labels, one "key=value" per line: the profile's labels and
     node-role.kubernetes.io/<role>= for each of its roles. */
  const char* node_labels;
} skiff_host;

/* Every callback returns 0 on success; on failure it writes a NUL-terminated reason into err. */
typedef struct skiff_plugin_descriptor {
  uint32_t struct_size;
  uint32_t magic;
  uint32_t layout;
  uint32_t api_min;
  uint32_t api_max;
  const char* name;
  const char* kind;
  const char* version;
  const char* description;
  const skiff_capability* provides; /* terminated by a {NULL, 0} entry */
  const char* const* required;      /* NULL-terminated capability names this plugin needs */
  const skiff_config_key* config_keys; /* terminated by an entry whose name is NULL */

  int32_t (*create)(const skiff_host* host, void** instance, char* err, size_t err_size);
  int32_t (*start)(void* instance, char* err, size_t err_size);
  int32_t (*stop)(void* instance, char* err, size_t err_size);
  /* Returns enum skiff_health_state and writes a short human message. */
  int32_t (*health)(void* instance, char* message, size_t message_size);
  void (*destroy)(void* instance);

  /* Layout 2. */
  const skiff_config_rule* config_rules; /* terminated by an entry whose key is NULL; NULL: none */
  /* Layout 3. Removes what the plugin leaves on the node on purpose across restarts (kernel
   * tables, routes …), with no instance and no bus: `skiffd cleanup NAME`, and skiffd itself
   * when a plugin was taken out of the node's profile. The host's bus fields are empty.
   * NULL: the plugin leaves nothing behind. */
  int32_t (*cleanup)(const skiff_host* host, char* err, size_t err_size);
} skiff_plugin_descriptor;

/* Bytes of each layout, for readers that know older ones. */
#define SKIFF_DESCRIPTOR_SIZE_LAYOUT1 (offsetof(skiff_plugin_descriptor, config_rules))
#define SKIFF_DESCRIPTOR_SIZE_LAYOUT2 (offsetof(skiff_plugin_descriptor, cleanup))
#define SKIFF_DESCRIPTOR_SIZE_LAYOUT3 (sizeof(skiff_plugin_descriptor))
/* The host struct as the first kernels sent it: every later field is optional to a plugin. */
#define SKIFF_HOST_SIZE_V1 (offsetof(skiff_host, node_labels) + sizeof(const char*))

typedef const skiff_plugin_descriptor* (*skiff_plugin_entry_fn)(void);

#ifdef __cplusplus
}
#endif

#endif
