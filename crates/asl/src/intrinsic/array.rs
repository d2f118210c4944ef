//! Array intrinsics: `States.Array`, `ArrayPartition`, `ArrayContains`, `ArrayRange`,
//! `ArrayGetItem`, `ArrayLength` and `ArrayUnique`.

use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};

use serde_json::Value;

use super::{Outcome, expect_array, expect_integer, wrong_arity};

/// `States.ArrayRange` may produce at most this many items.
const MAX_RANGE_ITEMS: i128 = 1000;

/// `States.Array(values…)`: the values as an array, in order.
pub(super) fn array(args: Vec<Cow<'_, Value>>) -> Value {
    Value::Array(args.into_iter().map(Cow::into_owned).collect())
}

/// `States.ArrayPartition(array, size)`: consecutive chunks of `size` items; the last
/// chunk may be shorter.
pub(super) fn partition(name: &str, args: &[Cow<'_, Value>]) -> Outcome {
    let [items, size] = args else {
        return Err(wrong_arity(name, args.len()));
    };
    let items = expect_array(name, 1, items)?;
    let size = expect_integer(name, 2, size)?;
    let size = usize::try_from(size)
        .ok()
        .filter(|size| *size > 0)
        .ok_or_else(|| {
            format!("The chunk size given to {name} must be a positive integer, but it is {size}")
        })?;
    Ok(Value::Array(
        items
            .chunks(size)
            .map(|chunk| Value::Array(chunk.to_vec()))
            .collect(),
    ))
}

/// `States.ArrayContains(array, value)`: whether the array holds an equal value.
pub(super) fn contains(name: &str, args: &[Cow<'_, Value>]) -> Outcome {
    let [items, wanted] = args else {
        return Err(wrong_arity(name, args.len()));
    };
    let items = expect_array(name, 1, items)?;
    Ok(Value::Bool(
        items.iter().any(|item| item == wanted.as_ref()),
    ))
}

/// `States.ArrayRange(first, last, step)`: `first`, `first + step`, … up to and
/// including `last` when the steps land on it.
pub(super) fn range(name: &str, args: &[Cow<'_, Value>]) -> Outcome {
    let [first, last, step] = args else {
        return Err(wrong_arity(name, args.len()));
    };
    let first = i128::from(expect_integer(name, 1, first)?);
    let last = i128::from(expect_integer(name, 2, last)?);
    let step = i128::from(expect_integer(name, 3, step)?);
    if step == 0 {
        return Err(format!("The step given to {name} must not be zero"));
    }
    let count = if (step > 0 && first <= last) || (step < 0 && first >= last) {
        (last - first) / step + 1
    } else {
        0
    };
    if count > MAX_RANGE_ITEMS {
        return Err(format!(
            "{name} would create {count} items, but an array range can hold at most {MAX_RANGE_ITEMS}"
        ));
    }
    Ok(Value::Array(
        (0..count)
            .map(|i| Value::from(i64::try_from(first + i * step).unwrap_or_default()))
            .collect(),
    ))
}

/// `States.ArrayGetItem(array, index)`: the item at a zero-based index.
pub(super) fn get_item(name: &str, args: &[Cow<'_, Value>]) -> Outcome {
    let [items, index] = args else {
        return Err(wrong_arity(name, args.len()));
    };
    let items = expect_array(name, 1, items)?;
    let index = expect_integer(name, 2, index)?;
    usize::try_from(index)
        .ok()
        .and_then(|i| items.get(i))
        .cloned()
        .ok_or_else(|| {
            format!(
                "The index {index} given to {name} is out of bounds for an array of {} items",
                items.len()
            )
        })
}

/// `States.ArrayLength(array)`.
pub(super) fn length(name: &str, args: &[Cow<'_, Value>]) -> Outcome {
    let [items] = args else {
        return Err(wrong_arity(name, args.len()));
    };
    Ok(Value::from(expect_array(name, 1, items)?.len()))
}

/// `States.ArrayUnique(array)`: the items without repeats, each kept where it first
/// appears.
pub(super) fn unique(name: &str, args: &[Cow<'_, Value>]) -> Outcome {
    let [items] = args else {
        return Err(wrong_arity(name, args.len()));
    };
    let items = expect_array(name, 1, items)?;
    // Bucket by a hash that agrees with `Value`'s equality so long arrays are not
    // compared pairwise.
    let mut seen: HashMap<u64, Vec<usize>> = HashMap::with_capacity(items.len());
    let mut kept: Vec<&Value> = Vec::with_capacity(items.len());
    for item in items {
        let mut hasher = DefaultHasher::new();
        hash_value(item, &mut hasher);
        let bucket = seen.entry(hasher.finish()).or_default();
        if bucket.iter().any(|&k| kept.get(k) == Some(&item)) {
            continue;
        }
        bucket.push(kept.len());
        kept.push(item);
    }
    Ok(Value::Array(kept.into_iter().cloned().collect()))
}

/// Hashes a value consistently with `Value`'s `PartialEq`: object key order does not
/// matter, and numbers are equal only within the same representation (so `1` and `1.0`
/// differ, as they do for `==`).
fn hash_value(value: &Value, hasher: &mut DefaultHasher) {
    match value {
        Value::Null => 0u8.hash(hasher),
        Value::Bool(b) => (1u8, b).hash(hasher),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                (2u8, u).hash(hasher);
            } else if let Some(i) = n.as_i64() {
                (3u8, i).hash(hasher);
            } else {
                // -0.0 == 0.0, so both must hash alike.
                let f = n.as_f64().unwrap_or_default();
                (4u8, if f == 0.0 { 0 } else { f.to_bits() }).hash(hasher);
            }
        }
        Value::String(s) => (5u8, s).hash(hasher),
        Value::Array(items) => {
            (6u8, items.len()).hash(hasher);
            for item in items {
                hash_value(item, hasher);
            }
        }
        Value::Object(map) => {
            let mut combined: u64 = 0;
            for (key, item) in map {
                let mut entry = DefaultHasher::new();
                key.hash(&mut entry);
                hash_value(item, &mut entry);
                combined = combined.wrapping_add(entry.finish());
            }
            (7u8, map.len(), combined).hash(hasher);
        }
    }
}
