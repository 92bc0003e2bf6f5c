// The tuskit demo page: plain browser JavaScript, no build step. tus-js-client is loaded
// before this file from /vendor/tus.min.js and is available as the global `tus`.
/* global tus */
'use strict'

const CHUNK_SIZE = 8 * 1024 * 1024
const endpoint =
  document.querySelector('meta[name="tuskit-endpoint"]')?.getAttribute('content') || '/files/'

const $ = (id) => document.getElementById(id)
const ui = {
  drop: $('drop'),
  file: $('file'),
  transfer: $('transfer'),
  fileName: $('file-name'),
  status: $('status'),
  bar: $('bar'),
  barFill: $('bar-fill'),
  percent: $('percent'),
  bytes: $('bytes'),
  pause: $('pause'),
  resume: $('resume'),
  actions: $('actions'),
  error: $('error'),
  done: $('done'),
  url: $('url'),
  copy: $('copy'),
  serverInfo: $('server-info'),
}

/** The upload in progress, if any. */
let upload = null

/** Decimal units, as file managers show sizes: 1 MB = 1,000,000 bytes. */
function formatBytes(n) {
  const units = ['B', 'kB', 'MB', 'GB', 'TB']
  let i = 0
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000
    i++
  }
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`
}

/** One of: uploading, paused, error, done. Decides which buttons make sense. */
function setState(state, text) {
  ui.transfer.dataset.state = state
  ui.status.textContent = text
  ui.pause.disabled = state !== 'uploading'
  ui.resume.disabled = state !== 'paused' && state !== 'error'
  ui.error.hidden = state !== 'error'
  ui.done.hidden = state !== 'done'
  ui.actions.hidden = state === 'done'
}

function showProgress(sent, total) {
  const percent = total > 0 ? Math.floor((sent / total) * 100) : 100
  ui.barFill.style.width = `${percent}%`
  ui.bar.setAttribute('aria-valuenow', String(percent))
  ui.percent.textContent = `${percent}%`
  ui.bytes.textContent = `${formatBytes(sent)} of ${formatBytes(total)}`
}

async function startUpload(file) {
  if (upload) await upload.abort()
  ui.transfer.hidden = false
  ui.fileName.textContent = file.name
  showProgress(0, file.size)
  setState('uploading', 'Uploading…')

  upload = new tus.Upload(file, {
    endpoint,
    chunkSize: CHUNK_SIZE,
    retryDelays: [0, 1000, 3000, 5000],
    metadata: { filename: file.name, filetype: file.type || 'application/octet-stream' },
    removeFingerprintOnSuccess: true,
    onProgress: showProgress,
    onError(error) {
      ui.error.textContent = describeError(error)
      setState('error', 'Stopped')
    },
    onSuccess() {
      showProgress(file.size, file.size)
      ui.url.value = new URL(upload.url, location.href).href
      setState('done', 'Done')
    },
  })

  // Picking the same file again after a reload resumes where it stopped.
  const previous = await upload.findPreviousUploads()
  if (previous.length > 0) {
    upload.resumeFromPreviousUpload(previous[0])
    setState('uploading', 'Resuming…')
  }
  upload.start()
}

function describeError(error) {
  const res = error.originalResponse
  if (res) {
    const body = (res.getBody() || '').trim()
    return `The server answered ${res.getStatus()}${body ? `: ${body}` : ''}`
  }
  return String(error.message || error).split('\n')[0]
}

ui.file.addEventListener('change', () => {
  const file = ui.file.files[0]
  if (file) startUpload(file)
  ui.file.value = ''
})

ui.drop.addEventListener('dragover', (event) => {
  event.preventDefault()
  ui.drop.classList.add('over')
})
ui.drop.addEventListener('dragleave', () => ui.drop.classList.remove('over'))
ui.drop.addEventListener('drop', (event) => {
  event.preventDefault()
  ui.drop.classList.remove('over')
  const file = event.dataTransfer.files[0]
  if (file) startUpload(file)
})

ui.pause.addEventListener('click', async () => {
  if (!upload) return
  ui.pause.disabled = true
  await upload.abort()
  setState('paused', 'Paused')
})

ui.resume.addEventListener('click', () => {
  if (!upload) return
  setState('uploading', 'Uploading…')
  upload.start()
})

ui.copy.addEventListener('click', async () => {
  ui.url.select()
  try {
    await navigator.clipboard.writeText(ui.url.value)
    ui.copy.textContent = 'Copied'
  } catch {
    ui.copy.textContent = 'Press Ctrl+C'
  }
  setTimeout(() => (ui.copy.textContent = 'Copy'), 1500)
})

/** Asks the endpoint what it supports (OPTIONS) and shows it under the card. */
async function describeServer() {
  $('endpoint').textContent = endpoint
  if (!tus.isSupported) {
    ui.serverInfo.textContent = 'This browser cannot run tus-js-client.'
    return
  }
  try {
    const res = await fetch(endpoint, { method: 'OPTIONS' })
    const version = res.headers.get('Tus-Version') || 'unknown'
    const extensions = (res.headers.get('Tus-Extension') || '').split(',').filter(Boolean)
    const max = res.headers.get('Tus-Max-Size')
    const limit = max ? `max upload size ${formatBytes(Number(max))}` : 'no upload size limit'
    ui.serverInfo.textContent = ''
    for (const line of [
      `Server: tus ${version}, ${limit}`,
      `Extensions: ${extensions.join(', ') || 'none'}`,
    ]) {
      const div = document.createElement('div')
      div.textContent = line
      ui.serverInfo.append(div)
    }
  } catch {
    ui.serverInfo.textContent = `The endpoint ${endpoint} did not answer.`
  }
}

describeServer()
