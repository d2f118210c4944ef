//! Executions that ended lately, as `DescribeExecution` reports them. An ended
//! execution never changes again, so its description can be answered from memory; a
//! client that polls for the end of what it just started then never waits on the store.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use super::api::ExecutionDescription;

pub struct RecentEnds {
    capacity: usize,
    by_arn: HashMap<String, Arc<ExecutionDescription>>,
    order: VecDeque<String>,
}

impl RecentEnds {
    pub fn new(capacity: usize) -> RecentEnds {
        RecentEnds {
            capacity,
            by_arn: HashMap::with_capacity(capacity),
            order: VecDeque::with_capacity(capacity),
        }
    }

    /// Remembers an ended execution, forgetting the oldest beyond the capacity.
    pub fn insert(&mut self, ended: ExecutionDescription) {
        let arn = ended.execution_arn.clone();
        if self.by_arn.insert(arn.clone(), Arc::new(ended)).is_none() {
            self.order.push_back(arn);
        }
        while self.order.len() > self.capacity {
            if let Some(oldest) = self.order.pop_front() {
                self.by_arn.remove(&oldest);
            }
        }
    }

    pub fn get(&self, arn: &str) -> Option<Arc<ExecutionDescription>> {
        self.by_arn.get(arn).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ended(arn: &str) -> ExecutionDescription {
        ExecutionDescription {
            execution_arn: arn.into(),
            state_machine_arn: "sm".into(),
            name: arn.into(),
            status: "SUCCEEDED".into(),
            start_date: chrono::DateTime::UNIX_EPOCH,
            stop_date: Some(chrono::DateTime::UNIX_EPOCH),
            input: "{}".into(),
            output: Some("{}".into()),
            error: None,
            cause: None,
            trace_header: None,
        }
    }

    #[test]
    fn keeps_the_newest_up_to_its_capacity() {
        let mut recent = RecentEnds::new(2);
        recent.insert(ended("a"));
        recent.insert(ended("b"));
        recent.insert(ended("a"));
        assert!(recent.get("a").is_some() && recent.get("b").is_some());
        recent.insert(ended("c"));
        assert!(recent.get("a").is_none(), "the oldest goes first");
        assert_eq!(recent.get("c").unwrap().name, "c");
        assert_eq!(recent.order.len(), 2);
    }
}
