//! A large 「詳細のみ」 CSV export read from a file in blocks: each block, cut
//! where a record ends, is parsed on one of two threads while the next is
//! read and hashed, so the whole body is never held and reading overlaps
//! parsing. The rows, lines, problems and errors are those of one pass over
//! the whole body ([`super::gmis_csv::import_bytes`]).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::Relaxed};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::csv_records::{
    ends_with_line_break, is_all_blank, newlines, open_quote_at, split_point, CsvRecords,
};
use super::encoding::{self, DetectedEncoding};
use super::gmis_csv::{finish, read_part, Layout, Part, PartError};
use super::import::{Import, ImportError, ImportErrorKind, ImportOptions};
use super::progress::{ParseProgress, ProgressSink};
use crate::files::{FileStamp, ReadError};
use crate::model::ReportRow;

/// Bytes read at a time; a block is parsed as one stretch.
pub const BLOCK_BYTES: usize = 2 * 1024 * 1024;

/// Files at least this large are read in blocks as they are parsed.
pub const READ_IN_BLOCKS_FROM: u64 = 8 * 1024 * 1024;

/// Threads parsing blocks.
const PARSERS: usize = 2;

/// What reading a body in blocks gave.
#[derive(Debug)]
pub enum Streamed {
    /// The body was read to its end and parsed.
    Read {
        import: Result<Box<Import>, ImportError>,
        /// The sha256 of every byte read, in lower-case hex.
        content_hash: String,
        /// Bytes read.
        len: u64,
        /// The body ends where a record ends (a line break, no quote open).
        complete: bool,
    },
    /// Not for reading in blocks: not a CSV, blank at the start, or UTF-8 that
    /// stops being UTF-8 past the first block. The caller reads it whole.
    ReadWhole,
}

/// A regular file read and parsed block by block, and the version of it read:
/// an error when it cannot be read, or when it changed while it was read.
pub fn import_file_in_blocks(
    path: &Path,
    max_bytes: u64,
    options: &ImportOptions,
    progress: &mut dyn ProgressSink,
) -> Result<(Streamed, FileStamp), ReadError> {
    let (mut file, stamp) = crate::files::read::open_regular(path, max_bytes)?;
    let mut limited = (&mut file).take(stamp.len.saturating_add(1));
    let streamed =
        import_csv_blocks(&mut limited, options, Some(stamp.len), progress).map_err(|source| {
            ReadError::Io {
                path: path.to_path_buf(),
                source,
            }
        })?;
    if let Streamed::Read { len, .. } = &streamed {
        crate::files::read::check_unchanged(path, &file, stamp, *len)?;
    }
    Ok((streamed, stamp))
}

/// Reads a CSV body from `source` block by block.
pub fn import_csv_blocks(
    source: &mut dyn Read,
    options: &ImportOptions,
    total: Option<u64>,
    progress: &mut dyn ProgressSink,
) -> std::io::Result<Streamed> {
    import_in_blocks_of(BLOCK_BYTES, source, options, total, progress)
}

fn import_in_blocks_of(
    block_bytes: usize,
    source: &mut dyn Read,
    options: &ImportOptions,
    total: Option<u64>,
    progress: &mut dyn ProgressSink,
) -> std::io::Result<Streamed> {
    let mut blocks = Blocks::new(source, block_bytes);
    let (mut first, mut eof) = blocks.first_block()?;
    if !suits_blocks(&first, eof) {
        return Ok(Streamed::ReadWhole);
    }
    let header = loop {
        match Header::read(whole_lines(&first, eof), options) {
            Ok(header) if eof || header.ends_a_line(&first) => break header,
            Err(err) if eof => return blocks.finish_with(Err(err)),
            // A header this long is not a G-MIS export: the whole body decides.
            _ if first.len() >= HEADER_LIMIT => return Ok(Streamed::ReadWhole),
            // The header goes on past what is read.
            _ => eof = blocks.read_more(&mut first)?,
        }
    };
    let outcome = parse_blocks(&mut blocks, first, eof, &header, options, total, progress)?;
    match outcome {
        Parsed::LateNonUtf8 => Ok(Streamed::ReadWhole),
        Parsed::Done(result) => blocks.finish_with(result),
    }
}

/// The most read to find the end of the header.
const HEADER_LIMIT: usize = 4 * BLOCK_BYTES;

/// A body the block reader takes: a CSV (not an .xlsx or JSON) with something
/// but blanks in its first block.
fn suits_blocks(first: &[u8], eof: bool) -> bool {
    !super::xlsx::is_zip(first)
        && !matches!(super::first_significant_byte(first), Some(b'[' | b'{'))
        && (eof || !is_all_blank(first))
}

/// The block up to its last line break, unless it is the whole body: a block
/// may end inside a character, and the encoding is judged on whole ones.
fn whole_lines(block: &[u8], eof: bool) -> &[u8] {
    match memchr::memrchr(b'\n', block) {
        Some(at) if !eof => &block[..=at],
        _ => block,
    }
}

/// The header, read from the first block.
struct Header {
    layout: Layout,
    encoding: DetectedEncoding,
    /// Where the body starts (after a BOM) in the first block.
    body_from: usize,
    /// Where the first record after the header starts in the body.
    records_from: usize,
}

impl Header {
    /// The header ends with a line break within `first`: it is whole.
    fn ends_a_line(&self, first: &[u8]) -> bool {
        let end = self.body_from + self.records_from;
        end <= first.len() && matches!(first[..end].last(), Some(b'\n' | b'\r'))
    }

    fn read(first: &[u8], options: &ImportOptions) -> Result<Header, ImportError> {
        let mut csv = CsvRecords::open(first, options)?;
        let encoding = csv.encoding();
        let header_line = csv.header()?;
        let layout = Layout::read(csv.record(), header_line, &options.source_name, encoding)?;
        Ok(Header {
            layout,
            encoding,
            body_from: first.len() - csv.body().len(),
            records_from: csv.read_to(),
        })
    }
}

/// The body's bytes as they are read, hashed on the way.
struct Blocks<'s> {
    source: &'s mut dyn Read,
    /// Bytes read at a time.
    block: usize,
    hasher: Sha256,
    len: u64,
    /// The last bytes read, to tell whether a line break ends the body.
    tail: Vec<u8>,
    /// The last block ends inside a quoted field.
    open_quote_at_end: bool,
}

impl<'s> Blocks<'s> {
    fn new(source: &'s mut dyn Read, block: usize) -> Self {
        Self {
            source,
            block,
            hasher: Sha256::new(),
            len: 0,
            tail: Vec::new(),
            open_quote_at_end: false,
        }
    }

    /// Up to a block more bytes onto `into`; true at the end of the body.
    fn read_more(&mut self, into: &mut Vec<u8>) -> std::io::Result<bool> {
        let from = into.len();
        into.reserve(self.block);
        let read = (&mut *self.source)
            .take(self.block as u64)
            .read_to_end(into)?;
        let new = &into[from..];
        self.hasher.update(new);
        self.len += read as u64;
        self.tail
            .extend_from_slice(&new[new.len().saturating_sub(TAIL)..]);
        self.tail.drain(..self.tail.len().saturating_sub(TAIL));
        Ok(read < self.block)
    }

    fn first_block(&mut self) -> std::io::Result<(Vec<u8>, bool)> {
        let mut first = Vec::new();
        let eof = self.read_more(&mut first)?;
        Ok((first, eof))
    }

    /// Reads what is left (after an error, so that the hash and length are
    /// those of the whole body) and gives the outcome.
    fn finish_with(mut self, import: Result<Import, ImportError>) -> std::io::Result<Streamed> {
        let mut rest = Vec::new();
        while !self.read_more(&mut rest)? {
            rest.clear();
        }
        Ok(Streamed::Read {
            import: import.map(Box::new),
            content_hash: crate::text::hex(&self.hasher.finalize()),
            len: self.len,
            complete: ends_with_line_break(&self.tail) && !self.open_quote_at_end,
        })
    }
}

/// Bytes of the body's end kept to see whether a line break ends it past any filler.
const TAIL: usize = 256;

/// One block handed to a parser: records from `start` of `bytes` (the bytes
/// before it end the previous block).
struct Block {
    index: usize,
    bytes: Vec<u8>,
    /// Where its rows go: an emptied buffer of a block merged before, or new.
    rows: Vec<ReportRow>,
    start: usize,
    lines_before: u64,
    in_footer: bool,
}

/// A parsed block, with its bytes in case it must be read again as footer.
struct Done {
    block: Block,
    part: Result<Part, PartError>,
}

enum Parsed {
    Done(Result<Import, ImportError>),
    LateNonUtf8,
}

/// Bytes kept from the end of one block before the next: enough to see a
/// blank line ("\n\r\n") just before its first record.
const CONTEXT: usize = 3;

#[allow(clippy::too_many_arguments)]
fn parse_blocks(
    blocks: &mut Blocks,
    first: Vec<u8>,
    eof: bool,
    header: &Header,
    options: &ImportOptions,
    total: Option<u64>,
    progress: &mut dyn ProgressSink,
) -> std::io::Result<Parsed> {
    let shared = Shared::default();
    // A block waiting for each parser: a parser done with one takes the next
    // at once, without waiting for the reader to be scheduled to read it.
    let (block_tx, block_rx) = mpsc::sync_channel::<Block>(PARSERS);
    let block_rx = Mutex::new(block_rx);
    let (done_tx, done_rx) = mpsc::channel::<Done>();
    std::thread::scope(|scope| {
        for _ in 0..PARSERS {
            let done_tx = done_tx.clone();
            let (block_rx, shared) = (&block_rx, &shared);
            scope.spawn(move || parse_each(block_rx, done_tx, header, options, shared));
        }
        drop(done_tx);
        let mut feeder = Feeder {
            block_tx: Some(block_tx),
            merger: Merger::new(header, options, total),
            done_rx,
            shared: &shared,
            total,
        };
        let fed = feeder.feed(blocks, first, eof, header, progress);
        feeder.block_tx = None;
        if !matches!(fed, Ok(Fed::All)) {
            shared.stop.store(true, Relaxed);
        }
        let merged = feeder.wait_for_all(progress);
        match fed? {
            Fed::All => Ok(Parsed::Done(merged)),
            Fed::LateNonUtf8 => Ok(Parsed::LateNonUtf8),
            // Stopped by an error of a block, or by the dashboard quitting.
            Fed::Stopped => {
                Ok(Parsed::Done(merged.and_then(|_| {
                    Err(ImportErrorKind::Abandoned.of(&options.source_name))
                })))
            }
        }
    })
}

/// What the parsers share: how far they have got, and whether to stop.
#[derive(Default)]
struct Shared {
    stop: AtomicBool,
    bytes: AtomicU64,
    rows: AtomicUsize,
}

/// A parser thread: blocks in, parts out, until there are no more blocks.
fn parse_each(
    blocks: &Mutex<Receiver<Block>>,
    done: mpsc::Sender<Done>,
    header: &Header,
    options: &ImportOptions,
    shared: &Shared,
) {
    loop {
        let next = blocks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .recv();
        let Ok(mut block) = next else { return };
        // About what the block's names will take, with the allocator's own room.
        crate::model::memory::grow_heap_by(block.bytes.len() / 2);
        let rows = std::mem::take(&mut block.rows);
        let part = parse_block(&block, rows, header, options, shared);
        if done.send(Done { block, part }).is_err() {
            return;
        }
    }
}

fn parse_block(
    block: &Block,
    rows: Vec<ReportRow>,
    header: &Header,
    options: &ImportOptions,
    shared: &Shared,
) -> Result<Part, PartError> {
    let body = &block.bytes[body_from(block, header)..];
    let mut csv = CsvRecords::block(
        body,
        block.start,
        header.encoding,
        &options.source_name,
        block.lines_before,
    )
    .utf8_checked(checks_utf8(header, options));
    let (mut bytes_told, mut rows_told) = (0, 0);
    let mut part = read_part(
        &mut csv,
        &header.layout,
        block.in_footer,
        false,
        rows,
        &mut |bytes, rows| {
            shared.bytes.fetch_add(bytes - bytes_told, Relaxed);
            shared.rows.fetch_add(rows - rows_told, Relaxed);
            (bytes_told, rows_told) = (bytes, rows);
            !shared.stop.load(Relaxed)
        },
    );
    let end = (body.len() - block.start) as u64;
    shared.bytes.fetch_add(end - bytes_told, Relaxed);
    if let Ok(part) = &mut part {
        shared.rows.fetch_add(part.row_count() - rows_told, Relaxed);
        // Measured here, on both cores, while the rows are at hand.
        if options.measure_rows {
            part.measure();
        }
    }
    part
}

/// Whether each block's records are checked to be UTF-8 before they are
/// parsed: UTF-8 found by looking (not chosen, and without a BOM) may stop
/// being UTF-8 past the first block.
fn checks_utf8(header: &Header, options: &ImportOptions) -> bool {
    encoding::checked_as_utf8(header.encoding, options.encoding)
}

/// Where the body starts in a block: after the BOM in the first.
fn body_from(block: &Block, header: &Header) -> usize {
    if block.index == 0 {
        header.body_from
    } else {
        0
    }
}

enum Fed {
    All,
    LateNonUtf8,
    Stopped,
}

/// Cuts the body into blocks and hands them to the parsers, merging the parts
/// that are ready while it reads.
struct Feeder<'a> {
    block_tx: Option<SyncSender<Block>>,
    merger: Merger<'a>,
    done_rx: Receiver<Done>,
    shared: &'a Shared,
    total: Option<u64>,
}

impl Feeder<'_> {
    fn feed(
        &mut self,
        blocks: &mut Blocks,
        first: Vec<u8>,
        mut eof: bool,
        header: &Header,
        progress: &mut dyn ProgressSink,
    ) -> std::io::Result<Fed> {
        let check_utf8 = checks_utf8(header, self.merger.options);
        let mut pending = first;
        // Where records start in `pending`, and the bytes before it.
        let mut start = header.body_from + header.records_from;
        let mut lines_before = 0u64;
        let mut index = 0;
        loop {
            let Some(cut) = cut_point(&pending, start, eof, blocks.block / 16) else {
                eof = blocks.read_more(&mut pending)?;
                continue;
            };
            let mut next = self.merger.spare.pop().unwrap_or_default();
            next.clear();
            next.extend_from_slice(&pending[cut.saturating_sub(CONTEXT).max(start)..]);
            let context = cut - cut.saturating_sub(CONTEXT).max(start);
            pending.truncate(cut);
            // Every block's records are checked before a parser gets them:
            // the parsers read their fields unchecked ([`checks_utf8`]).
            if check_utf8 && !encoding::is_utf8(&pending[start..]) {
                return Ok(Fed::LateNonUtf8);
            }
            if eof {
                blocks.open_quote_at_end = open_quote_at(&pending[start..]).is_some();
            }
            let breaks = newlines(&pending);
            let before_body = if index == 0 { header.body_from } else { 0 };
            let block = Block {
                index,
                bytes: pending,
                rows: self.merger.spare_rows.pop().unwrap_or_default(),
                start: start - before_body,
                lines_before,
                in_footer: false,
            };
            lines_before += breaks - newlines(&next[..context]);
            if !self.send(block, progress) {
                return Ok(Fed::Stopped);
            }
            if eof && next.len() == context {
                return Ok(Fed::All);
            }
            index += 1;
            pending = next;
            start = context;
            if pending.len() - start < blocks.block / 2 && !eof {
                eof = blocks.read_more(&mut pending)?;
            }
        }
    }

    /// Hands a block over, merging what is done while waiting; false once told to stop.
    fn send(&mut self, block: Block, progress: &mut dyn ProgressSink) -> bool {
        let Some(tx) = self.block_tx.clone() else {
            return false;
        };
        let mut block = Some(block);
        while let Some(next) = block.take() {
            match tx.try_send(next) {
                // The parts done meanwhile are merged at once: waiting, they
                // would hold their rows and buffers until the end.
                Ok(()) => self.merge_ready(),
                Err(mpsc::TrySendError::Full(back)) => {
                    block = Some(back);
                    self.merge_one(Duration::from_millis(20));
                }
                Err(mpsc::TrySendError::Disconnected(_)) => return false,
            }
            self.tell(progress);
            if progress.abandoned() || self.merger.failed() {
                return false;
            }
        }
        true
    }

    fn merge_ready(&mut self) {
        while let Ok(done) = self.done_rx.try_recv() {
            self.merger.take(done);
        }
    }

    fn merge_one(&mut self, wait: Duration) -> bool {
        match self.done_rx.recv_timeout(wait) {
            Ok(done) => {
                self.merger.take(done);
                true
            }
            Err(RecvTimeoutError::Timeout) => true,
            Err(RecvTimeoutError::Disconnected) => false,
        }
    }

    fn tell(&self, progress: &mut dyn ProgressSink) {
        let bytes = self.shared.bytes.load(Relaxed);
        progress.parsed(ParseProgress {
            bytes: self.total.map_or(bytes, |t| bytes.min(t)),
            rows: self.shared.rows.load(Relaxed),
        });
    }

    /// Merges every part still to come; the parsers end when the blocks do.
    fn wait_for_all(&mut self, progress: &mut dyn ProgressSink) -> Result<Import, ImportError> {
        while self.merge_one(Duration::from_millis(100)) {
            self.tell(progress);
            if progress.abandoned() {
                self.shared.stop.store(true, Relaxed);
            }
        }
        self.merger.finish()
    }
}

/// Where to end the block that starts at `start` of `pending`: the end at the
/// end of the body, else a line break near the end of what is read, outside
/// quotes, and not right after a blank record (whose meaning, the start of the
/// footer, belongs to the record after it). None when more must be read.
fn cut_point(pending: &[u8], start: usize, eof: bool, window: usize) -> Option<usize> {
    if eof {
        return Some(pending.len());
    }
    let near = pending.len().saturating_sub(window).max(start);
    let mut at = split_point(pending, start, near)?;
    while ends_with_blank_record(&pending[start..at]) {
        at = split_point(pending, start, at)?;
    }
    Some(at)
}

/// The text ends with a line of nothing but blanks and commas.
fn ends_with_blank_record(text: &[u8]) -> bool {
    let line = text.strip_suffix(b"\n").unwrap_or(text);
    let line_start = memchr::memrchr(b'\n', line).map_or(0, |i| i + 1);
    line[line_start..]
        .iter()
        .all(|b| b.is_ascii_whitespace() || *b == b',')
}

/// The parts put back in the body's order, each block that followed the start
/// of the footer read again as footer.
struct Merger<'a> {
    header: &'a Header,
    options: &'a ImportOptions,
    /// The body's length, when known.
    total: Option<u64>,
    next: usize,
    waiting: BTreeMap<usize, Done>,
    merged: Option<Part>,
    error: Option<ImportError>,
    abandoned: bool,
    /// Buffers of blocks merged, for the next blocks: fresh ones would be
    /// mapped, faulted in and unmapped again for every block.
    spare: Vec<Vec<u8>>,
    /// Row buffers of blocks merged, emptied, for the same reason.
    spare_rows: Vec<Vec<ReportRow>>,
}

/// Block buffers kept for reuse: as many as can be in flight (waiting for a
/// parser, being parsed, being read, and done ahead of their turn).
const SPARE_BUFFERS: usize = 2 * PARSERS + 3;

impl<'a> Merger<'a> {
    fn new(header: &'a Header, options: &'a ImportOptions, total: Option<u64>) -> Self {
        Self {
            header,
            options,
            total,
            next: 0,
            waiting: BTreeMap::new(),
            merged: None,
            error: None,
            abandoned: false,
            spare: Vec::new(),
            spare_rows: Vec::new(),
        }
    }

    fn failed(&self) -> bool {
        self.error.is_some() || self.abandoned
    }

    fn take(&mut self, done: Done) {
        self.waiting.insert(done.block.index, done);
        while let Some(done) = self.waiting.remove(&self.next) {
            self.next += 1;
            self.merge(done);
        }
    }

    fn merge(&mut self, done: Done) {
        let Done { mut block, part } = done;
        if self.failed() {
            return;
        }
        let in_footer = self.merged.as_ref().is_some_and(|m| m.in_footer);
        let done_bytes = block.bytes.len();
        let part = if in_footer && !block.in_footer {
            block.in_footer = true;
            parse_block(
                &block,
                Vec::new(),
                self.header,
                self.options,
                &Shared::default(),
            )
        } else {
            part
        };
        if self.spare.len() < SPARE_BUFFERS {
            self.spare.push(block.bytes);
        }
        match part {
            Ok(part) => {
                let (merged, emptied) = match self.merged.take() {
                    Some(merged) => merged.then_keeping(part),
                    None => self.first(part, done_bytes),
                };
                self.merged = Some(merged);
                if self.spare_rows.len() < SPARE_BUFFERS && emptied.capacity() > 0 {
                    self.spare_rows.push(emptied);
                }
            }
            Err(Some(err)) => self.error = Some(err),
            Err(None) => self.abandoned = true,
        }
    }

    /// The first block's part, with room for the rows of the whole body as the
    /// first block foretells them: the rows are moved into it once, never
    /// copied again as it grows.
    fn first(&self, part: Part, block_bytes: usize) -> (Part, Vec<ReportRow>) {
        let per_byte = part.row_count() as f64 / block_bytes.max(1) as f64;
        let expected = self
            .total
            .map_or(0, |total| (total as f64 * per_byte * 1.02) as usize);
        part.with_room_for(expected)
    }

    fn finish(&mut self) -> Result<Import, ImportError> {
        if let Some(err) = self.error.take() {
            return Err(err);
        }
        match self.merged.take() {
            Some(part) if !self.abandoned && self.waiting.is_empty() => Ok(finish(
                part,
                &self.header.layout,
                self.options.source_name.clone(),
                self.header.encoding,
            )),
            _ => Err(ImportErrorKind::Abandoned.of(&self.options.source_name)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::gmis_csv::import_split_near;
    use super::super::gmis_csv::tests::awkward_body;
    use super::super::progress::NoProgress;
    use super::*;
    use crate::model::figures::RowFigures;

    fn in_blocks(body: &[u8], block: usize, options: &ImportOptions) -> Streamed {
        let mut source = body;
        let total = Some(body.len() as u64);
        import_in_blocks_of(block, &mut source, options, total, &mut NoProgress).unwrap()
    }

    fn one_pass(body: &[u8], options: &ImportOptions) -> Result<Import, ImportError> {
        import_split_near(body, options, &mut NoProgress, |_, _| None)
    }

    /// What the block reader must give for `body`: exactly one pass's import,
    /// the body's hash and length, and whether it ends where a record does.
    fn check_same(body: &[u8], block: usize, options: &ImportOptions) -> bool {
        let measuring = ImportOptions {
            measure_rows: true,
            ..options.clone()
        };
        let Streamed::Read {
            import,
            content_hash,
            len,
            complete,
        } = in_blocks(body, block, &measuring)
        else {
            return false;
        };
        // Without being asked for, the figures are not measured.
        if let Streamed::Read {
            import: Ok(plain), ..
        } = in_blocks(body, block, options)
        {
            assert!(plain.figures.is_none());
        }
        let once = one_pass(body, options);
        let import = import.map(|mut import| {
            // Measured block by block, the figures are those of all rows at once.
            let measured = import.figures.take().map(|f| format!("{f:?}"));
            let rows = &import.report.rows;
            let expected = RowFigures::of(rows, 0);
            assert_eq!(
                measured,
                Some(format!("{expected:?}")),
                "blocks of {block} bytes"
            );
            *import
        });
        assert_eq!(
            format!("{import:?}"),
            format!("{once:?}"),
            "blocks of {block} bytes:\n{}",
            String::from_utf8_lossy(body)
        );
        assert_eq!(content_hash, crate::text::hex(&Sha256::digest(body)));
        assert_eq!(len, body.len() as u64);
        let whole = super::super::ends_at_row_boundary(body, super::super::FeedFormat::Csv);
        assert_eq!(complete, whole, "{}", String::from_utf8_lossy(body));
        true
    }

    #[test]
    fn blocks_give_exactly_what_one_pass_gives() {
        let mut rng = fastrand::Rng::with_seed(17);
        let options = ImportOptions {
            source_name: "blocks.csv".to_string(),
            ..Default::default()
        };
        let mut read = 0;
        for round in 0..24 {
            let mut text = awkward_body(&mut rng, 30 + round * 3);
            if round % 3 == 0 {
                text.insert(0, '\u{feff}');
            }
            for block in [48, 64, 97, 211, 1024, 1 << 20] {
                read += usize::from(check_same(text.as_bytes(), block, &options));
            }
        }
        assert!(read > 130, "most bodies were read in blocks: {read}");
    }

    #[test]
    fn shift_jis_blocks_give_what_one_pass_gives() {
        let mut rng = fastrand::Rng::with_seed(3);
        let options = ImportOptions::default();
        for _ in 0..8 {
            let text = awkward_body(&mut rng, 60);
            let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode(&text);
            for block in [50, 333, 4096] {
                assert!(check_same(&sjis, block, &options));
            }
        }
    }

    #[test]
    fn utf8_that_stops_being_utf8_late_is_read_whole() {
        let mut rng = fastrand::Rng::with_seed(8);
        let text = awkward_body(&mut rng, 200);
        let mut body = text.into_bytes();
        let (sjis, _, _) = encoding_rs::SHIFT_JIS.encode("東京都,13,131016,千代田区,1301,区中央部,1300000099,後の病院,2022/01/05,2022/02/01 11:32,9,3,1\r\n");
        let at = body.len() - 10;
        let at = at - body[..at].iter().rev().position(|&b| b == b'\n').unwrap();
        body.splice(at..at, sjis.iter().copied());
        assert!(matches!(
            in_blocks(&body, 256, &ImportOptions::default()),
            Streamed::ReadWhole
        ));
        // The same body valid to the end is read in blocks.
        assert!(check_same(&body[..at], 256, &ImportOptions::default()));
    }

    #[test]
    fn what_is_not_a_csv_is_left_to_the_whole_body() {
        let options = ImportOptions::default();
        for body in [
            &b"[{\"a\": 1}]"[..],
            b"  {\"rows\": []}",
            b"PK\x03\x04rest of a zip",
            b"   \r\n,,,\r\n   ",
        ] {
            let mut long = body.to_vec();
            long.resize(body.len() + 300, b' ');
            assert!(
                matches!(in_blocks(&long, 64, &options), Streamed::ReadWhole),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn a_body_that_is_not_a_report_says_so_with_its_hash() {
        let body = b"a,b,c\r\n1,2,3\r\n".repeat(50);
        let Streamed::Read {
            import,
            content_hash,
            len,
            ..
        } = in_blocks(&body, 64, &ImportOptions::default())
        else {
            panic!("read in blocks");
        };
        assert_eq!(
            import.unwrap_err(),
            one_pass(&body, &ImportOptions::default()).unwrap_err()
        );
        assert_eq!(content_hash, crate::text::hex(&Sha256::digest(&body)));
        assert_eq!(len, body.len() as u64);
    }

    #[test]
    fn progress_is_told_and_a_stop_is_heard() {
        let mut rng = fastrand::Rng::with_seed(21);
        let mut text = awkward_body(&mut rng, 3000);
        text.truncate(text.rfind("\r\n").unwrap() + 2);
        let mut seen = Vec::new();
        let mut source = text.as_bytes();
        let total = Some(text.len() as u64);
        let streamed = import_in_blocks_of(
            4096,
            &mut source,
            &ImportOptions::default(),
            total,
            &mut |p: ParseProgress| seen.push(p),
        )
        .unwrap();
        assert!(matches!(streamed, Streamed::Read { import: Ok(_), .. }));
        assert!(seen.len() > 10, "{}", seen.len());
        assert!(seen.windows(2).all(|w| w[0].bytes <= w[1].bytes));

        struct Quit;
        impl ProgressSink for Quit {
            fn parsed(&mut self, _: ParseProgress) {}
            fn abandoned(&self) -> bool {
                true
            }
        }
        let mut source = text.as_bytes();
        let stopped = import_in_blocks_of(
            4096,
            &mut source,
            &ImportOptions::default(),
            total,
            &mut Quit,
        )
        .unwrap();
        let Streamed::Read { import, .. } = stopped else {
            panic!("read in blocks");
        };
        assert_eq!(import.unwrap_err().kind, ImportErrorKind::Abandoned);
    }
}
