//! A parallel gzip writer (pigz-style) for `package`: the tar layout is `pack`'s, the
//! compression is this module's.

use flate2::{Compress, Compression, FlushCompress, Status};
use std::collections::VecDeque;
use std::io::{self, Write};
use std::sync::{mpsc, Arc, Mutex};

/// Uncompressed bytes per independently compressed chunk.
const CHUNK: usize = 1 << 20;
/// Deflate's window: each chunk is primed with the previous chunk's last 32 KiB.
const WINDOW: usize = 32 * 1024;

struct Job {
    data: Vec<u8>,
    dict: Vec<u8>,
    last: bool,
    done: mpsc::SyncSender<io::Result<Vec<u8>>>,
}

/// A gzip writer that compresses 1 MiB chunks on several threads, pigz-style: each
/// chunk is raw deflate primed with the previous 32 KiB as dictionary and ends with a
/// sync flush, so the concatenation is one ordinary deflate stream (any gunzip reads
/// it) at practically the size of a serial one. The bytes depend only on the input,
/// level and chunk size, never on the number of threads or their timing. At most
/// `2 × threads + 1` chunks are in memory at once.
pub struct ParallelGzWriter<W: Write> {
    out: Option<W>,
    level: u32,
    threads: usize,
    buf: Vec<u8>,
    dict: Vec<u8>,
    crc: flate2::Crc,
    total: u64,
    jobs: Option<mpsc::SyncSender<Job>>,
    workers: Vec<std::thread::JoinHandle<()>>,
    pending: VecDeque<mpsc::Receiver<io::Result<Vec<u8>>>>,
    header_written: bool,
}

impl<W: Write> ParallelGzWriter<W> {
    /// A writer compressing at `level` (0-9) on `threads` threads (at least one).
    pub fn new(out: W, level: u32, threads: usize) -> Self {
        ParallelGzWriter {
            out: Some(out),
            level: level.min(9),
            threads: threads.max(1),
            buf: Vec::with_capacity(CHUNK),
            dict: Vec::new(),
            crc: flate2::Crc::new(),
            total: 0,
            jobs: None,
            workers: Vec::new(),
            pending: VecDeque::new(),
            header_written: false,
        }
    }

    fn out(&mut self) -> &mut W {
        self.out.as_mut().expect("used after finish")
    }

    fn start_workers(&mut self) -> mpsc::SyncSender<Job> {
        if let Some(j) = &self.jobs {
            return j.clone();
        }
        let (tx, rx) = mpsc::sync_channel::<Job>(self.threads);
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..self.threads {
            let rx = Arc::clone(&rx);
            let level = self.level;
            self.workers.push(std::thread::spawn(move || {
                let mut d = Deflaters::new(level);
                loop {
                    let job = match rx.lock() {
                        Ok(guard) => guard.recv(),
                        Err(_) => return,
                    };
                    let Ok(job) = job else { return };
                    let r = d.chunk(&job.data, &job.dict, job.last);
                    let _ = job.done.send(r);
                }
            }));
        }
        self.jobs = Some(tx.clone());
        tx
    }

    fn write_next_result(&mut self) -> io::Result<()> {
        if let Some(rx) = self.pending.pop_front() {
            let bytes = rx
                .recv()
                .map_err(|_| io::Error::other("compression thread stopped"))??;
            self.out().write_all(&bytes)?;
        }
        Ok(())
    }

    fn dispatch(&mut self, last: bool) -> io::Result<()> {
        if !self.header_written {
            // gzip header: deflate, no flags, mtime 0, no extra flags, OS unknown.
            self.out()
                .write_all(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255])?;
            self.header_written = true;
        }
        let data = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.crc.update(&data);
        self.total += data.len() as u64;
        let mut next_dict = Vec::with_capacity(WINDOW);
        if data.len() < WINDOW {
            let keep = (WINDOW - data.len()).min(self.dict.len());
            next_dict.extend_from_slice(&self.dict[self.dict.len() - keep..]);
        }
        next_dict.extend_from_slice(&data[data.len().saturating_sub(WINDOW)..]);
        let dict = std::mem::replace(&mut self.dict, next_dict);
        let (done, result) = mpsc::sync_channel(1);
        let jobs = self.start_workers();
        jobs.send(Job {
            data,
            dict,
            last,
            done,
        })
        .map_err(|_| io::Error::other("compression threads stopped"))?;
        self.pending.push_back(result);
        while self.pending.len() > 2 * self.threads {
            self.write_next_result()?;
        }
        Ok(())
    }

    /// Compresses what is left, writes the gzip trailer and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.dispatch(true)?;
        while !self.pending.is_empty() {
            self.write_next_result()?;
        }
        let crc = self.crc.sum();
        let isize = (self.total & 0xffff_ffff) as u32;
        let out = self.out();
        out.write_all(&crc.to_le_bytes())?;
        out.write_all(&isize.to_le_bytes())?;
        Ok(self.out.take().expect("present until finish"))
    }
}

impl<W: Write> Write for ParallelGzWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK {
            self.dispatch(false)?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<W: Write> Drop for ParallelGzWriter<W> {
    fn drop(&mut self) {
        // Closing the queue stops the workers once they finish their current chunk.
        self.jobs = None;
        self.pending.clear();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// A worker's compressors: the real one, a level-1 one to test for incompressible
/// data, and a level-0 one that stores such data instead of spending time on it.
struct Deflaters {
    level: u32,
    main: Compress,
    quick: Compress,
    stored: Compress,
    scratch: Vec<u8>,
}

impl Deflaters {
    fn new(level: u32) -> Self {
        Deflaters {
            level,
            main: Compress::new(Compression::new(level), false),
            quick: Compress::new(Compression::new(1), false),
            stored: Compress::new(Compression::none(), false),
            scratch: Vec::new(),
        }
    }

    fn chunk(&mut self, data: &[u8], dict: &[u8], last: bool) -> io::Result<Vec<u8>> {
        // A fresh compressor for every chunk: a reset one can carry state from the chunks
        // this worker happened to compress before (seen with zlib-rs: about one run in ten
        // produced different bytes), and which worker gets which chunk depends on timing.
        // Allocating one costs far less than compressing 1 MiB.
        if self.level > 0 && self.incompressible(data)? {
            self.stored = Compress::new(Compression::none(), false);
            return deflate_chunk(&mut self.stored, data, &[], last);
        }
        self.main = Compress::new(Compression::new(self.level), false);
        deflate_chunk(&mut self.main, data, dict, last)
    }

    /// Already-compressed data (bundled archives, images) costs deflate the most time
    /// for no gain. A chunk counts as such when its bytes are near-uniform (order-0
    /// entropy >= 7.9 bits/byte) AND a fast level-1 pass over 64 KiB from its middle
    /// cannot shrink that by 2% (so high-entropy data that repeats within deflate's
    /// window is still compressed). Depends on the bytes only.
    fn incompressible(&mut self, data: &[u8]) -> io::Result<bool> {
        if data.len() < 64 * 1024 {
            return Ok(false);
        }
        let mut hist = [0u64; 256];
        for &b in data {
            hist[b as usize] += 1;
        }
        let n = data.len() as f64;
        let entropy: f64 = hist
            .iter()
            .filter(|&&c| c > 0)
            .map(|&c| {
                let p = c as f64 / n;
                -p * p.log2()
            })
            .sum();
        if entropy < 7.9 {
            return Ok(false);
        }
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        self.quick = Compress::new(Compression::new(1), false);
        let mid = data.len() / 2;
        let sample = &data[mid - 32 * 1024..mid + 32 * 1024];
        let r = deflate_into(&mut self.quick, sample, &[], true, &mut scratch);
        let small = scratch.len() * 100 < sample.len() * 98;
        self.scratch = scratch;
        r.map(|_| !small)
    }
}

/// Raw-deflates one chunk after priming the window with `dict`; a sync flush ends
/// every chunk but the last, which ends the stream.
fn deflate_chunk(c: &mut Compress, data: &[u8], dict: &[u8], last: bool) -> io::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 2 + 4096);
    deflate_into(c, data, dict, last, &mut out)?;
    Ok(out)
}

fn deflate_into(
    c: &mut Compress,
    data: &[u8],
    dict: &[u8],
    last: bool,
    out: &mut Vec<u8>,
) -> io::Result<()> {
    c.reset();
    if !dict.is_empty() {
        c.set_dictionary(dict).map_err(io::Error::other)?;
    }
    let flush = if last {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    let start = c.total_in();
    loop {
        if out.capacity() - out.len() < 1024 {
            out.reserve(out.capacity().max(64 * 1024));
        }
        let consumed = (c.total_in() - start) as usize;
        let status = c
            .compress_vec(&data[consumed..], out, flush)
            .map_err(io::Error::other)?;
        let consumed = (c.total_in() - start) as usize;
        match status {
            Status::StreamEnd => break,
            // Sync flush is complete once all input is in and output space is left over.
            _ if !last && consumed == data.len() && out.len() < out.capacity() => break,
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::fs;
    use std::io::Read;

    /// The same input gives the same bytes however the chunks land on the workers: a
    /// compressor reused across chunks once made about one run in ten differ (stale
    /// window bytes from the previous chunk). Real machine code is what exposed it.
    #[test]
    fn same_bytes_whatever_the_scheduling() {
        let exe = std::fs::read(std::env::current_exe().unwrap()).unwrap();
        let data = &exe[..exe.len().min(12 << 20)];
        let pack = |threads: usize| {
            let mut w = ParallelGzWriter::new(Vec::new(), 6, threads);
            w.write_all(data).unwrap();
            w.finish().unwrap()
        };
        let first = pack(2);
        for threads in [2, 3, 2, 4, 2, 3, 2, 4] {
            assert!(
                pack(threads) == first,
                "output changed with {threads} threads"
            );
        }
    }

    #[test]
    fn parallel_gzip_is_thread_independent_and_valid() {
        // Several chunks, compressible and not, with a short tail.
        let mut data = Vec::new();
        for i in 0..(3 * CHUNK + 12_345) {
            let x = (i as u32).wrapping_mul(2_654_435_761);
            data.push(if (i / 100_000) % 2 == 0 {
                (i % 251) as u8
            } else {
                (x >> 24) as u8
            });
        }
        let gz = |threads: usize, data: &[u8]| {
            let mut w = ParallelGzWriter::new(Vec::new(), 6, threads);
            for piece in data.chunks(7_777) {
                w.write_all(piece).unwrap();
            }
            w.finish().unwrap()
        };
        let one = gz(1, &data);
        assert_eq!(one, gz(4, &data));
        let mut back = Vec::new();
        GzDecoder::new(&one[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, data);
        // gzip(1) agrees (CRC and size trailer included).
        let t = tempfile::tempdir().unwrap();
        let f = t.path().join("x.gz");
        fs::write(&f, &one).unwrap();
        if let Ok(out) = std::process::Command::new("gzip")
            .arg("-t")
            .arg(&f)
            .output()
        {
            assert!(
                out.status.success(),
                "{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        // Chunking costs next to nothing against one serial stream.
        let mut serial = flate2::write::GzEncoder::new(Vec::new(), Compression::new(6));
        serial.write_all(&data).unwrap();
        let serial = serial.finish().unwrap();
        assert!(
            (one.len() as f64) < serial.len() as f64 * 1.01,
            "{} vs {}",
            one.len(),
            serial.len()
        );
        // Empty input is a valid empty gzip.
        let empty = gz(2, &[]);
        let mut back = Vec::new();
        GzDecoder::new(&empty[..]).read_to_end(&mut back).unwrap();
        assert!(back.is_empty());
        // Exactly one chunk.
        let exact = gz(2, &data[..CHUNK]);
        let mut back = Vec::new();
        GzDecoder::new(&exact[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, &data[..CHUNK]);
    }

    #[test]
    fn incompressible_chunks_are_stored_repeated_ones_are_not() {
        // xorshift64*: statistically random bytes, like compressed data.
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let random: Vec<u8> = (0..CHUNK)
            .map(|_| {
                x ^= x >> 12;
                x ^= x << 25;
                x ^= x >> 27;
                (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
            })
            .collect();
        let mut d = Deflaters::new(6);
        assert!(d.incompressible(&random).unwrap());
        let out = d.chunk(&random, &[], true).unwrap();
        // Stored: the input plus 5 bytes per 64 KiB block.
        assert!(
            out.len() >= random.len() && out.len() < random.len() + 1024,
            "{}",
            out.len()
        );
        // High-entropy bytes that repeat are worth compressing.
        // (Repeats must be within deflate's 32 KiB window to count.)
        let twice: Vec<u8> = random[..CHUNK / 2]
            .chunks(16 * 1024)
            .flat_map(|block| block.iter().chain(block.iter()).copied())
            .collect();
        assert!(!d.incompressible(&twice).unwrap());
        assert!(d.chunk(&twice, &[], true).unwrap().len() < CHUNK * 6 / 10);
        // Code-like bytes are never tested further than the histogram.
        let text: Vec<u8> = (0..CHUNK).map(|i| b"napi_value env;\n"[i % 16]).collect();
        assert!(!d.incompressible(&text).unwrap());
        // Decoding a stream that mixes stored and compressed chunks.
        let mut data = random.clone();
        data.extend_from_slice(&text);
        data.extend_from_slice(&random[..1000]);
        let mut w = ParallelGzWriter::new(Vec::new(), 6, 2);
        w.write_all(&data).unwrap();
        let gz = w.finish().unwrap();
        let mut back = Vec::new();
        GzDecoder::new(&gz[..]).read_to_end(&mut back).unwrap();
        assert_eq!(back, data);
    }
}
