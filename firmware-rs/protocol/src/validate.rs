//! Schema constraints that serde does not check: ranges, lengths, item counts and character classes.

use core::fmt;

use serde::{Deserialize, Deserializer};

/// A value that can check itself against the schema's constraints.
pub trait Validate {
    /// Checks every constraint, returning the first one broken.
    fn validate(&self) -> Result<(), ValidationError>;
}

/// Which constraint a field breaks.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Problem {
    /// A number outside its range.
    OutOfRange {
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// A string of the wrong length, in characters.
    Length {
        /// Shortest allowed length.
        min: usize,
        /// Longest allowed length.
        max: usize,
    },
    /// An array with the wrong number of items.
    Items {
        /// Fewest items allowed.
        min: usize,
        /// Most items allowed.
        max: usize,
    },
    /// A string with a character outside its allowed set.
    Character {
        /// The pattern the string must match.
        pattern: &'static str,
    },
}

/// A field that breaks a schema constraint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidationError {
    /// The field, as `Struct.field`.
    pub field: &'static str,
    /// What is wrong with it.
    pub problem: Problem,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problem {
            Problem::OutOfRange { min, max } => write!(f, "{}: must be between {min} and {max}", self.field),
            Problem::Length { min, max } => write!(f, "{}: must have {min} to {max} characters", self.field),
            Problem::Items { min, max } => write!(f, "{}: must have {min} to {max} items", self.field),
            Problem::Character { pattern } => write!(f, "{}: must match {pattern}", self.field),
        }
    }
}

impl core::error::Error for ValidationError {}

pub(crate) fn check_float(value: f64, min: f64, max: f64, field: &'static str) -> Result<(), ValidationError> {
    if value >= min && value <= max {
        Ok(())
    } else {
        Err(ValidationError { field, problem: Problem::OutOfRange { min, max } })
    }
}

pub(crate) fn check_int(value: i128, min: i64, max: i64, field: &'static str) -> Result<(), ValidationError> {
    if value >= i128::from(min) && value <= i128::from(max) {
        Ok(())
    } else {
        #[allow(clippy::cast_precision_loss)]
        let problem = Problem::OutOfRange { min: min as f64, max: max as f64 };
        Err(ValidationError { field, problem })
    }
}

pub(crate) fn check_len(value: &str, min: usize, max: usize, field: &'static str) -> Result<(), ValidationError> {
    // JSON Schema counts code points, as `chars` does.
    let length = value.chars().count();
    if length >= min && length <= max {
        Ok(())
    } else {
        Err(ValidationError { field, problem: Problem::Length { min, max } })
    }
}

pub(crate) fn check_items(count: usize, min: usize, max: usize, field: &'static str) -> Result<(), ValidationError> {
    if count >= min && count <= max {
        Ok(())
    } else {
        Err(ValidationError { field, problem: Problem::Items { min, max } })
    }
}

pub(crate) fn check_chars(
    value: &str,
    allowed: impl Fn(char) -> bool,
    pattern: &'static str,
    field: &'static str,
) -> Result<(), ValidationError> {
    if !value.is_empty() && value.chars().all(allowed) {
        Ok(())
    } else {
        Err(ValidationError { field, problem: Problem::Character { pattern } })
    }
}

/// Deserializes an optional field that, when present, must not be null (JSON Schema's reading of "optional").
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// Deserializes a required field that may be null; being under `deserialize_with` keeps it required.
pub(crate) fn nullable<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer)
}
