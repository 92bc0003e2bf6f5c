// examples/node-http/server.mjs started as a child process; see run-example.ts.
import { testExample } from './run-example.js'

testExample('node-http', /node:http server with a tus endpoint at \/files\//)
