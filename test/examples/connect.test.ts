// examples/connect/server.mjs started as a child process; see run-example.ts.
import { testExample } from './run-example.js'

testExample('connect', /Connect app with a tus endpoint at \/files\//)
