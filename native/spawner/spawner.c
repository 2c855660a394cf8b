/*
 * shellstep's native process starter, used by the spawner helper (src/engine/run-command/plugins/spawner-helper.cjs)
 * where it builds. Node's child_process forks the helper (a copy of its page tables, torn down again by the child's
 * exec); posix_spawn in glibc starts the child with clone(CLONE_VM|CLONE_VFORK), as the real agent's Go runtime does,
 * so nothing is copied. The child gets what Node's spawn gives a detached child with piped stdout/stderr: its own
 * session (setsid), stdin from /dev/null, every signal at its default disposition and none blocked, the working
 * directory, and the program found on the PATH of its own environment.
 *
 * spawn(file, args, env, cwd, callback) → callback([pid, stdoutFd, stderrFd]) or callback(-errno), on a worker thread.
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
#include <pthread.h>
#include <node_api.h>

#define CHECK(call) do { if ((call) != napi_ok) return NULL; } while (0)

/*
 * A JS string as a malloc'd UTF-8 C string and its length in bytes (NUL bytes kept); NULL when it is not a string.
 * The helper refuses NUL bytes in what becomes a path, an argument or the environment before calling.
 */
static char *string_of_length(napi_env env, napi_value value, size_t *length) {
  if (napi_get_value_string_utf8(env, value, NULL, 0, length) != napi_ok) return NULL;
  char *text = malloc(*length + 1);
  if (text == NULL) return NULL;
  if (napi_get_value_string_utf8(env, value, text, *length + 1, length) != napi_ok) {
    free(text);
    return NULL;
  }
  return text;
}

static char *string_of(napi_env env, napi_value value) {
  size_t length;
  return string_of_length(env, value, &length);
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

/*
 * A child holds a copy of every descriptor of this process from its clone until its exec, so one started while a
 * script file is open for writing makes executing that script fail with ETXTBSY ("Text file busy") until it has
 * exec'd. Starts hold this lock shared, script writes exclusive (writers first, so that they are not starved).
 */
static pthread_rwlock_t clone_lock;

/* What failed: the operation, for the error the helper reports. */
enum { OP_MKDIR = 1, OP_OPEN, OP_WRITE, OP_CHMOD, OP_SPAWN };

/* One start, from the call on the main thread to its answer there; the start itself runs on a libuv worker thread. */
typedef struct {
  napi_async_work work;
  napi_ref callback;
  char *dir;
  char *script_path;
  char *script;
  size_t script_length;
  int op;
  char *file;
  char **args;
  char **envp;
  char *cwd;
  int error;
  pid_t pid;
  int out;
  int err;
} job_t;

static void free_job(job_t *job) {
  free(job->dir);
  free(job->script_path);
  free(job->script);
  free(job->file);
  free_list(job->args);
  free_list(job->envp);
  free(job->cwd);
  free(job);
}

/*
 * posix_spawn suspends the calling thread until the child has exec'd, which on a busy machine waits for the scheduler;
 * on a worker thread, that wait holds no other start and no exit back. Every pipe is close-on-exec, so a child started
 * meanwhile on another thread inherits none of this one's.
 */
/* mkdir -p with mode 0777 (less the umask), as Node's mkdirSync(dir, { recursive: true }). 0 or an errno. */
static int make_dirs(char *dir) {
  for (char *p = dir + 1;; p++) {
    if (*p != '/' && *p != '\0') continue;
    char kept = *p;
    *p = '\0';
    int failed = mkdir(dir, 0777) != 0 && errno != EEXIST;
    int error = errno;
    *p = kept;
    if (failed) return error;
    if (kept == '\0') return 0;
  }
}

/* The script file, as the JS helper writes it: created 0666 (less the umask), then chmod 0755. */
static int write_script(job_t *job) {
  int error = make_dirs(job->dir);
  if (error != 0) return job->op = OP_MKDIR, error;
  pthread_rwlock_wrlock(&clone_lock);
  int fd = open(job->script_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) {
    error = errno;
    job->op = OP_OPEN;
  }
  for (size_t done = 0; fd >= 0 && error == 0 && done < job->script_length;) {
    ssize_t n = write(fd, job->script + done, job->script_length - done);
    if (n < 0 && errno != EINTR) error = errno, job->op = OP_WRITE;
    else if (n > 0) done += (size_t)n;
  }
  if (fd >= 0) close(fd);
  pthread_rwlock_unlock(&clone_lock);
  if (error == 0 && chmod(job->script_path, 0755) != 0) error = errno, job->op = OP_CHMOD;
  return error;
}

static void execute(napi_env env, void *data) {
  (void)env;
  job_t *job = data;
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  char program[PATH_MAX];
  int error = write_script(job);
  if (error != 0) {
    job->error = error;
    job->out = job->err = -1;
    return;
  }
  job->op = OP_SPAWN;
  error = resolve(job->file, job->envp, program, sizeof program);
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
    posix_spawn_file_actions_addchdir_np(&actions, job->cwd);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &all);
    pthread_rwlock_rdlock(&clone_lock);
    error = posix_spawn(&job->pid, program, &actions, &attr, job->args, job->envp);
    pthread_rwlock_unlock(&clone_lock);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  if (out[1] >= 0) close(out[1]);
  if (err[1] >= 0) close(err[1]);
  if (error != 0) {
    if (out[0] >= 0) close(out[0]);
    if (err[0] >= 0) close(err[0]);
  }
  job->error = error;
  job->out = out[0];
  job->err = err[0];
}

static void complete(napi_env env, napi_status status, void *data) {
  job_t *job = data;
  napi_value callback, global, result;
  if (status != napi_ok && job->error == 0) job->error = ECANCELED;
  if (napi_get_reference_value(env, job->callback, &callback) == napi_ok && napi_get_global(env, &global) == napi_ok) {
    if (job->error != 0) {
      napi_create_array_with_length(env, 2, &result);
      napi_set_element(env, result, 0, number(env, -job->error));
      napi_set_element(env, result, 1, number(env, job->op));
    } else {
      napi_create_array_with_length(env, 3, &result);
      napi_set_element(env, result, 0, number(env, job->pid));
      napi_set_element(env, result, 1, number(env, job->out));
      napi_set_element(env, result, 2, number(env, job->err));
    }
    napi_call_function(env, global, callback, 1, &result, NULL);
  }
  napi_delete_reference(env, job->callback);
  napi_delete_async_work(env, job->work);
  free_job(job);
}

/*
 * spawn(dir, scriptPath, script, file, args, env, cwd, callback): writes the script, starts the program, then on a
 * later turn callback([pid, stdoutFd, stderrFd]) or callback([-errno, operation]).
 */
static napi_value Spawn(napi_env env, napi_callback_info info) {
  size_t argc = 8;
  napi_value all[8];
  CHECK(napi_get_cb_info(env, info, &argc, all, NULL, NULL));
  if (argc < 8) {
    napi_throw_type_error(env, NULL, "spawn(dir, scriptPath, script, file, args, env, cwd, callback)");
    return NULL;
  }
  napi_value *argv = all + 3;
  job_t *job = calloc(1, sizeof(job_t));
  if (job == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  job->file = string_of(env, argv[0]);
  job->args = list_of(env, argv[1]);
  job->envp = list_of(env, argv[2]);
  job->cwd = string_of(env, argv[3]);
  job->dir = string_of(env, all[0]);
  job->script_path = string_of(env, all[1]);
  job->script = string_of_length(env, all[2], &job->script_length);
  napi_value name;
  if (job->dir == NULL || job->script_path == NULL || job->script == NULL || job->file == NULL || job->args == NULL || job->envp == NULL || job->cwd == NULL ||
      napi_create_reference(env, argv[4], 1, &job->callback) != napi_ok) {
    free_job(job);
    napi_throw_type_error(env, NULL, "spawn: strings, arrays of strings and a function expected");
    return NULL;
  }
  CHECK(napi_create_string_utf8(env, "shellstep:spawn", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_async_work(env, NULL, name, execute, complete, job, &job->work));
  CHECK(napi_queue_async_work(env, job->work));
  return NULL;
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
  pthread_rwlockattr_t attr;
  pthread_rwlockattr_init(&attr);
  pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
  pthread_rwlock_init(&clone_lock, &attr);
  pthread_rwlockattr_destroy(&attr);
  napi_property_descriptor methods[] = {
    {"spawn", NULL, Spawn, NULL, NULL, NULL, napi_default, NULL},
    {"reap", NULL, Reap, NULL, NULL, NULL, napi_default, NULL},
  };
  CHECK(napi_define_properties(env, exports, 2, methods));
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
