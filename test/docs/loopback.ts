// Preloaded (`node --import`) into a server started from a doc snippet: whatever port and host
// the snippet listens on (`app.listen(1080)`), it gets a free port on 127.0.0.1, so the snippet
// runs as written, beside other tests, without reaching the network. Prints the address the
// way the test helpers wait for it: `listening on http://127.0.0.1:<port>`.
import net from 'node:net'

const listen = net.Server.prototype.listen

net.Server.prototype.listen = function (this: net.Server, ...args: unknown[]): net.Server {
  const last = args[args.length - 1]
  const callback = typeof last === 'function' ? (last as () => void) : undefined
  this.once('listening', () => {
    const address = this.address()
    if (address !== null && typeof address === 'object') {
      process.stdout.write(`listening on http://127.0.0.1:${address.port}\n`)
    }
  })
  const loopback = { port: 0, host: '127.0.0.1' }
  return callback ? listen.call(this, loopback, callback) : listen.call(this, loopback)
} as typeof listen
