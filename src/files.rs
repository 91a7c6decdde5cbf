//! Opening an input file that must be a regular file (a scenario, a part).

use std::fs::{File, FileType, OpenOptions};
use std::io;
use std::path::Path;

/// Opens `path` for reading, non-blocking on Linux, and returns the open
/// file if it is a regular file, or its type otherwise (`Ok(Err(..))`).
/// Callers look at the path's type first, without opening it; the
/// non-blocking open means a path swapped for a FIFO since then returns at
/// once (and is refused here, on the opened file) instead of waiting for a
/// writer. Reads of a regular file are unaffected.
pub(crate) fn open_regular(path: &Path) -> io::Result<Result<File, FileType>> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NONBLOCK);
    let file = options.open(path)?;
    let kind = file.metadata()?.file_type();
    Ok(if kind.is_file() { Ok(file) } else { Err(kind) })
}

/// Reads a `.csv` file named `path` as UTF-8 text of at most `max` bytes: a
/// regular file whose name (and, through a link, whose target's name) ends
/// in `.csv`, so nothing else is ever read and quoted in a message through
/// a CSV argument (a census, an extract). The error says why, for a
/// message about the `what` ("a census", "an extract").
pub(crate) fn read_csv_text(path: &Path, max: u64, what: &str) -> Result<String, String> {
    use std::io::Read;
    let csv = |p: &Path| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if !csv(path) {
        return Err(format!("{what} must be a .csv file"));
    }
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("it is not a regular file".into());
    }
    let real = path.canonicalize().map_err(|e| e.to_string())?;
    if !csv(&real) {
        return Err("it is a link to a file whose name does not end in .csv; nothing was read".into());
    }
    if meta.len() > max {
        return Err(format!("it is {} bytes; the limit is {max} bytes", meta.len()));
    }
    let file = open_regular(&real).map_err(|e| e.to_string())?.map_err(|_| "it is not a regular file".to_string())?;
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes).map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!("it is over {max} bytes"));
    }
    String::from_utf8(bytes).map_err(|e| format!("it is not UTF-8 text (byte {})", e.utf8_error().valid_up_to()))
}
