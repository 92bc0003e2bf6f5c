// examples/hono/server.mjs started as a child process; see run-example.ts.
import { testExample } from './run-example.js'

testExample('hono', /Hono app with a tus endpoint at \/files\//)
