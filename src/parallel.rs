//! Running independent jobs (one sandbox each) on a few threads, reporting results in the jobs' order.
//!
//! `verify` and `grade` use it: sandboxes are cheap but not free, and output in a stable order is what a person
//! (and a CI log) can read.

use std::sync::{mpsc, Mutex};

/// Runs `work` on every task with up to `jobs` threads, handing results to `report` in task order as soon as
/// all earlier ones are in. Stops early if `report` fails.
pub fn for_each_ordered<T: Sync, R: Send, E>(
    tasks: &[T],
    jobs: usize,
    work: impl Fn(&T) -> R + Sync,
    mut report: impl FnMut(&T, R) -> Result<(), E>,
) -> Result<(), E> {
    let next = Mutex::new(0usize);
    let (sender, receiver) = mpsc::channel();
    std::thread::scope(|scope| {
        for _ in 0..jobs.clamp(1, tasks.len().max(1)) {
            let sender = sender.clone();
            let (next, work) = (&next, &work);
            scope.spawn(move || loop {
                let index = match next.lock() {
                    Ok(mut next) => {
                        *next += 1;
                        *next - 1
                    }
                    Err(_) => return,
                };
                let Some(task) = tasks.get(index) else { return };
                if sender.send((index, work(task))).is_err() {
                    return;
                }
            });
        }
        drop(sender);
        let mut pending: Vec<Option<R>> = (0..tasks.len()).map(|_| None).collect();
        let mut reported = 0;
        for (index, result) in receiver {
            pending[index] = Some(result);
            while let Some(result) = pending.get_mut(reported).and_then(Option::take) {
                if let Err(error) = report(&tasks[reported], result) {
                    // Dropping the receiver makes the workers stop at their next send.
                    if let Ok(mut next) = next.lock() {
                        *next = tasks.len();
                    }
                    return Err(error);
                }
                reported += 1;
            }
        }
        Ok(())
    })
}

/// How many jobs to run at once: the number of cores.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_in_order_whatever_the_finishing_order() {
        let tasks: Vec<u64> = (0..20).collect();
        let mut seen = Vec::new();
        let result: Result<(), ()> = for_each_ordered(
            &tasks,
            4,
            |n| {
                std::thread::sleep(std::time::Duration::from_millis((20 - n) % 7));
                n * 2
            },
            |task, result| {
                seen.push((*task, result));
                Ok(())
            },
        );
        assert!(result.is_ok());
        let expected: Vec<(u64, u64)> = tasks.iter().map(|n| (*n, n * 2)).collect();
        assert_eq!(seen, expected);
    }

    #[test]
    fn a_failing_report_stops_the_run() {
        let tasks: Vec<u32> = (0..100).collect();
        let mut count = 0;
        let result = for_each_ordered(
            &tasks,
            2,
            |n| *n,
            |_, n| {
                count += 1;
                if n == 3 {
                    Err("stop")
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!(result, Err("stop"));
        assert_eq!(count, 4);
    }

    #[test]
    fn no_tasks_is_fine() {
        let result: Result<(), ()> = for_each_ordered(&Vec::<u8>::new(), 4, |_| (), |_, ()| Ok(()));
        assert!(result.is_ok());
    }
}
