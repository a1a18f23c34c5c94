// Whether a process of this machine still runs (kill 0; EPERM means it runs as
// another user): how a lock's or a run folder's owner is judged gone.
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
