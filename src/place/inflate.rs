//! Gunzip on a thread of its own, so that inflating (and whatever the source reader does:
//! hashing, receiving) overlaps with the tar side writing files, as `tar xzf` overlaps
//! `gzip -d` with `tar`. Memory stays flat: a few fixed chunks circulate between the two
//! threads.

use flate2::read::GzDecoder;
use std::io::{self, Read};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

/// Bytes per chunk handed over. Chunks are recycled, never freed while the stream runs,
/// so their size does not cost page faults per chunk.
const CHUNK: usize = 256 * 1024;
/// Chunks in flight: enough for neither side to wait on the other for long.
const CHUNKS: usize = 4;

/// The inflated bytes of a gzip stream, produced on another thread.
pub struct Inflated<R> {
    full: Receiver<io::Result<Vec<u8>>>,
    empty: SyncSender<Vec<u8>>,
    current: Vec<u8>,
    pos: usize,
    thread: Option<JoinHandle<R>>,
}

/// Starts inflating `reader` (one gzip member) on a new thread. After the member, the
/// thread reads `reader` to its end too (so a hashing reader sees every byte and a
/// download completes); [`Inflated::finish`] hands it back.
pub fn spawn<R: Read + Send + 'static>(reader: R) -> io::Result<Inflated<R>> {
    let (full_tx, full) = sync_channel::<io::Result<Vec<u8>>>(CHUNKS);
    let (empty, empty_rx) = sync_channel::<Vec<u8>>(CHUNKS + 1);
    for _ in 0..CHUNKS {
        let _ = empty.send(Vec::with_capacity(CHUNK));
    }
    let thread = std::thread::Builder::new()
        .name("pregyp-inflate".into())
        .spawn(move || {
            let mut gz = GzDecoder::new(reader);
            // Each chunk comes back empty once the reader has taken its bytes; the other
            // side hanging up (it failed, or has all it wants) ends this thread.
            while let Ok(mut buf) = empty_rx.recv() {
                buf.resize(CHUNK, 0);
                let mut n = 0;
                let res = loop {
                    match gz.read(&mut buf[n..]) {
                        Ok(0) => break Ok(()),
                        Ok(k) => {
                            n += k;
                            if n == buf.len() {
                                break Ok(());
                            }
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                        Err(e) => break Err(e),
                    }
                };
                buf.truncate(n);
                let done = n == 0;
                let msg = match res {
                    Err(e) => Err(e),
                    Ok(()) if done => {
                        // The member is complete (its CRC checked): take the rest of the source.
                        io::copy(gz.get_mut(), &mut io::sink()).map(|_| buf)
                    }
                    Ok(()) => Ok(buf),
                };
                let stop = msg.is_err() || done;
                if full_tx.send(msg).is_err() || stop {
                    break;
                }
            }
            gz.into_inner()
        })?;
    Ok(Inflated {
        full,
        empty,
        current: Vec::new(),
        pos: 0,
        thread: Some(thread),
    })
}

impl<R> Read for Inflated<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos == self.current.len() {
            let Ok(next) = self.full.recv() else {
                return Ok(0); // the thread has ended: the stream is over
            };
            let next = next?;
            if next.is_empty() {
                return Ok(0);
            }
            let used = std::mem::replace(&mut self.current, next);
            self.pos = 0;
            let _ = self.empty.send(used);
        }
        let n = out.len().min(self.current.len() - self.pos);
        out[..n].copy_from_slice(&self.current[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

impl<R> Inflated<R> {
    /// Reads what is left (the gzip trailer is checked only at the end), then returns the
    /// source reader once the thread has read it to its end.
    pub fn finish(mut self) -> io::Result<R> {
        io::copy(&mut self, &mut io::sink())?;
        let thread = self.thread.take().expect("finished once");
        // The thread has sent its last chunk, so it is returning.
        thread
            .join()
            .map_err(|_| io::Error::other("the inflate thread panicked"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};
    use std::io::Write;

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn inflates_across_chunks_and_returns_the_source_read_to_its_end() {
        let data: Vec<u8> = (0..3 * CHUNK + 17).map(|i| (i * 7 % 251) as u8).collect();
        let mut stream = gz(&data);
        stream.extend_from_slice(b"trailing");
        let mut inflated = spawn(io::Cursor::new(stream.clone())).unwrap();
        let mut out = Vec::new();
        inflated.read_to_end(&mut out).unwrap();
        assert_eq!(out, data);
        let source = inflated.finish().unwrap();
        assert_eq!(source.position() as usize, stream.len());
    }

    #[test]
    fn a_corrupt_stream_is_an_error_for_the_reader() {
        let mut stream = gz(&vec![1u8; 100_000]);
        let n = stream.len();
        stream[n - 6] ^= 0xff; // the CRC
        let mut inflated = spawn(io::Cursor::new(stream)).unwrap();
        let mut out = Vec::new();
        let r = inflated.read_to_end(&mut out);
        assert!(r.is_err() || inflated.finish().is_err());
    }

    #[test]
    fn stopping_early_ends_the_thread() {
        let data = vec![3u8; 20 * CHUNK];
        let mut inflated = spawn(io::Cursor::new(gz(&data))).unwrap();
        let mut first = [0u8; 10];
        inflated.read_exact(&mut first).unwrap();
        let thread = inflated.thread.take().unwrap();
        drop(inflated);
        thread.join().unwrap();
    }
}
