//go:build cgo

package sethealth

// All cgo directives of the package live here.
//
// The package links libsethealth.a, the C ABI of sethealth-core, which
// `make go` builds and copies to lib/. The archive is named by its full
// path, so that a libsethealth.so next to it is never picked instead. The
// libraries after it are what `rustc --print native-static-libs` lists on
// Linux.
//
// library_stamp.h, also written by `make go`, holds the archive's checksum.
// The go command does not notice when a linked archive changes, but it does
// rebuild a package when a header in its directory changes, so the stamp
// makes a rebuilt library reach the next `go build` or `go test`.
//
// Memory rules, which every file of the package follows:
//
//   - Go memory passed to C never contains Go pointers: option structs are
//     Go values whose string members point to C memory from C.CString.
//   - C strings made here are freed before the call that made them returns;
//     the one holding the secret is zeroed first.
//   - Every object the library returns (client, token, error, cancel handle)
//     has exactly one owner on the Go side and is freed with its C free
//     function: tokens and errors at once, after their fields are copied
//     into Go values; clients in Close, with a cleanup as a backstop.
//   - runtime.KeepAlive follows every C call on a wrapper's pointer, so that
//     the wrapper's cleanup cannot run while C still uses the pointer.

/*
#cgo CFLAGS: -I${SRCDIR}/../../include
#cgo LDFLAGS: ${SRCDIR}/lib/libsethealth.a -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc
#include <stdlib.h>
#include <string.h>
#include "sethealth.h"
#if defined(__has_include)
#if __has_include("library_stamp.h")
#include "library_stamp.h"
#endif
#endif
*/
import "C"

import (
	"fmt"
	"strings"
	"unicode/utf8"
	"unsafe"
)

// ABIVersion is the version of the C ABI this package was written for. The
// package panics at start-up when the linked library reports another one,
// because every call would then be undefined behaviour.
const ABIVersion = 1

func init() {
	if linked := uint32(C.sethealth_abi_version()); linked != ABIVersion || C.SETHEALTH_ABI_VERSION != ABIVersion {
		panic(fmt.Sprintf(
			"sethealth: libsethealth.a has ABI version %d and sethealth.h version %d, but this package needs %d; "+
				"rebuild the library with `make go` from the same checkout",
			linked, C.SETHEALTH_ABI_VERSION, ABIVersion))
	}
}

// LibraryVersion returns the version of the linked sethealth-core library,
// such as "0.1.0".
func LibraryVersion() string {
	return C.GoString(C.sethealth_version())
}

// cString copies a Go string into C memory for one call. The empty string
// gives NULL when nullIfEmpty is set, which the C API reads as "default".
// The caller frees the result with freeCString.
//
// It returns an ErrInvalidArgument error naming field when the value holds
// a NUL byte, which a C string cannot carry, or is not valid UTF-8. The
// value itself is not quoted, because it may be a secret.
func cString(field, value string, nullIfEmpty bool) (*C.char, error) {
	if value == "" && nullIfEmpty {
		return nil, nil
	}
	if index := strings.IndexByte(value, 0); index >= 0 {
		return nil, newError(KindInvalidArgument, fmt.Sprintf(
			"%s contains a NUL byte at offset %d; remove it", field, index))
	}
	if !utf8.ValidString(value) {
		return nil, newError(KindInvalidArgument, fmt.Sprintf("%s is not valid UTF-8; pass UTF-8 text", field))
	}
	return C.CString(value), nil
}

// freeCString frees a string from cString; NULL is allowed.
func freeCString(text *C.char) {
	C.free(unsafe.Pointer(text))
}

// freeSecretCString zeroes a string from cString, then frees it.
func freeSecretCString(text *C.char) {
	if text != nil {
		C.memset(unsafe.Pointer(text), 0, C.strlen(text))
	}
	C.free(unsafe.Pointer(text))
}
