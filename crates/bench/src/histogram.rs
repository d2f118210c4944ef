//! Latency samples and their percentiles.
//!
//! Every sample is kept (a 60 s run at 20k executions/s is 1.2 M samples, about 19 MB),
//! so percentiles are exact rather than bucketed.

use std::time::Duration;

/// Latency samples in the order they were recorded.
#[derive(Debug, Default, Clone)]
pub struct Histogram {
    samples: Vec<Duration>,
}

impl Histogram {
    pub fn new() -> Histogram {
        Histogram::default()
    }

    pub fn record(&mut self, sample: Duration) {
        self.samples.push(sample);
    }

    pub fn merge(&mut self, other: Histogram) {
        self.samples.extend(other.samples);
    }

    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// Sorts the samples once so that any number of percentiles can be read.
    pub fn into_sorted(mut self) -> Sorted {
        self.samples.sort_unstable();
        Sorted {
            samples: self.samples,
        }
    }
}

/// Samples in ascending order.
#[derive(Debug, Clone)]
pub struct Sorted {
    samples: Vec<Duration>,
}

impl Sorted {
    pub fn len(&self) -> usize {
        self.samples.len()
    }

    pub fn is_empty(&self) -> bool {
        self.samples.is_empty()
    }

    /// The `p`-th percentile (0 < p ≤ 100) by the nearest-rank method: the smallest
    /// sample such that at least `p` percent of the samples are less than or equal to
    /// it. It is always one of the recorded samples, never an interpolation. `None`
    /// when there are no samples.
    pub fn percentile(&self, p: f64) -> Option<Duration> {
        let n = self.samples.len();
        if n == 0 {
            return None;
        }
        // The small epsilon keeps binary rounding (99.9 × 1000 = 99900.00000000001)
        // from pushing an exact rank up by one.
        let rank = (p / 100.0 * n as f64 - 1e-9).ceil();
        let rank = if rank.is_nan() || rank < 1.0 {
            1
        } else {
            (rank as usize).min(n)
        };
        Some(self.samples[rank - 1])
    }

    pub fn max(&self) -> Option<Duration> {
        self.samples.last().copied()
    }

    pub fn min(&self) -> Option<Duration> {
        self.samples.first().copied()
    }
}

/// The median of a list of figures (the mean of the two middle ones for an even
/// count); `None` for an empty list. NaNs are ignored.
pub fn median(values: &[f64]) -> Option<f64> {
    let mut values: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        Some(values[mid])
    } else {
        Some((values[mid - 1] + values[mid]) / 2.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(values: &[u64]) -> Sorted {
        let mut h = Histogram::new();
        for v in values {
            h.record(Duration::from_millis(*v));
        }
        h.into_sorted()
    }

    fn p(sorted: &Sorted, q: f64) -> u64 {
        sorted
            .percentile(q)
            .map(|d| d.as_millis() as u64)
            .unwrap_or(u64::MAX)
    }

    #[test]
    fn nearest_rank_matches_the_textbook_example() {
        // The worked example of the nearest-rank method: the list 15, 20, 35, 40, 50
        // has 5th percentile 15, 30th 20, 40th 20, 50th 35 and 100th 50.
        let sorted = ms(&[40, 15, 50, 35, 20]);
        assert_eq!(p(&sorted, 5.0), 15);
        assert_eq!(p(&sorted, 30.0), 20);
        assert_eq!(p(&sorted, 40.0), 20);
        assert_eq!(p(&sorted, 50.0), 35);
        assert_eq!(p(&sorted, 100.0), 50);
    }

    #[test]
    fn percentiles_of_one_to_a_hundred_are_their_own_rank() {
        let values: Vec<u64> = (1..=100).rev().collect();
        let sorted = ms(&values);
        assert_eq!(p(&sorted, 50.0), 50);
        assert_eq!(p(&sorted, 90.0), 90);
        assert_eq!(p(&sorted, 99.0), 99);
        assert_eq!(sorted.max(), Some(Duration::from_millis(100)));
        assert_eq!(sorted.min(), Some(Duration::from_millis(1)));
    }

    #[test]
    fn fractional_percentiles_do_not_drift_up_a_rank() {
        let values: Vec<u64> = (1..=1000).collect();
        let sorted = ms(&values);
        assert_eq!(p(&sorted, 99.9), 999);
        assert_eq!(p(&sorted, 0.1), 1);
    }

    #[test]
    fn a_single_sample_is_every_percentile() {
        let sorted = ms(&[7]);
        for q in [0.0, 1.0, 50.0, 99.0, 100.0] {
            assert_eq!(p(&sorted, q), 7);
        }
    }

    #[test]
    fn an_empty_histogram_has_no_percentiles() {
        let sorted = Histogram::new().into_sorted();
        assert!(sorted.is_empty());
        assert_eq!(sorted.percentile(50.0), None);
        assert_eq!(sorted.max(), None);
    }

    #[test]
    fn merging_keeps_every_sample() {
        let mut a = Histogram::new();
        a.record(Duration::from_millis(3));
        let mut b = Histogram::new();
        b.record(Duration::from_millis(1));
        b.record(Duration::from_millis(2));
        a.merge(b);
        assert_eq!(a.len(), 3);
        let sorted = a.into_sorted();
        assert_eq!(p(&sorted, 50.0), 2);
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), Some(2.5));
        assert_eq!(median(&[5.0]), Some(5.0));
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[f64::NAN, 1.0]), Some(1.0));
    }
}
