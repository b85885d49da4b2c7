//! The plumbing every entry point shares: catching panics, reading C
//! strings and versioned structs, and writing out-parameters.

use std::ffi::{CStr, c_char};
use std::mem::{MaybeUninit, size_of};
use std::panic::{AssertUnwindSafe, catch_unwind};

use sethealth_core::{Error, ErrorKind, Result};

use crate::error::{sethealth_error, store_error};
use crate::status::{SETHEALTH_OK, sethealth_status};

/// The largest `struct_size` accepted for a versioned struct. Real sizes are
/// far below it; a larger value is a caller bug such as an uninitialised field.
const MAX_STRUCT_SIZE: u32 = 4096;

/// Runs the body of a fallible entry point: catches a panic, and turns an
/// error into its status and, when `err` is not NULL, an error object
/// stored in `*err`.
///
/// The body writes its out-parameters last, after every step that can fail,
/// so they stay untouched on failure.
pub(crate) fn run(
    function: &'static str,
    err: *mut *mut sethealth_error,
    body: impl FnOnce() -> Result<()>,
) -> sethealth_status {
    let result = catch_unwind(AssertUnwindSafe(body)).unwrap_or_else(|_| Err(panicked(function)));
    match result {
        Ok(()) => SETHEALTH_OK,
        Err(error) => {
            let status = error.kind().code();
            // SAFETY: the caller of the entry point passes NULL or a valid
            // pointer to writable storage for one error pointer.
            unsafe { store_error(err, error) };
            status
        }
    }
}

/// Runs the body of an infallible entry point, such as an accessor or a
/// free function, and returns `fallback` if it panics.
pub(crate) fn no_panic<T>(fallback: T, body: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(body)).unwrap_or(fallback)
}

/// Returns the error for a caught panic. The panic's payload is left out on purpose,
/// so that no value from inside the library can reach the message. The
/// default panic hook has already printed it to standard error.
fn panicked(function: &str) -> Error {
    Error::new(
        ErrorKind::Internal,
        format!(
            "{function} panicked inside sethealth-core; this is a bug, please report it with the panic printed on standard error"
        ),
    )
}

/// Returns the error for a NULL pointer passed as `parameter`.
pub(crate) fn null_argument(parameter: &str, expected: &str) -> Error {
    Error::new(
        ErrorKind::InvalidArgument,
        format!("{parameter} is NULL; pass {expected}"),
    )
}

/// Reads a required NUL-terminated UTF-8 string.
///
/// # Errors
///
/// `InvalidArgument` naming `parameter` when the pointer is NULL or the text
/// is not UTF-8. The message gives the offset of the invalid byte, never
/// the text itself, because the text may be a secret.
///
/// # Safety
///
/// `text` is NULL or points to a NUL-terminated string that outlives `'a`.
pub(crate) unsafe fn required_str<'a>(text: *const c_char, parameter: &str) -> Result<&'a str> {
    // SAFETY: forwarded from this function's contract.
    match unsafe { optional_str(text, parameter) }? {
        Some(text) => Ok(text),
        None => Err(null_argument(parameter, "a NUL-terminated UTF-8 string")),
    }
}

/// Reads an optional NUL-terminated UTF-8 string; NULL gives `None`.
///
/// # Errors
///
/// As [`required_str`], except that NULL is accepted.
///
/// # Safety
///
/// As [`required_str`].
pub(crate) unsafe fn optional_str<'a>(text: *const c_char, parameter: &str) -> Result<Option<&'a str>> {
    if text.is_null() {
        return Ok(None);
    }
    // SAFETY: the pointer is not NULL and, by this function's contract,
    // points to a NUL-terminated string that outlives 'a.
    let bytes = unsafe { CStr::from_ptr(text) }.to_bytes();
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(Some(text)),
        Err(utf8) => Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{parameter} is not valid UTF-8 (invalid byte at offset {}); pass UTF-8 text",
                utf8.valid_up_to()
            ),
        )),
    }
}

/// Borrows the object behind a handle that must not be NULL.
///
/// # Safety
///
/// `handle` is NULL or points to a live object of type `T` that outlives `'a`.
pub(crate) unsafe fn required_ref<'a, T>(handle: *const T, parameter: &str) -> Result<&'a T> {
    // SAFETY: forwarded from this function's contract.
    unsafe { handle.as_ref() }.ok_or_else(|| null_argument(parameter, "a handle from this library"))
}

/// Checks that an out-parameter is not NULL.
pub(crate) fn check_out<T>(out: *mut *mut T, parameter: &str) -> Result<()> {
    if out.is_null() {
        return Err(null_argument(
            parameter,
            "the address of a pointer variable to receive the result",
        ));
    }
    Ok(())
}

/// A `#[repr(C)]` struct whose first member is `uint32_t struct_size`, so
/// that later releases can append members without breaking the ABI.
///
/// # Safety
///
/// The type is `#[repr(C)]`, starts with a `u32` size, the all-zero bit
/// pattern is a valid value of it (NULL pointers, zeros, false), and every
/// size in `EARLIER_SIZES` ends on a member boundary.
//
// WARNING: a later release may only append members at or after the current
// `size_of`, never inside the trailing padding, because `read_versioned`
// copies and checks whole sizes. When appending, add the old `size_of`
// (the `offset_of!` the first new member) to `EARLIER_SIZES`.
pub(crate) unsafe trait Versioned: Copy {
    /// The C name of the struct, for error messages.
    const NAME: &'static str;
    /// The sizes of the struct in earlier releases of this header, each
    /// smaller than the current one. A caller compiled against one of them
    /// passes it as `struct_size` and gets the defaults for the rest.
    const EARLIER_SIZES: &'static [usize];
}

/// Reads a versioned struct that the caller declared as `struct_size` bytes.
///
/// A caller built against an older header passes one of the
/// [`Versioned::EARLIER_SIZES`]. Only that many bytes are read, and the
/// members it does not know stay zero, which means "default". A caller
/// built against a newer header passes a larger size. That size is accepted
/// only when every byte this library does not know is zero, so that a
/// setting is never silently ignored.
///
/// # Errors
///
/// `InvalidArgument` when `struct_size` is smaller than the current size and
/// not an earlier one, larger than any plausible size, or covers non-zero
/// unknown bytes.
///
/// # Safety
///
/// `value` is NULL or points to at least `struct_size` readable bytes, the
/// first four of which are `struct_size`.
pub(crate) unsafe fn read_versioned<T: Versioned>(value: *const T, parameter: &str) -> Result<Option<T>> {
    if value.is_null() {
        return Ok(None);
    }
    // SAFETY: the pointer is not NULL and starts with the u32 struct_size.
    let declared = unsafe { value.cast::<u32>().read_unaligned() };
    let known = size_of::<T>();
    let fix = format!("set it to sizeof({})", T::NAME);
    if declared == 0 {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{parameter}->struct_size is 0; {fix}"),
        ));
    }
    let earlier = T::EARLIER_SIZES.contains(&(declared as usize));
    if ((declared as usize) < known && !earlier) || declared > MAX_STRUCT_SIZE {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{parameter}->struct_size is {declared}, which is not a size of {}; {fix}",
                T::NAME
            ),
        ));
    }

    // SAFETY: by this function's contract the caller's struct is `declared`
    // bytes long.
    let bytes = unsafe { std::slice::from_raw_parts(value.cast::<u8>(), declared as usize) };
    if bytes.iter().skip(known).any(|byte| *byte != 0) {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "{parameter} sets members that this library ({}) does not know; \
                 link a newer libsethealth or leave those members zero",
                sethealth_core::VERSION
            ),
        ));
    }

    let length = known.min(bytes.len());
    let mut copy = MaybeUninit::<T>::zeroed();
    // SAFETY: `length` bytes are readable from `bytes` and writable in
    // `copy`, and the two do not overlap. Every byte of `copy` is
    // initialised: by the zeroing, then by the caller's bytes. `length` is
    // the current size or an earlier one, which ends on a member boundary.
    // So the caller's bytes are whole members of a `T`, written by C code
    // through the same `#[repr(C)]` layout, and the members after them stay
    // zero, which is a valid value.
    unsafe {
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), copy.as_mut_ptr().cast::<u8>(), length);
        Ok(Some(copy.assume_init()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_turns_panic_into_internal() {
        let mut err: *mut sethealth_error = std::ptr::null_mut();
        let status = run("sethealth_test_panic", &mut err, || panic!("boom with a value"));
        assert_eq!(status, ErrorKind::Internal.code());
        assert!(!err.is_null());
        let error = unsafe { &*err };
        assert!(
            error.message().contains("sethealth_test_panic"),
            "{}",
            error.message()
        );
        assert!(!error.message().contains("boom"), "{}", error.message());
        unsafe { crate::error::sethealth_error_free(err) };
    }

    #[test]
    fn run_without_error_slot() {
        let status = run("sethealth_test", std::ptr::null_mut(), || {
            Err(Error::new(ErrorKind::Timeout, "late"))
        });
        assert_eq!(status, ErrorKind::Timeout.code());
    }

    #[test]
    fn invalid_utf8_names_parameter_not_bytes() {
        let text = c"ab\xffsecret";
        let error = unsafe { required_str(text.as_ptr(), "secret") }.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        assert!(error.message().contains("offset 2"), "{error}");
        assert!(!error.message().contains("ab"), "{error}");
    }

    #[test]
    fn null_string_is_invalid_argument() {
        let error = unsafe { required_str(std::ptr::null(), "key") }.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        assert!(error.message().starts_with("key is NULL"), "{error}");
        assert_eq!(unsafe { optional_str(std::ptr::null(), "key") }.unwrap(), None);
    }

    #[derive(Clone, Copy, Debug, PartialEq)]
    #[repr(C)]
    struct Sample {
        struct_size: u32,
        value: u32,
    }

    unsafe impl Versioned for Sample {
        const NAME: &'static str = "sample";
        const EARLIER_SIZES: &'static [usize] = &[];
    }

    #[test]
    fn versioned_struct_sizes() {
        let exact = Sample {
            struct_size: 8,
            value: 7,
        };
        assert_eq!(unsafe { read_versioned(&exact, "options") }.unwrap(), Some(exact));
        assert_eq!(
            unsafe { read_versioned::<Sample>(std::ptr::null(), "options") }.unwrap(),
            None
        );

        for bad in [0, 4, 5000] {
            let sample = Sample {
                struct_size: bad,
                value: 7,
            };
            let error = unsafe { read_versioned(&sample, "options") }.unwrap_err();
            assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{bad}");
            assert!(error.message().contains("sizeof(sample)"), "{error}");
        }
    }

    /// `Sample` with one member appended, as a later release would have it.
    #[derive(Clone, Copy, Debug, PartialEq)]
    #[repr(C)]
    struct Grown {
        struct_size: u32,
        value: u32,
        added: u64,
    }

    unsafe impl Versioned for Grown {
        const NAME: &'static str = "grown";
        const EARLIER_SIZES: &'static [usize] = &[std::mem::offset_of!(Grown, added)];
    }

    #[test]
    fn versioned_struct_from_older_header() {
        let older = Sample {
            struct_size: 8,
            value: 7,
        };
        let pointer = std::ptr::addr_of!(older).cast::<Grown>();
        let read = unsafe { read_versioned(pointer, "options") }.unwrap();
        assert_eq!(
            read,
            Some(Grown {
                struct_size: 8,
                value: 7,
                added: 0
            })
        );
    }

    #[test]
    fn versioned_struct_between_sizes() {
        let mut grown = Grown {
            struct_size: 12,
            value: 7,
            added: 0,
        };
        let error = unsafe { read_versioned(&grown, "options") }.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::InvalidArgument);
        assert!(error.message().contains("struct_size is 12"), "{error}");

        grown.struct_size = 16;
        assert!(unsafe { read_versioned(&grown, "options") }.is_ok());
    }

    #[test]
    fn versioned_struct_from_newer_header() {
        #[repr(C)]
        struct Newer {
            base: Sample,
            extra: u64,
        }
        let mut newer = Newer {
            base: Sample {
                struct_size: 16,
                value: 3,
            },
            extra: 0,
        };
        let pointer = std::ptr::addr_of!(newer).cast::<Sample>();
        let read = unsafe { read_versioned(pointer, "options") }.unwrap();
        assert_eq!(read.map(|sample| sample.value), Some(3));

        newer.extra = 1;
        let pointer = std::ptr::addr_of!(newer).cast::<Sample>();
        let error = unsafe { read_versioned(pointer, "options") }.unwrap_err();
        assert!(error.message().contains("does not know"), "{error}");
    }
}
