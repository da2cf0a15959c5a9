import fs from 'node:fs';

/**
 * Writes a file so that it is either absent or complete: write `<file>.partial`, fsync, rename,
 * fsync the folder. A crash leaves only a `.partial` file, which nothing treats as complete.
 */
export function writeFileAtomic(file: string, data: string | Buffer, mode = 0o600): void {
  const partial = `${file}.partial`;
  const fd = fs.openSync(partial, 'w', mode);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(partial, file);
  fsyncDir(file);
}

/** Makes a finished `<file>.partial` the file: fsync it, rename it, fsync the folder. */
export function commitPartial(partial: string, file: string): void {
  fsyncFile(partial);
  fs.renameSync(partial, file);
  fsyncDir(file);
}

/** Flushes a file's data to disk (streams written with createWriteStream are not fsynced). */
export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** fsyncs the folder holding `file` so the rename itself is durable (no-op where unsupported). */
export function fsyncDir(file: string): void {
  const dir = file.replace(/[\\/][^\\/]*$/, '') || '.';
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Windows cannot open a folder for fsync; NTFS renames are journaled.
  }
}
