//! The browser build's allocator: a bump arena that starts over whenever nothing is allocated.
//!
//! Each form call allocates a little (the form's text, its value, the report) and frees all of
//! it before the next call, so allocating is a pointer bump and freeing a counter: when the
//! count of live blocks reaches zero the arena starts over at its beginning. The last block can
//! also grow, shrink or be freed in place (a `String` being written). A block that stayed
//! allocated across calls would only keep the arena from starting over, never be overwritten;
//! `test/vectors.test.cjs` checks that the memory stops growing over 20 000 form calls.
#![allow(unsafe_code)]

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32::memory_grow;
use core::cell::Cell;
use core::ptr::null_mut;

const PAGE: usize = 65536;

/// The arena: `[start, end)` is the memory it grew, `top` its first free byte.
pub struct Arena {
    start: Cell<usize>,
    top: Cell<usize>,
    end: Cell<usize>,
    live: Cell<usize>,
}

// SAFETY: the browser build is compiled without threads (no `atomics` target feature), so the
// arena is only ever used from one thread.
unsafe impl Sync for Arena {}

impl Arena {
    /// An arena that grows the module's memory on its first allocation.
    pub const fn new() -> Self {
        Arena {
            start: Cell::new(0),
            top: Cell::new(0),
            end: Cell::new(0),
            live: Cell::new(0),
        }
    }

    /// Makes `[top, top + size)` addressable, growing the memory when needed; false when the
    /// memory cannot grow.
    fn reserve(&self, top: usize, size: usize) -> bool {
        let Some(needed) = top.checked_add(size) else {
            return false;
        };
        if needed <= self.end.get() {
            return true;
        }
        let pages = (needed - self.end.get()).div_ceil(PAGE);
        let old = memory_grow(0, pages);
        if old == usize::MAX {
            return false;
        }
        // Only this allocator grows the memory, so the new pages follow the arena's.
        self.end.set((old + pages) * PAGE);
        true
    }
}

unsafe impl GlobalAlloc for Arena {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if self.end.get() == 0 {
            // The first allocation: the arena starts at the memory's current end.
            let at = memory_grow(0, 0) * PAGE;
            self.start.set(at);
            self.top.set(at);
            self.end.set(at);
        }
        let at = (self.top.get() + layout.align() - 1) & !(layout.align() - 1);
        if !self.reserve(at, layout.size()) {
            return null_mut();
        }
        self.top.set(at + layout.size());
        self.live.set(self.live.get() + 1);
        at as *mut u8
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let live = self.live.get() - 1;
        self.live.set(live);
        if live == 0 {
            self.top.set(self.start.get());
        } else if ptr as usize + layout.size() == self.top.get() {
            self.top.set(ptr as usize);
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let at = ptr as usize;
        // The last block grows or shrinks where it is.
        if at + layout.size() == self.top.get() {
            if !self.reserve(at, new_size) {
                return null_mut();
            }
            self.top.set(at + new_size);
            return ptr;
        }
        if new_size <= layout.size() {
            return ptr;
        }
        // SAFETY: the caller's layout with the new size is valid (GlobalAlloc::realloc's contract).
        let new =
            unsafe { self.alloc(Layout::from_size_align_unchecked(new_size, layout.align())) };
        if !new.is_null() {
            // SAFETY: both blocks are allocated, distinct, and at least `layout.size()` long.
            unsafe {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size());
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}
