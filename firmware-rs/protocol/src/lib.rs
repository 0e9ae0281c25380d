//! Sysboy protocol v1: the messages between the `sysboy` host and a device, with their decoder.
//!
//! The types live in [`generated`], written by `npm run gen` from the TypeBox schemas in `schema/`. Decoding a
//! frame checks both its shape (serde) and the schema's constraints ([`Validate`]), so both ends accept exactly
//! the same frames; the golden vectors in `schema/vectors/` hold them to that.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;

#[allow(missing_docs)]
pub mod generated;
mod decode;
mod validate;

pub use decode::{decode_device_message, decode_host_message, encode, DecodeError};
pub use generated::*;
pub use validate::{Problem, Validate, ValidationError};
