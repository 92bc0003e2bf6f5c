// Keeps memory warm for the page cache of the next run.
//
// On this kind of virtual machine, memory the guest frees is handed back to the host within
// about two seconds (free page reporting), and the first write into such memory costs about
// 3 s of system CPU per GiB, more than a server's own cost of storing a GiB; memory freed by a
// deleted file and reused at once costs about 0.3 s per GiB. Without care, a server's figures
// would depend on how long ago the previous run deleted its files. So right after a run's files
// are deleted, a ballast file of the next run's size takes over their (warm) page cache; while
// the next run goes, the ballast is cut 64 MiB at a time, keeping about 128 MiB of warm free
// memory ahead of what the server's page cache consumes. Every server writes into warm memory.
import fs from 'node:fs'

const CHUNK = 64 * 1024 * 1024
const block = Buffer.alloc(16 * 1024 * 1024, 0x5a)

const memFree = () =>
  Number(/^MemFree:\s+(\d+) kB/m.exec(fs.readFileSync('/proc/meminfo', 'latin1'))[1]) * 1024

export class Ballast {
  constructor(path) {
    this.path = path
    this.size = 0
    this.timer = undefined
  }

  /** Replaces the ballast by one of `bytes` (rounded up to 64 MiB). */
  fill(bytes) {
    this.stop()
    const size = Math.ceil(bytes / CHUNK) * CHUNK
    const fd = fs.openSync(this.path, 'w')
    try {
      for (let written = 0; written < size; written += block.length) fs.writeSync(fd, block)
    } finally {
      fs.closeSync(fd)
    }
    this.size = size
  }

  /** Starts giving the ballast's memory back, 64 MiB ahead of what others consume. */
  release() {
    const floor = memFree()
    const cut = () => {
      this.size = Math.max(0, this.size - CHUNK)
      fs.truncateSync(this.path, this.size)
    }
    cut()
    cut()
    this.timer = setInterval(() => {
      while (this.size > 0 && memFree() < floor + CHUNK) cut()
      if (this.size === 0) this.stop()
    }, 10)
  }

  /** Stops releasing and frees what is left. */
  stop() {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    if (this.size > 0 || fs.existsSync(this.path)) fs.rmSync(this.path, { force: true })
    this.size = 0
  }
}
