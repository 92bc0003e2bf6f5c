import { test } from 'node:test'
import assert from 'node:assert/strict'
import { MemoryLocker } from '../../src/lockers/memory-locker.js'
import { TusError } from '../../src/model/errors.js'

test('grants the lock in order and asks the holder to finish', async () => {
  const locker = new MemoryLocker({ acquireTimeout: 1000 })
  const order: string[] = []
  let asked = 0
  const first = await locker.lock('u', () => asked++)
  const second = locker
    .lock('u', () => undefined)
    .then((release) => {
      order.push('second')
      return release
    })
  assert.equal(asked, 1)
  order.push('first')
  await first()
  await (
    await second
  )()
  assert.deepEqual(order, ['first', 'second'])
  // Free again: taken at once.
  await (
    await locker.lock('u', () => undefined)
  )()
})

test('locks on different ids do not wait for each other', async () => {
  const locker = new MemoryLocker({ acquireTimeout: 50 })
  const a = await locker.lock('a', () => undefined)
  const b = await locker.lock('b', () => undefined)
  await a()
  await b()
})

test('a holder that never lets go makes the waiter fail with 423 after the timeout', async () => {
  const locker = new MemoryLocker({ acquireTimeout: 30 })
  const held = await locker.lock('u', () => undefined)
  await assert.rejects(
    locker.lock('u', () => undefined),
    (err: unknown) => err instanceof TusError && err.status === 423,
  )
  await held()
  await (
    await locker.lock('u', () => undefined)
  )()
})

test('a waiter whose client leaves stops waiting', async () => {
  const locker = new MemoryLocker({ acquireTimeout: 5000 })
  const held = await locker.lock('u', () => undefined)
  const gone = new AbortController()
  const waiting = locker.lock('u', () => undefined, gone.signal)
  gone.abort(new Error('client gone'))
  await assert.rejects(waiting, /client gone/)
  await held()
  await (
    await locker.lock('u', () => undefined)
  )()
})

test('release is idempotent: a second call never frees the next holder', async () => {
  const locker = new MemoryLocker({ acquireTimeout: 30 })
  const release = await locker.lock('u', () => undefined)
  await release()
  const again = await locker.lock('u', () => undefined)
  await release()
  await assert.rejects(
    locker.lock('u', () => undefined),
    (err: unknown) => err instanceof TusError && err.status === 423,
  )
  await again()
})

test('rejects a bad timeout at construction', () => {
  assert.throws(() => new MemoryLocker({ acquireTimeout: -1 }), /acquireTimeout/)
})

test('tryLock takes a free lock at once, refuses a held one, and queues with lock()', async () => {
  const locker = new MemoryLocker({ acquireTimeout: 1000 })
  let asked = 0
  const first = locker.tryLock('u', () => asked++)
  assert.ok(first, 'a free lock is taken synchronously')
  assert.equal(
    locker.tryLock('u', () => undefined),
    undefined,
    'a held lock is refused',
  )
  assert.equal(asked, 0, 'a refused tryLock does not disturb the holder')
  const second = locker.lock('u', () => undefined)
  assert.equal(asked, 1, 'a waiter asks the holder to finish')
  await first()
  const release = await second
  assert.equal(
    locker.tryLock('u', () => undefined),
    undefined,
    'the waiter holds it now',
  )
  await release()
  const again = locker.tryLock('u', () => undefined)
  assert.ok(again, 'free again')
  await again()
})
