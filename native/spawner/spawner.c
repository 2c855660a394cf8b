/*
 * shellstep's native process starter, used by the spawner helper (src/engine/run-command/plugins/spawner-helper.cjs)
 * where it builds. Node's child_process forks the helper (a copy of its page tables, torn down again by the child's
 * exec); posix_spawn in glibc starts the child with clone(CLONE_VM|CLONE_VFORK), as the real agent's Go runtime does,
 * so nothing is copied. The child gets what Node's spawn gives a detached child with piped stdout/stderr: its own
 * session (setsid), stdin from /dev/null, every signal at its default disposition and none blocked, the working
 * directory, and the program found on the PATH of its own environment.
 *
 * spawn(file, args, env, cwd) → [pid, stdoutFd, stderrFd], or a negative errno.
 * reap() → [pid, code, signal, ...] for every child that has ended (waitpid(-1, WNOHANG)); the helper calls it on
 * SIGCHLD. It reaps any child of the process, so the helper uses it only when it starts no child otherwise.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <node_api.h>

#define CHECK(call) do { if ((call) != napi_ok) return NULL; } while (0)

/* A JS string as a malloc'd C string; NULL when it is not a string. The helper refuses NUL bytes before calling. */
static char *string_of(napi_env env, napi_value value) {
  size_t length;
  if (napi_get_value_string_utf8(env, value, NULL, 0, &length) != napi_ok) return NULL;
  char *text = malloc(length + 1);
  if (text == NULL) return NULL;
  if (napi_get_value_string_utf8(env, value, text, length + 1, &length) != napi_ok) {
    free(text);
    return NULL;
  }
  return text;
}

static void free_list(char **list) {
  if (list == NULL) return;
  for (char **p = list; *p != NULL; p++) free(*p);
  free(list);
}

/* A JS array of strings as a NULL-terminated list. */
static char **list_of(napi_env env, napi_value array) {
  uint32_t count;
  if (napi_get_array_length(env, array, &count) != napi_ok) return NULL;
  char **list = calloc((size_t)count + 1, sizeof(char *));
  if (list == NULL) return NULL;
  for (uint32_t i = 0; i < count; i++) {
    napi_value item;
    if (napi_get_element(env, array, i, &item) != napi_ok || (list[i] = string_of(env, item)) == NULL) {
      free_list(list);
      return NULL;
    }
  }
  return list;
}

static int executable(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

/*
 * The program to run: `file` itself when it names a path, else the first executable `dir/file` on the PATH of the
 * child's environment (libuv does the same; without PATH, the C library's default /bin:/usr/bin). 0 or an errno.
 */
static int resolve(const char *file, char *const *envp, char *out, size_t size) {
  if (strchr(file, '/') != NULL) {
    if (strlen(file) >= size) return ENAMETOOLONG;
    strcpy(out, file);
    return 0;
  }
  const char *path = "/bin:/usr/bin";
  for (char *const *e = envp; *e != NULL; e++) {
    if (strncmp(*e, "PATH=", 5) == 0) path = *e + 5;
  }
  int error = ENOENT;
  for (const char *dir = path;; dir = strchr(dir, ':') + 1) {
    const char *end = strchr(dir, ':');
    size_t length = end == NULL ? strlen(dir) : (size_t)(end - dir);
    /* An empty entry is the current directory. */
    int written = length == 0 ? snprintf(out, size, "%s", file) : snprintf(out, size, "%.*s/%s", (int)length, dir, file);
    if (written > 0 && (size_t)written < size) {
      errno = 0;
      if (executable(out)) return 0;
      if (errno == EACCES) error = EACCES;
    }
    if (end == NULL) break;
  }
  return error;
}

static napi_value number(napi_env env, int value) {
  napi_value result;
  napi_create_int32(env, value, &result);
  return result;
}

static napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 4;
  napi_value argv[4];
  CHECK(napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 4) return number(env, -EINVAL);
  char *file = string_of(env, argv[0]);
  char **args = list_of(env, argv[1]);
  char **envp = list_of(env, argv[2]);
  char *cwd = string_of(env, argv[3]);
  int error = 0;
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  pid_t pid = -1;
  char program[PATH_MAX];
  if (file == NULL || args == NULL || envp == NULL || cwd == NULL) error = EINVAL;
  if (error == 0) error = resolve(file, envp, program, sizeof program);
  if (error == 0 && (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0)) error = errno;
  if (error == 0) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
#ifdef __GLIBC__
    /*
     * sigfillset leaves out glibc's own two signals (32, 33); posix_spawn then sets them to SIG_IGN in the child, and an
     * ignored signal stays ignored across exec. libuv's child resets every signal to its default: so does this one.
     */
    all.__val[0] |= (1UL << (32 - 1)) | (1UL << (33 - 1));
#endif
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err[1], 2);
    posix_spawn_file_actions_addchdir_np(&actions, cwd);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    error = posix_spawn(&pid, program, &actions, &attr, args, envp);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  if (out[1] >= 0) close(out[1]);
  if (err[1] >= 0) close(err[1]);
  if (error != 0) {
    if (out[0] >= 0) close(out[0]);
    if (err[0] >= 0) close(err[0]);
  }
  free(file);
  free_list(args);
  free_list(envp);
  free(cwd);
  if (error != 0) return number(env, -error);
  napi_value result;
  CHECK(napi_create_array_with_length(env, 3, &result));
  CHECK(napi_set_element(env, result, 0, number(env, pid)));
  CHECK(napi_set_element(env, result, 1, number(env, out[0])));
  CHECK(napi_set_element(env, result, 2, number(env, err[0])));
  return result;
}

static napi_value Reap(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  CHECK(napi_create_array(env, &result));
  uint32_t i = 0;
  int status;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    int signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    CHECK(napi_set_element(env, result, i++, number(env, pid)));
    CHECK(napi_set_element(env, result, i++, number(env, code)));
    CHECK(napi_set_element(env, result, i++, number(env, signal)));
  }
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor methods[] = {
    {"spawn", NULL, Spawn, NULL, NULL, NULL, napi_default, NULL},
    {"reap", NULL, Reap, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, 2, methods));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
