/*
 * A PKCS#11 test module that behaves like a smart card's PIN counter on top of SoftHSM2
 * (which never locks): after 1 wrong user PIN the token reports CKF_USER_PIN_COUNT_LOW,
 * after 2 CKF_USER_PIN_FINAL_TRY, after 3 CKF_USER_PIN_LOCKED and every later C_Login
 * answers CKR_PIN_LOCKED. Each user C_Login is logged to $PINLOCK_LOG so tests can prove
 * the signer never retries a PIN. Everything else is forwarded to $PINLOCK_REAL.
 * Built by the signer's tests with `cc -shared -fPIC`; it is not part of the product.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef unsigned long CK_ULONG;
typedef CK_ULONG CK_RV;
typedef struct { unsigned char major, minor; } CK_VERSION;

#define NFUNCS 68
#define IDX_GET_TOKEN_INFO 6
#define IDX_LOGIN 18
#define CKR_OK 0x0UL
#define CKR_GENERAL_ERROR 0x5UL
#define CKR_PIN_INCORRECT 0xA0UL
#define CKR_PIN_LOCKED 0xA4UL
#define CKU_USER 1UL
#define CKF_USER_PIN_COUNT_LOW (1UL << 16)
#define CKF_USER_PIN_FINAL_TRY (1UL << 17)
#define CKF_USER_PIN_LOCKED (1UL << 18)
#define TOKEN_INFO_FLAGS_OFFSET 96 /* label 32, manufacturer 32, model 16, serial 16 */

typedef struct { CK_VERSION version; void *f[NFUNCS]; } FunctionList;
typedef CK_RV (*GetFunctionListFn)(FunctionList **);
typedef CK_RV (*LoginFn)(CK_ULONG, CK_ULONG, unsigned char *, CK_ULONG);
typedef CK_RV (*GetTokenInfoFn)(CK_ULONG, unsigned char *);

static FunctionList *real;
static FunctionList mine;
static int wrong;

static void log_login(const char *what) {
  const char *path = getenv("PINLOCK_LOG");
  if (!path) return;
  FILE *f = fopen(path, "a");
  if (!f) return;
  fprintf(f, "%s\n", what);
  fclose(f);
}

static CK_RV my_login(CK_ULONG h, CK_ULONG user, unsigned char *pin, CK_ULONG len) {
  LoginFn login = (LoginFn)real->f[IDX_LOGIN];
  if (user != CKU_USER) return login(h, user, pin, len);
  log_login("login");
  if (wrong >= 3) return CKR_PIN_LOCKED;
  CK_RV rv = login(h, user, pin, len);
  if (rv == CKR_PIN_INCORRECT) {
    wrong++;
    if (wrong >= 3) return CKR_PIN_LOCKED;
  } else if (rv == CKR_OK) {
    wrong = 0;
  }
  return rv;
}

static CK_RV my_get_token_info(CK_ULONG slot, unsigned char *info) {
  CK_RV rv = ((GetTokenInfoFn)real->f[IDX_GET_TOKEN_INFO])(slot, info);
  if (rv != CKR_OK || info == NULL) return rv;
  CK_ULONG flags;
  memcpy(&flags, info + TOKEN_INFO_FLAGS_OFFSET, sizeof flags);
  if (wrong >= 1) flags |= CKF_USER_PIN_COUNT_LOW;
  if (wrong == 2) flags |= CKF_USER_PIN_FINAL_TRY;
  if (wrong >= 3) flags |= CKF_USER_PIN_LOCKED;
  memcpy(info + TOKEN_INFO_FLAGS_OFFSET, &flags, sizeof flags);
  return rv;
}

CK_RV C_GetFunctionList(FunctionList **out) {
  if (!real) {
    const char *path = getenv("PINLOCK_REAL");
    void *lib = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
    GetFunctionListFn get = lib ? (GetFunctionListFn)dlsym(lib, "C_GetFunctionList") : NULL;
    if (!get || get(&real) != CKR_OK || !real) return CKR_GENERAL_ERROR;
    memcpy(&mine, real, sizeof mine);
    mine.f[IDX_LOGIN] = (void *)my_login;
    mine.f[IDX_GET_TOKEN_INFO] = (void *)my_get_token_info;
  }
  *out = &mine;
  return CKR_OK;
}
