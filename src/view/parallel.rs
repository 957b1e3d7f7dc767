//! Work over a million rows split between the cores: each part on a scoped
//! thread of its own, the results in order. Small inputs stay on the
//! calling thread, where a thread would cost more than it saves.

use std::cmp::Ordering;

/// Fewer items than this per part are not worth a thread.
pub const MIN_PART: usize = 50_000;

/// How many parts `len` items are split into: one per core, at most four.
fn parts(len: usize) -> usize {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    cores.clamp(1, 4).min(len / MIN_PART).max(1)
}

/// `work(offset, part)` over consecutive parts of `items`, in order; the
/// offset is where the part starts in `items`.
pub fn in_parts<T: Sync, R: Send>(items: &[T], work: impl Fn(usize, &[T]) -> R + Sync) -> Vec<R> {
    let n = parts(items.len());
    if n == 1 {
        return vec![work(0, items)];
    }
    let size = items.len().div_ceil(n);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(size)
            .enumerate()
            .map(|(k, part)| scope.spawn(move || work(k * size, part)))
            .collect();
        joined(handles)
    })
}

/// The results of scoped threads, in order; a panic in one goes on here.
fn joined<R>(handles: Vec<std::thread::ScopedJoinHandle<'_, R>>) -> Vec<R> {
    handles
        .into_iter()
        .map(|h| {
            h.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
        .collect()
}

/// [`in_parts`] with each part's own stretch of `out` (as long as `items`)
/// to write to: `work(offset, part, out_part)`.
pub fn in_parts_into<T: Sync, O: Send, R: Send>(
    items: &[T],
    out: &mut [O],
    work: impl Fn(usize, &[T], &mut [O]) -> R + Sync,
) -> Vec<R> {
    debug_assert_eq!(items.len(), out.len());
    let n = parts(items.len());
    if n == 1 {
        return vec![work(0, items, out)];
    }
    let size = items.len().div_ceil(n);
    let work = &work;
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(size)
            .zip(out.chunks_mut(size))
            .enumerate()
            .map(|(k, (part, out))| scope.spawn(move || work(k * size, part, out)))
            .collect();
        joined(handles)
    })
}

/// `work` over consecutive chunks of `chunk` items, on one thread per core
/// taking turns, each result handed to `each` on the calling thread in order
/// as it is done: a million rows formatted on both cores while they are
/// written, with no more than a few chunks' results held at a time. The first
/// error of `each` stops the work; a panic in a worker goes on here. Small
/// inputs stay on the calling thread.
pub fn streamed<T: Sync, R: Send, E>(
    items: &[T],
    chunk: usize,
    work: impl Fn(&[T]) -> R + Sync,
    mut each: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E> {
    let chunks: Vec<&[T]> = items.chunks(chunk.max(1)).collect();
    let workers = parts(items.len());
    if workers == 1 {
        return chunks.into_iter().try_for_each(|part| each(work(part)));
    }
    let work = &work;
    std::thread::scope(|scope| {
        let results: Vec<_> = (0..workers)
            .map(|worker| {
                // Two results ahead of the writer, at most.
                let (done, result) = std::sync::mpsc::sync_channel(2);
                let turns: Vec<&[T]> = chunks
                    .iter()
                    .copied()
                    .skip(worker)
                    .step_by(workers)
                    .collect();
                scope.spawn(move || {
                    for part in turns {
                        if done.send(work(part)).is_err() {
                            return;
                        }
                    }
                });
                result
            })
            .collect();
        for turn in 0..chunks.len() {
            // None only when the worker panicked, which the scope passes on.
            let Ok(result) = results[turn % workers].recv() else {
                break;
            };
            each(result)?;
        }
        Ok(())
    })
}

/// A stable sort: parts sorted at once on their own threads, then merged,
/// equal items keeping their order.
pub fn sort_by<T: Send + Clone>(items: &mut Vec<T>, compare: impl Fn(&T, &T) -> Ordering + Sync) {
    let n = parts(items.len());
    if n == 1 {
        items.sort_by(&compare);
        return;
    }
    let size = items.len().div_ceil(n);
    let compare = &compare;
    std::thread::scope(|scope| {
        for part in items.chunks_mut(size) {
            scope.spawn(move || part.sort_by(compare));
        }
    });
    let mut merged: Vec<T> = items[..size.min(items.len())].to_vec();
    let mut start = size;
    while start < items.len() {
        let end = (start + size).min(items.len());
        merged = merge(&merged, &items[start..end], compare);
        start = end;
    }
    *items = merged;
}

/// Two sorted runs as one; on a tie the item of `left` comes first.
fn merge<T: Clone>(left: &[T], right: &[T], compare: impl Fn(&T, &T) -> Ordering) -> Vec<T> {
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        if compare(&right[j], &left[i]) == Ordering::Less {
            out.push(right[j].clone());
            j += 1;
        } else {
            out.push(left[i].clone());
            i += 1;
        }
    }
    out.extend_from_slice(&left[i..]);
    out.extend_from_slice(&right[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_come_back_in_order_and_cover_everything() {
        let items: Vec<u64> = (0..(MIN_PART as u64 * 3 + 7)).collect();
        let sums = in_parts(&items, |offset, part| {
            (offset, part.len(), part.iter().sum::<u64>())
        });
        let mut next = 0;
        for (offset, len, _) in &sums {
            assert_eq!(*offset, next);
            next += len;
        }
        assert_eq!(next, items.len());
        let total: u64 = sums.iter().map(|(_, _, s)| s).sum();
        assert_eq!(total, items.iter().sum::<u64>());
    }

    #[test]
    fn streamed_chunks_arrive_in_order_and_an_error_stops_them() {
        for len in [0, 5, MIN_PART * 2 + 3, MIN_PART * 4 + 1] {
            let items: Vec<u64> = (0..len as u64).collect();
            let mut seen = Vec::new();
            let done: Result<(), ()> = streamed(
                &items,
                1000,
                |part| part.to_vec(),
                |part| {
                    seen.extend(part);
                    Ok(())
                },
            );
            assert_eq!((done, &seen), (Ok(()), &items), "{len} items");
        }
        let items: Vec<u64> = (0..(MIN_PART as u64 * 3)).collect();
        let mut taken = 0;
        let stopped = streamed(
            &items,
            100,
            |part| part[0],
            |first| {
                taken += 1;
                if first >= 5_000 {
                    Err(first)
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!((stopped, taken), (Err(5_000), 51));
    }

    #[test]
    fn each_part_writes_its_own_stretch_of_the_output() {
        let items: Vec<u64> = (0..(MIN_PART as u64 * 2 + 3)).collect();
        let mut out = vec![0u64; items.len()];
        let offsets = in_parts_into(&items, &mut out, |offset, part, out| {
            for (o, i) in out.iter_mut().zip(part) {
                *o = i * 2;
            }
            offset
        });
        assert!(offsets.windows(2).all(|w| w[0] < w[1]));
        assert!(out.iter().zip(&items).all(|(o, i)| *o == i * 2));
    }

    #[test]
    fn the_split_sort_is_stable_like_the_sort() {
        // Keys with many ties; the second field records the original order.
        let len = MIN_PART * 4 + 13;
        let mut seed = 7u64;
        let items: Vec<(u32, usize)> = (0..len)
            .map(|i| {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                ((seed >> 40) as u32 % 97, i)
            })
            .collect();
        let mut split = items.clone();
        sort_by(&mut split, |a, b| a.0.cmp(&b.0));
        let mut whole = items;
        whole.sort_by_key(|item| item.0);
        assert_eq!(split, whole);
    }

    #[test]
    fn merging_keeps_the_left_first_on_ties() {
        let left = [(1, 'a'), (2, 'a')];
        let right = [(1, 'b'), (3, 'b')];
        let merged = merge(&left, &right, |x, y| x.0.cmp(&y.0));
        assert_eq!(merged, [(1, 'a'), (1, 'b'), (2, 'a'), (3, 'b')]);
    }
}
