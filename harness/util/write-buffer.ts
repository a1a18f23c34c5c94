/**
 * Write-stream buffer for blob files. With the default 16 KiB, every ~64 KiB
 * network chunk becomes its own write on the thread pool; 8 MiB lets chunks
 * gather into writev calls. Measured on a 256 MiB pull (.cache profile, warm):
 * 1.3 s -> 0.5 s.
 */
export const WRITE_BUFFER = 8 * 1024 * 1024;
