//! The library and ABI versions.

use std::ffi::{CStr, c_char};

/// The ABI version that this header describes. A program compares it with
/// `sethealth_abi_version()` at start-up to detect a header and a library
/// from different releases. It grows on every incompatible change.
pub const SETHEALTH_ABI_VERSION: u32 = 1;

const VERSION: &CStr = match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
    Ok(version) => version,
    Err(_) => panic!("the package version contains a NUL byte"),
};

/// Returns the ABI version of the linked library; compare it with
/// `SETHEALTH_ABI_VERSION` from the header. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn sethealth_abi_version() -> u32 {
    SETHEALTH_ABI_VERSION
}

/// Returns the library's version, such as `"0.1.0"`. The string is static:
/// never free it. Thread-safe.
#[unsafe(no_mangle)]
pub extern "C" fn sethealth_version() -> *const c_char {
    VERSION.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_matches_core() {
        let version = unsafe { CStr::from_ptr(sethealth_version()) };
        assert_eq!(version.to_str().unwrap(), sethealth_core::VERSION);
    }
}
