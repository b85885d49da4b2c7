//! The C ABI of sethealth-core: `libsethealth.a`, `libsethealth.so` and the
//! header `include/sethealth.h`, which cbindgen generates from this crate.
//!
//! Every exported function is a thin conversion layer over the core crate:
//! it checks and converts the C arguments, calls the core, and turns the
//! result into a status code plus an optional error object. Protocol,
//! validation, retries and caching all stay in the core.
//!
//! The contract of each function (ownership and nullability of every
//! pointer, errors, thread safety) is its doc comment, which cbindgen copies
//! into the header. The error convention is stated once in the header's
//! preamble (see `cbindgen.toml`).
//!
//! The crate builds no `rlib`: its library is named `sethealth`, like the
//! core's, and two `libsethealth.rlib` files would collide in `target/`.

// The exported types carry their C names, such as `sethealth_client`.
#![allow(non_camel_case_types)]
#![deny(unsafe_op_in_unsafe_fn)]

mod cancel;
mod client;
mod error;
mod ffi;
mod options;
mod status;
mod token;
mod version;

#[cfg(test)]
mod header_test;

pub use cancel::sethealth_cancel;
pub use client::sethealth_client;
pub use error::sethealth_error;
pub use options::{sethealth_client_options, sethealth_token_options};
pub use status::*;
pub use token::{sethealth_expiry_source, sethealth_token};
pub use version::SETHEALTH_ABI_VERSION;
