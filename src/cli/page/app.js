// The tuskit demo page: Uppy's Dashboard uploading over tus to the CLI's endpoint. esbuild
// bundles this file with Uppy (and the CSS it imports) into dist/cli/public/app.js and app.css
// at build time (scripts/build-page.mjs): the page needs no CDN and works offline.
import Uppy from '@uppy/core'
import Dashboard from '@uppy/dashboard'
import Tus from '@uppy/tus'
import '@uppy/core/css/style.min.css'
import '@uppy/dashboard/css/style.min.css'

const CHUNK_SIZE = 8 * 1024 * 1024
const endpoint =
  document.querySelector('meta[name="tuskit-endpoint"]')?.getAttribute('content') || '/files/'

const $ = (id) => document.getElementById(id)

/** Sizes as Uppy's dashboard shows them: 1 MB = 1024 KB = 1,048,576 bytes. */
function formatBytes(n) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB']
  let i = 0
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024
    i++
  }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`
}

const uppy = new Uppy({
  id: 'tuskit-demo',
  autoProceed: true,
  // Files stay in the dashboard after their upload, so several batches can be sent.
  allowMultipleUploadBatches: true,
})
  .use(Dashboard, {
    inline: true,
    target: '#uppy',
    width: '100%',
    height: 380,
    showProgressDetails: true,
    proudlyDisplayPoweredByUppy: false,
    note: 'Any file, any size: sent in chunks and resumed after a dropped connection.',
    doneButtonHandler: null,
  })
  .use(Tus, {
    endpoint,
    chunkSize: CHUNK_SIZE,
    // Three files at a time; a dropped connection is retried for about a minute.
    limit: 3,
    retryDelays: [0, 1000, 2000, 3000, 5000, 5000, 10000, 10000, 10000, 10000],
    removeFingerprintOnSuccess: true,
  })

uppy.on('upload-success', (file, response) => {
  if (!file || !response?.uploadURL) return
  addFinished(file.name, file.size, new URL(response.uploadURL, location.href).href)
})

/** Adds a finished upload, newest first, with a link that downloads it (GET on its URL). */
function addFinished(name, size, url) {
  const list = $('finished-list')
  const item = document.createElement('li')
  const link = document.createElement('a')
  link.href = url
  link.textContent = name
  link.className = 'finished-name'
  link.target = '_blank'
  link.rel = 'noopener'
  const meta = document.createElement('span')
  meta.className = 'finished-meta'
  meta.textContent = typeof size === 'number' ? formatBytes(size) : ''
  item.append(link, meta)
  list.prepend(item)
  $('finished').hidden = false
  $('finished-count').textContent = String(list.children.length)
}

/** Asks the endpoint what it supports (OPTIONS) and shows it under the card. */
async function describeServer() {
  $('endpoint').textContent = endpoint
  const info = $('server-info')
  try {
    const res = await fetch(endpoint, { method: 'OPTIONS' })
    const version = res.headers.get('Tus-Version') || 'unknown'
    const extensions = (res.headers.get('Tus-Extension') || '').split(',').filter(Boolean)
    const max = res.headers.get('Tus-Max-Size')
    const limit = max ? `max upload size ${formatBytes(Number(max))}` : 'no upload size limit'
    info.textContent = ''
    for (const line of [
      `Server: tus ${version}, ${limit}`,
      `Extensions: ${extensions.join(', ') || 'none'}`,
    ]) {
      const div = document.createElement('div')
      div.textContent = line
      info.append(div)
    }
  } catch {
    info.textContent = `The endpoint ${endpoint} did not answer.`
  }
}

describeServer()
// For tests and the curious: the Uppy instance.
window.uppy = uppy
