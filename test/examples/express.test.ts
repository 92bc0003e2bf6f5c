// examples/express/server.mjs started as a child process; see run-example.ts. Express strips
// its mount prefix from req.url, so the creation URL is used without and OPTIONS with the
// trailing slash (the other examples use the opposite spellings).
import { testExample } from './run-example.js'

testExample('express', /tus endpoint at \/files\//, { uploadTo: '/files', optionsAt: '/files/' })
