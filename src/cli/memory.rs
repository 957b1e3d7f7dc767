//! How freed memory goes back to the system.
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

/// Sets the allocator's thresholds; called once at start, before other threads.
pub fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; it is called before any
    // other thread exists, and a refusal (0) leaves glibc's default in place.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}
