//! How the allocator and the kernel give the program memory, and how freed
//! memory goes back to the system.
//!
//! glibc raises its mmap threshold each time a large block is freed, and from
//! then on blocks of up to 32 MiB come from heaps that keep their pages once
//! freed. Loading a million rows frees many such blocks (parsed batches, sort
//! keys, scratch vectors) on several threads, and they would stay resident for
//! as long as the dashboard runs. A fixed threshold turns the adjustment off:
//! blocks of a mebibyte and more are mapped on their own and returned when freed.

/// Blocks this large and larger are mapped on their own.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: libc::c_int = 1 << 20;

/// The threshold is set: blocks just under it come from a thread's heap.
static THRESHOLD_SET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Sets the allocator's thresholds; called once at start, before other threads.
pub fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called before any
    // other thread exists, and a refusal (0) leaves glibc's default in place.
    unsafe {
        let set = libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1;
        THRESHOLD_SET.store(set, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Blocks taken at a time to grow a heap: just under [`MMAP_THRESHOLD`], so
/// they come from this thread's heap and not a mapping of their own.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const HEAP_STEP: usize = MMAP_THRESHOLD as usize - (64 << 10);

/// Grows this thread's heap by about `bytes` at once, for the many small
/// blocks (a million hospital names) it is about to hand out.
///
/// glibc grows the heap of a thread other than the first a page at a time as
/// blocks are asked for, each time with an `mprotect` call that holds every
/// other thread's page faults and maps: loading a million rows made 7,700 of
/// them, and the parsers waited on each other. Blocks taken and freed here
/// leave the heap's pages writable (a freed heap gives its memory back with
/// `madvise` and keeps them so), so the growth they made room for needs no call.
///
/// Only once [`return_large_blocks`] has set the threshold: otherwise glibc
/// maps such blocks on their own, and freeing one would raise its threshold.
pub fn grow_heap_by(bytes: usize) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if THRESHOLD_SET.load(std::sync::atomic::Ordering::Relaxed) {
        let taken: Vec<Vec<u8>> = (0..bytes.div_ceil(HEAP_STEP))
            .map(|_| std::hint::black_box(Vec::with_capacity(HEAP_STEP)))
            .collect();
        drop(std::hint::black_box(taken));
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = bytes;
}

/// Maps in, with one call, the whole pages of `rows`' spare room that the next
/// `additional` items will fill: a million rows written one page fault at a
/// time take forty thousand faults. Only the room about to be used is mapped,
/// so what a generous capacity leaves unused is never resident. True when
/// the kernel mapped pages in (one before Linux 5.14 refuses the advice, and
/// the pages are then faulted in as they are written).
pub fn fault_in_room<T>(rows: &mut Vec<T>, additional: usize) -> bool {
    #[cfg(target_os = "linux")]
    {
        let spare = rows.spare_capacity_mut();
        let spare = &spare[..additional.min(spare.len())];
        let (start, len) = (spare.as_ptr() as usize, std::mem::size_of_val(spare));
        let Some((from, to)) = whole_pages(start, len) else {
            return false;
        };
        // SAFETY: the pages (of the system's size) lie wholly within the
        // vector's own allocation, whose contents are uninitialised room;
        // populating them writes nothing the program sees.
        let done = unsafe {
            libc::madvise(
                from as *mut libc::c_void,
                to - from,
                libc::MADV_POPULATE_WRITE,
            )
        };
        done == 0
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = (rows, additional);
        false
    }
}

/// The pages wholly inside `len` bytes from `start`, as their first and
/// past-the-end addresses; none when no page is.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn whole_pages(start: usize, len: usize) -> Option<(usize, usize)> {
    whole_pages_of(page_size(), start, len)
}

fn whole_pages_of(page: usize, start: usize, len: usize) -> Option<(usize, usize)> {
    let from = start.checked_next_multiple_of(page)?;
    let to = start.checked_add(len)? / page * page;
    (to > from).then_some((from, to))
}

/// The system's page size (4 KiB on most machines, 16 or 64 KiB on some).
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn page_size() -> usize {
    static PAGE: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *PAGE.get_or_init(|| {
        // SAFETY: sysconf only reads a system constant.
        let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        usize::try_from(size)
            .ok()
            .filter(|s| s.is_power_of_two())
            .unwrap_or(4096)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_wholly_in_the_room_are_mapped_in() {
        let whole = |start, len| whole_pages_of(4096, start, len);
        assert_eq!(whole(4096, 8192), Some((4096, 12288)));
        assert_eq!(whole(4097, 8192), Some((8192, 12288)));
        assert_eq!(whole(4000, 4096), None, "no page lies wholly inside");
        assert_eq!(whole(4096, 4095), None);
        assert_eq!(whole(0, 0), None);
        assert_eq!(whole(usize::MAX - 10, 100), None);
        assert_eq!(whole_pages_of(65536, 4096, 65536), None);
        assert!(page_size().is_power_of_two());
    }

    /// Whether the page holding `address` is resident.
    #[cfg(target_os = "linux")]
    fn resident(address: usize) -> bool {
        let page = page_size();
        let mut flag = 0u8;
        // SAFETY: mincore writes one byte for the one page asked about, which
        // lies in this test's own live allocation.
        let done =
            unsafe { libc::mincore((address / page * page) as *mut libc::c_void, 1, &mut flag) };
        done == 0 && flag & 1 == 1
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn the_room_about_to_be_filled_is_mapped_in_and_no_more() {
        let page = page_size();
        // Above any threshold glibc may have raised to: mapped on its own,
        // untouched, no page of it resident yet.
        let mut rows: Vec<u64> = Vec::with_capacity((64 << 20) / 8);
        rows.push(7);
        let at = |n: usize| rows.as_ptr() as usize + n * std::mem::size_of::<u64>();
        // Later room tens of mebibytes on: not in the same huge page, where
        // the kernel maps those in whole.
        let (soon, later) = (at(4 * page / 8), at((32 << 20) / 8));
        assert!(!resident(later), "fresh room is not resident");
        if !fault_in_room(&mut rows, 8 * page / 8) {
            // A kernel before 5.14: the room is faulted in as it is written.
            return;
        }
        assert!(resident(soon), "the room about to be filled is mapped in");
        assert!(!resident(later), "room beyond it is not");
        assert_eq!((rows.len(), rows[0]), (1, 7), "and nothing in it changed");
    }
}
