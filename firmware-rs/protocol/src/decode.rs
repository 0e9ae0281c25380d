//! Decoding and encoding of text frames, with the error code a refusal carries.

use alloc::string::String;
use core::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::generated::{DeviceMessage, ErrorCode, HostMessage};
use crate::validate::{Validate, ValidationError};

/// Why a frame could not be decoded.
#[derive(Debug)]
pub enum DecodeError {
    /// The frame is not JSON.
    Syntax(serde_json::Error),
    /// The frame is JSON but its `type` is none of the known ones.
    UnknownType(String),
    /// The frame is JSON of the wrong shape: not an object, a missing field, a wrong type.
    Shape(serde_json::Error),
    /// The frame has the right shape but a field breaks a constraint.
    Invalid(ValidationError),
}

impl DecodeError {
    /// The protocol error code to answer this with.
    pub const fn code(&self) -> ErrorCode {
        match self {
            Self::Syntax(_) => ErrorCode::BadJson,
            Self::UnknownType(_) => ErrorCode::UnknownType,
            Self::Shape(_) | Self::Invalid(_) => ErrorCode::BadFrame,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Syntax(error) => write!(f, "not JSON: {error}"),
            Self::UnknownType(name) => write!(f, "unknown message type '{name}'"),
            Self::Shape(error) => write!(f, "{error}"),
            Self::Invalid(error) => write!(f, "{error}"),
        }
    }
}

impl core::error::Error for DecodeError {}

#[derive(Deserialize)]
struct TypeOnly<'a> {
    #[serde(rename = "type", borrow)]
    name: Option<&'a str>,
}

fn decode<T: DeserializeOwned + Validate>(frame: &[u8], types: &[&str]) -> Result<T, DecodeError> {
    match serde_json::from_slice::<T>(frame) {
        Ok(message) => {
            message.validate().map_err(DecodeError::Invalid)?;
            Ok(message)
        }
        Err(error) if error.is_syntax() || error.is_eof() => Err(DecodeError::Syntax(error)),
        Err(error) => {
            // Tell an unknown `type` apart from a bad field of a known one, for the error code.
            if let Ok(TypeOnly { name: Some(name) }) = serde_json::from_slice::<TypeOnly<'_>>(frame) {
                if !types.contains(&name) {
                    return Err(DecodeError::UnknownType(name.into()));
                }
            }
            Err(DecodeError::Shape(error))
        }
    }
}

/// Decodes a frame a device receives from the host.
pub fn decode_host_message(frame: &[u8]) -> Result<HostMessage, DecodeError> {
    decode(frame, HostMessage::TYPES)
}

/// Decodes a frame the host receives from a device.
pub fn decode_device_message(frame: &[u8]) -> Result<DeviceMessage, DecodeError> {
    decode(frame, DeviceMessage::TYPES)
}

/// Encodes a message as one JSON text frame.
pub fn encode<T: Serialize>(message: &T) -> Result<String, serde_json::Error> {
    serde_json::to_string(message)
}
