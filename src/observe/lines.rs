//! A file that only ever receives whole lines.
//!
//! A `BufWriter` hands the kernel whatever fills its buffer, so a process
//! killed between two of its writes leaves a file that ends mid-line, and
//! a reader racing it sees half a record. [`LineFile`] buffers complete
//! lines only and gives the kernel the whole buffer in one write(2), so
//! every write ends on a line boundary:
//!
//! - killed between writes (SIGKILL, a crash), the file ends with a whole
//!   line, and only what was still buffered (at most one flush interval)
//!   is lost;
//! - a short write is continued from the byte where it stopped;
//! - a write that fails part-way through a batch cuts the file back to the
//!   last whole line, and the file takes nothing more, so it stays a whole
//!   prefix of the session instead of a prefix with a hole in it.
//!
//! What no user-space writer can prevent: the kernel copies a large write
//! into the page cache one page (folio) at a time, makes each visible to
//! readers as it goes, and stops between two of them when the process gets
//! SIGKILL. So a reader racing a large write, or a file whose writer was
//! killed inside one, can show an unterminated last fragment. Hence the
//! reader's rule, which `gossip-lab report` follows: a line is a line once
//! its newline is there; an unterminated tail is not a record yet.

use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;

/// Buffered bytes that trigger a write on their own, between the caller's
/// periodic flushes: large enough that a burst of events costs few
/// syscalls, small enough to bound the memory a burst takes.
const FLUSH_AT: usize = 256 * 1024;

/// Where a [`LineFile`] writes: a file, or a test double.
pub trait Sink: Write {
    /// Cuts the sink back to `len` bytes and continues writing there.
    fn cut_to(&mut self, len: u64) -> io::Result<()>;
}

impl Sink for File {
    fn cut_to(&mut self, len: u64) -> io::Result<()> {
        self.set_len(len)?;
        self.seek(SeekFrom::Start(len)).map(drop)
    }
}

/// A writer of whole lines; see the module docs.
#[derive(Debug)]
pub struct LineFile<S: Sink = File> {
    sink: S,
    /// Complete lines not yet handed to the kernel.
    buf: Vec<u8>,
    /// Bytes on disk, every one of them part of a whole line.
    written: u64,
    /// Set by a failed write: the file takes nothing more, so it stays a
    /// whole prefix and the buffer cannot grow without bound.
    failed: bool,
}

impl LineFile<File> {
    /// Creates (or truncates) `path`.
    pub fn create(path: &Path) -> io::Result<LineFile> {
        Ok(LineFile::new(File::create(path)?))
    }
}

impl<S: Sink> LineFile<S> {
    /// Writes whole lines into `sink`, which is empty.
    pub fn new(sink: S) -> LineFile<S> {
        LineFile { sink, buf: Vec::new(), written: 0, failed: false }
    }

    /// Appends one line: `fill` writes its text (without the newline) into
    /// the buffer. If `fill` fails, nothing of the line is kept.
    pub fn line(&mut self, fill: impl FnOnce(&mut Vec<u8>) -> io::Result<()>) -> io::Result<()> {
        if self.failed {
            return Err(io::Error::other("an earlier write to this file failed; it takes no more lines"));
        }
        let mark = self.buf.len();
        if let Err(e) = fill(&mut self.buf) {
            self.buf.truncate(mark);
            return Err(e);
        }
        if self.buf[mark..].contains(&b'\n') {
            self.buf.truncate(mark);
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "a line may not contain a newline"));
        }
        self.buf.push(b'\n');
        if self.buf.len() >= FLUSH_AT { self.flush() } else { Ok(()) }
    }

    /// Hands every buffered line to the kernel, in one write(2) unless the
    /// kernel takes less.
    pub fn flush(&mut self) -> io::Result<()> {
        if self.failed {
            return Err(io::Error::other("an earlier write to this file failed"));
        }
        let mut done = 0;
        while done < self.buf.len() {
            match self.sink.write(&self.buf[done..]) {
                Ok(0) => return self.fail(io::ErrorKind::WriteZero.into()),
                Ok(n) => done += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return self.fail(e),
            }
        }
        self.written += done as u64;
        self.buf.clear();
        Ok(())
    }

    /// Bytes on disk: whole lines only.
    pub fn written(&self) -> u64 {
        self.written
    }

    /// The sink, for tests.
    pub fn sink(&self) -> &S {
        &self.sink
    }

    fn fail(&mut self, e: io::Error) -> io::Result<()> {
        self.failed = true;
        self.buf = Vec::new();
        // Part of the batch may have reached the file: cut it back to the
        // last whole line. If even that fails, the error below still says
        // the file is damaged.
        let _ = self.sink.cut_to(self.written);
        Err(e)
    }
}

impl<S: Sink> Drop for LineFile<S> {
    /// An unwinding panic or an early return still gets the buffered
    /// lines to disk; they are whole, so the file stays readable.
    fn drop(&mut self) {
        if !self.failed && !self.buf.is_empty() {
            let _ = self.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sink that takes at most `step` bytes per write and fails once
    /// `fail_after` bytes are in.
    #[derive(Debug, Default)]
    struct Stingy {
        data: Vec<u8>,
        step: usize,
        fail_after: Option<usize>,
        writes: usize,
    }

    impl Write for Stingy {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.writes += 1;
            if self.fail_after.is_some_and(|f| self.data.len() >= f) {
                return Err(io::Error::other("disk full"));
            }
            let n = buf.len().min(self.step);
            self.data.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    impl Sink for Stingy {
        fn cut_to(&mut self, len: u64) -> io::Result<()> {
            self.data.truncate(len as usize);
            Ok(())
        }
    }

    fn text(lines: &mut LineFile<Stingy>, s: &str) -> io::Result<()> {
        lines.line(|b| {
            b.extend_from_slice(s.as_bytes());
            Ok(())
        })
    }

    #[test]
    fn lines_wait_in_the_buffer_until_a_flush_writes_them_in_one_call() {
        let mut f = LineFile::new(Stingy { step: usize::MAX, ..Stingy::default() });
        text(&mut f, "{\"a\":1}").unwrap();
        text(&mut f, "{\"b\":2}").unwrap();
        assert!(f.sink().data.is_empty(), "nothing is written before a flush");
        f.flush().unwrap();
        assert_eq!(f.sink().data, b"{\"a\":1}\n{\"b\":2}\n");
        assert_eq!(f.sink().writes, 1, "one write(2) for the batch");
        assert_eq!(f.written(), 16);
    }

    #[test]
    fn a_short_write_is_continued_where_it_stopped() {
        let mut f = LineFile::new(Stingy { step: 3, ..Stingy::default() });
        text(&mut f, "{\"long\":\"line\"}").unwrap();
        text(&mut f, "{}").unwrap();
        f.flush().unwrap();
        assert_eq!(f.sink().data, b"{\"long\":\"line\"}\n{}\n");
    }

    #[test]
    fn a_write_failing_mid_batch_cuts_the_file_back_to_its_last_whole_line() {
        let mut f = LineFile::new(Stingy { step: 4, fail_after: Some(10), ..Stingy::default() });
        text(&mut f, "{\"x\":1}").unwrap();
        f.flush().unwrap();
        assert_eq!(f.sink().data, b"{\"x\":1}\n");
        text(&mut f, "{\"y\":22222}").unwrap();
        assert!(f.flush().is_err());
        assert_eq!(f.sink().data, b"{\"x\":1}\n", "the half-written line is cut off");
        assert!(text(&mut f, "{}").is_err(), "a failed file takes no more lines");
        assert!(f.flush().is_err());
        assert_eq!(f.sink().data, b"{\"x\":1}\n");
    }

    #[test]
    fn a_line_whose_text_fails_leaves_nothing_behind() {
        let mut f = LineFile::new(Stingy { step: usize::MAX, ..Stingy::default() });
        let err = f.line(|b| {
            b.extend_from_slice(b"{\"half");
            Err(io::Error::other("serializer failed"))
        });
        assert!(err.is_err());
        assert!(text(&mut f, "a\nb").is_err(), "a newline inside a line is refused");
        text(&mut f, "{}").unwrap();
        f.flush().unwrap();
        assert_eq!(f.sink().data, b"{}\n");
    }

    #[test]
    fn a_full_buffer_is_written_without_waiting_for_a_flush() {
        let mut f = LineFile::new(Stingy { step: usize::MAX, ..Stingy::default() });
        let line = "x".repeat(1000);
        for _ in 0..(FLUSH_AT / 1001 + 1) {
            text(&mut f, &line).unwrap();
        }
        assert!(!f.sink().data.is_empty());
        assert!(f.sink().data.ends_with(b"\n"), "written on a line boundary");
    }

    #[test]
    fn dropping_the_writer_flushes_its_whole_lines() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.jsonl");
        {
            let mut f = LineFile::create(&path).unwrap();
            f.line(|b| {
                b.extend_from_slice(b"{}");
                Ok(())
            })
            .unwrap();
        }
        assert_eq!(std::fs::read(&path).unwrap(), b"{}\n");
    }
}
