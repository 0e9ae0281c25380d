//! Runs every golden vector in `schema/vectors/` through the Rust decoders; the TypeScript tests run the same files.

use std::fs;
use std::path::PathBuf;

use serde_json::Value;
use sysboy_protocol::{decode_device_message, decode_host_message, encode, DecodeError};

struct Vector {
    file: String,
    direction: String,
    expect: String,
    frame: String,
    decoded: Option<Value>,
    code: Option<String>,
}

fn vectors() -> Vec<Vector> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/vectors");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{file}: {e}"));
            let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
            let frame = match (v.get("text"), v.get("json")) {
                (Some(Value::String(text)), None) => text.clone(),
                (None, Some(json)) => serde_json::to_string(json).unwrap(),
                _ => panic!("{file}: needs exactly one of \"json\" and \"text\""),
            };
            let field = |name: &str| v.get(name).and_then(Value::as_str).map(str::to_owned);
            Vector {
                direction: field("direction").unwrap_or_else(|| panic!("{file}: no direction")),
                expect: field("expect").unwrap_or_else(|| panic!("{file}: no expect")),
                decoded: v.get("decoded").cloned(),
                code: field("code"),
                frame,
                file,
            }
        })
        .collect()
}

/// Decodes with the decoder for the vector's direction, re-encoding an accepted message as JSON.
fn decode(vector: &Vector) -> Result<Value, DecodeError> {
    let bytes = vector.frame.as_bytes();
    let text = match vector.direction.as_str() {
        "host_to_device" => encode(&decode_host_message(bytes)?),
        "device_to_host" => encode(&decode_device_message(bytes)?),
        other => panic!("{}: unknown direction {other}", vector.file),
    }
    .expect("an accepted message encodes");
    Ok(serde_json::from_str(&text).expect("encoded JSON parses"))
}

/// JSON equality that compares numbers by value, since `60` and `60.0` are the same number to both decoders.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(key, p)| y.get(key).is_some_and(|q| same(p, q)))
        }
        _ => a == b,
    }
}

#[test]
fn every_vector_decodes_as_the_file_says() {
    let vectors = vectors();
    assert!(vectors.len() >= 40, "only {} vectors", vectors.len());
    let mut failures = Vec::new();
    for vector in &vectors {
        match (vector.expect.as_str(), decode(vector)) {
            ("accept", Ok(decoded)) => {
                let want = vector.decoded.as_ref().expect("an accept vector has `decoded`");
                if !same(&decoded, want) {
                    failures.push(format!("{}: decoded to {decoded}, expected {want}", vector.file));
                }
            }
            ("accept", Err(error)) => failures.push(format!("{}: rejected: {error}", vector.file)),
            ("reject", Ok(decoded)) => failures.push(format!("{}: accepted as {decoded}", vector.file)),
            ("reject", Err(error)) => {
                let code = error.code().as_str();
                if Some(code) != vector.code.as_deref() {
                    failures.push(format!("{}: code {code} ({error}), expected {:?}", vector.file, vector.code));
                }
            }
            (other, _) => failures.push(format!("{}: unknown expectation {other}", vector.file)),
        }
    }
    assert!(failures.is_empty(), "{} of {} vectors failed:\n{}", failures.len(), vectors.len(), failures.join("\n"));
    println!("{} vectors agree", vectors.len());
}

#[test]
fn the_seed_frame_is_a_vram_metric_at_60_5_percent() {
    match decode_host_message(br#"{"type":"vram","value":60.5}"#) {
        Ok(sysboy_protocol::HostMessage::Vram(sample)) => assert_eq!(sample.value, Some(60.5)),
        other => panic!("unexpected {other:?}"),
    }
}

/// A number with more digits than an f64 holds is read as the nearest f64, so the decoder's own encoding of it reads
/// back as the same message (found by the `protocol_frames` fuzz target: a 42-digit `raw`).
#[test]
fn a_number_longer_than_an_f64_reads_back_as_itself() {
    let frame = br#"{"type":"metric","name":"fan_rpm","value":42,"raw":122222222222222222222222222222222222222260,"unit":"rpm"}"#;
    let message = decode_host_message(frame).expect("a valid frame");
    let text = encode(&message).expect("encodes");
    assert_eq!(decode_host_message(text.as_bytes()).ok(), Some(message), "{text}");
    match decode_host_message(frame) {
        Ok(sysboy_protocol::HostMessage::Metric(sample)) => assert_eq!(sample.raw, Some(1.2222222222222222e41)),
        other => panic!("unexpected {other:?}"),
    }
}
