//! Math intrinsics: `States.MathRandom` and `States.MathAdd`.

use std::borrow::Cow;

use serde_json::Value;

use super::{Outcome, rounded_integer, wrong_arity};
use crate::entropy::Entropy;

/// The operands of the math intrinsics are 32-bit signed integers.
fn int32(name: &str, position: usize, value: &Value) -> Result<i64, String> {
    let n = rounded_integer(name, position, value)?;
    if i32::try_from(n).is_err() {
        return Err(format!(
            "The argument at position {position} of {name} must be an integer between {} and {}, but it is {n}",
            i32::MIN,
            i32::MAX
        ));
    }
    Ok(n)
}

/// `States.MathAdd(a, b)`: the sum of two integers; fractional operands are rounded
/// to the nearest integer first.
pub(super) fn add(name: &str, args: &[Cow<'_, Value>]) -> Outcome {
    let [a, b] = args else {
        return Err(wrong_arity(name, args.len()));
    };
    Ok(Value::from(int32(name, 1, a)? + int32(name, 2, b)?))
}

/// `States.MathRandom(start, end[, seed])`: an integer in `[start, end)`. With a seed the
/// result depends only on the arguments; without one it comes from the injected
/// entropy.
pub(super) fn random(name: &str, args: &[Cow<'_, Value>], entropy: &mut dyn Entropy) -> Outcome {
    let (start, end, seed) = match args {
        [start, end] => (start, end, None),
        [start, end, seed] => (start, end, Some(seed)),
        _ => return Err(wrong_arity(name, args.len())),
    };
    let start = int32(name, 1, start)?;
    let end = int32(name, 2, end)?;
    if end <= start {
        return Err(format!(
            "The end number given to {name} ({end}) must be greater than the start number ({start})"
        ));
    }
    let bound = end - start;
    let offset = match seed {
        Some(seed) => JavaRandom::new(rounded_integer(name, 3, seed)?).below(bound),
        // `bound` is positive and below 2^32, so the modulo bias is negligible.
        None => (entropy.next_u64() % bound.unsigned_abs()) as i64,
    };
    Ok(Value::from(start + offset))
}

/// The linear congruential generator of `java.util.Random`, which makes a seeded
/// `States.MathRandom` repeatable for a given seed.
struct JavaRandom {
    state: u64,
}

impl JavaRandom {
    const MULTIPLIER: u64 = 0x5_DEEC_E66D;
    const MASK: u64 = (1 << 48) - 1;

    fn new(seed: i64) -> Self {
        JavaRandom {
            state: (seed as u64 ^ Self::MULTIPLIER) & Self::MASK,
        }
    }

    fn next(&mut self, bits: u32) -> i32 {
        self.state = self.state.wrapping_mul(Self::MULTIPLIER).wrapping_add(0xB) & Self::MASK;
        (self.state >> (48 - bits)) as i32
    }

    /// A uniform integer in `[0, bound)` for a positive bound: `nextInt(bound)` when the
    /// bound fits in 31 bits, otherwise the remainder of `nextLong()`.
    fn below(&mut self, bound: i64) -> i64 {
        match i32::try_from(bound) {
            Ok(bound) => i64::from(self.next_int(bound)),
            Err(_) => {
                let high = i64::from(self.next(32)) << 32;
                let long = high.wrapping_add(i64::from(self.next(32)));
                long.rem_euclid(bound)
            }
        }
    }

    fn next_int(&mut self, bound: i32) -> i32 {
        let mut r = self.next(31);
        let m = bound - 1;
        if bound & m == 0 {
            return ((i64::from(bound) * i64::from(r)) >> 31) as i32;
        }
        let mut u = r;
        loop {
            r = u % bound;
            if u.wrapping_sub(r).wrapping_add(m) >= 0 {
                return r;
            }
            u = self.next(31);
        }
    }

    #[cfg(test)]
    fn next_double(&mut self) -> f64 {
        let high = i64::from(self.next(26)) << 27;
        (high + i64::from(self.next(27))) as f64 * (1.0 / (1u64 << 53) as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::JavaRandom;

    #[test]
    fn matches_java_util_random() {
        // `new java.util.Random(42).nextDouble()`, as measured on AWS for `$random(42)`.
        assert_eq!(JavaRandom::new(42).next_double(), 0.7275636800328681);
    }
}
