//! The functions Step Functions adds to JSONata, and the deterministic replacements of
//! JSONata's own impure ones, written on plain JSON values so they are testable without
//! the engine. `None` stands for JSONata's `undefined`.
//!
//! Source of the function list and the examples: "Transforming data with JSONata in Step
//! Functions" (<https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html>)
//! and results recorded on AWS (LocalStack's `test_array_jsonata`,
//! `test_json_manipulation_jsonata` and `test_math_operations_jsonata` snapshots).
//! Argument errors use JSONata's code for a signature mismatch, `T0410`.

use serde_json::Value;

use crate::entropy::Entropy;
use crate::intrinsic::hash;

/// One evaluated argument; `None` is `undefined`.
pub(super) type Arg = Option<Value>;

/// A function's outcome: a value, `undefined` (`None`), or an error message that starts
/// with a JSONata error code when one applies.
pub(super) type Outcome = Result<Option<Value>, String>;

fn signature_mismatch(name: &str, position: usize) -> String {
    format!("T0410: Argument {position} of function \"{name}\" does not match function signature")
}

fn arity(name: &str, args: &[Arg], min: usize, max: usize) -> Result<(), String> {
    if args.len() < min || args.len() > max {
        let expected = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(format!(
            "T0410: Function \"{name}\" takes {expected} arguments, but {} were given",
            args.len()
        ));
    }
    Ok(())
}

fn integer(name: &str, position: usize, value: &Value) -> Result<i64, String> {
    value
        .as_i64()
        .or_else(|| {
            value
                .as_f64()
                .filter(|n| n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15)
                .map(|n| n as i64)
        })
        .ok_or_else(|| signature_mismatch(name, position))
}

fn number(name: &str, position: usize, value: Option<&Value>) -> Result<f64, String> {
    value
        .and_then(Value::as_f64)
        .ok_or_else(|| signature_mismatch(name, position))
}

/// `$partition(array, size)`: consecutive chunks of `size` items, the last one possibly
/// shorter. A single value stands for a one-item array, as for JSONata's own array
/// parameters. AWS: `$partition([1,2,3,4], 2)` is `[[1,2],[3,4]]`.
pub(super) fn partition(args: &[Arg]) -> Outcome {
    arity("partition", args, 2, 2)?;
    let Some(items) = &args[0] else {
        return Ok(None);
    };
    let size = match &args[1] {
        Some(size) => integer("partition", 2, size)?,
        None => return Err(signature_mismatch("partition", 2)),
    };
    let size = usize::try_from(size)
        .ok()
        .filter(|size| *size > 0)
        .ok_or_else(|| {
            format!("The partition size given to $partition must be a positive integer, but it is {size}")
        })?;
    let items = match items {
        Value::Array(items) => items.as_slice(),
        single => std::slice::from_ref(single),
    };
    Ok(Some(Value::Array(
        items
            .chunks(size)
            .map(|chunk| Value::Array(chunk.to_vec()))
            .collect(),
    )))
}

/// `$range(start, end, step)`: the numbers from `start` to `end`, both included, `step`
/// apart (a negative step counts down). The result is a JSONata sequence, so the engine
/// unwraps a one-item result to the item, as AWS does (`$range(1, 9, 9)` is `1`).
/// At most `max_items` numbers are produced.
pub(super) fn range(args: &[Arg], max_items: usize) -> Result<Vec<Value>, String> {
    arity("range", args, 3, 3)?;
    let start = number("range", 1, args[0].as_ref())?;
    let end = number("range", 2, args[1].as_ref())?;
    let step = number("range", 3, args[2].as_ref())?;
    if step == 0.0 || !step.is_finite() || !start.is_finite() || !end.is_finite() {
        return Err("The step given to $range must be a non-zero number".to_string());
    }
    let count = ((end - start) / step).floor();
    if count < 0.0 {
        return Ok(Vec::new());
    }
    if count >= max_items as f64 {
        return Err(format!(
            "$range would produce more than {max_items} numbers, the most one expression may hold"
        ));
    }
    Ok((0..=count as u64)
        .map(|i| number_value(start + i as f64 * step))
        .collect())
}

/// A JSON number, integral when the value is (so `2` stays `2`, not `2.0`).
pub(super) fn number_value(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.007_199_254_740_992e15 {
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// `$hash(value, algorithm)`: the lower-case hex digest of the UTF-8 bytes of a string.
pub(super) fn hash(args: &[Arg]) -> Outcome {
    arity("hash", args, 2, 2)?;
    let Some(data) = &args[0] else {
        return Ok(None);
    };
    let data = data
        .as_str()
        .ok_or_else(|| signature_mismatch("hash", 1))?
        .as_bytes();
    let algorithm = args[1]
        .as_ref()
        .and_then(Value::as_str)
        .ok_or_else(|| signature_mismatch("hash", 2))?;
    match hash::hex_digest(data, algorithm) {
        Some(hex) => Ok(Some(Value::String(hex))),
        None => Err(format!(
            "'{algorithm}' is not a hash algorithm supported by $hash; use one of {}",
            hash::ALGORITHMS
        )),
    }
}

/// `$random([seed])`: a number in `[0, 1)`. With a seed it is the first `nextDouble()` of
/// `java.util.Random(seed)`, which is what AWS returns (`$random(42)` is
/// `0.7275636800328681`); without one it comes from the injected entropy. An undefined
/// seed counts as no seed.
pub(super) fn random(args: &[Arg], entropy: &mut dyn Entropy) -> Outcome {
    arity("random", args, 0, 1)?;
    let value = match args.first().and_then(Option::as_ref) {
        Some(seed) => java_random_next_double(integer("random", 1, seed)?),
        None => entropy.next_f64(),
    };
    Ok(Some(number_value(value)))
}

/// `new java.util.Random(seed).nextDouble()`, bit for bit: the 48-bit linear congruential
/// generator of the Java platform specification.
pub(super) fn java_random_next_double(seed: i64) -> f64 {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const ADDEND: u64 = 0xB;
    const MASK: u64 = (1 << 48) - 1;
    let mut state = (seed as u64 ^ MULTIPLIER) & MASK;
    let mut next = |bits: u32| -> u64 {
        state = state.wrapping_mul(MULTIPLIER).wrapping_add(ADDEND) & MASK;
        state >> (48 - bits)
    };
    let high = next(26);
    let low = next(27);
    ((high << 27) + low) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `$uuid()`: a version 4 UUID from the injected entropy.
pub(super) fn uuid(args: &[Arg], entropy: &mut dyn Entropy) -> Outcome {
    arity("uuid", args, 0, 0)?;
    Ok(Some(Value::String(entropy.uuid_v4())))
}

/// `$parse(jsonString)`: the JSON value a string holds. AWS: `$parse('-0')` is `0`,
/// `$parse('"HelloWorld"')` is `"HelloWorld"`.
pub(super) fn parse(args: &[Arg]) -> Outcome {
    arity("parse", args, 1, 1)?;
    let Some(text) = &args[0] else {
        return Ok(None);
    };
    let text = text
        .as_str()
        .ok_or_else(|| signature_mismatch("parse", 1))?;
    serde_json::from_str::<Value>(text)
        .map(Some)
        .map_err(|e| format!("The argument of $parse is not valid JSON: {e}"))
}

/// `$shuffle(array)`: JSONata's own function, drawing from the injected entropy so a
/// replay shuffles the same way.
pub(super) fn shuffle(args: &[Arg], entropy: &mut dyn Entropy) -> Outcome {
    arity("shuffle", args, 1, 1)?;
    let Some(items) = &args[0] else {
        return Ok(None);
    };
    let mut items = match items {
        Value::Array(items) => items.clone(),
        single => vec![single.clone()],
    };
    // Fisher–Yates, as jsonata-js does with Math.random.
    for i in (1..items.len()).rev() {
        let j = (entropy.next_f64() * (i + 1) as f64) as usize;
        items.swap(i, j.min(i));
    }
    Ok(Some(Value::Array(items)))
}
