// The demo page's icon, drawn once from a few shapes and written two ways: favicon.svg for the
// browsers that take an SVG icon (the page links it), and favicon.ico for the others and for
// the /favicon.ico every browser asks for on its own. The .ico holds uncompressed 32-bit
// bitmaps, the oldest form every browser and Windows read, so no image library is needed.

const ACCENT = [0x25, 0x63, 0xeb] // --accent in style.css
const WHITE = [0xff, 0xff, 0xff]

/** An upload arrow over a tray on a rounded square, in a 32 by 32 box; later shapes on top. */
const SHAPES = [
  { rect: { x: 0, y: 0, width: 32, height: 32, radius: 7 }, color: ACCENT },
  {
    polygon: [
      [16, 5],
      [25, 14.5],
      [19.5, 14.5],
      [19.5, 21],
      [12.5, 21],
      [12.5, 14.5],
      [7, 14.5],
    ],
    color: WHITE,
  },
  { rect: { x: 8, y: 24, width: 16, height: 3, radius: 1.5 }, color: WHITE },
]

const hex = (color) => `#${color.map((c) => c.toString(16).padStart(2, '0')).join('')}`

/** The icon as SVG. */
export function faviconSvg() {
  const elements = SHAPES.map(({ rect, polygon, color }) => {
    if (rect !== undefined) {
      const { x, y, width, height, radius } = rect
      return `<rect x="${x}" y="${y}" width="${width}" height="${height}" rx="${radius}" fill="${hex(color)}"/>`
    }
    return `<polygon points="${polygon.map((p) => p.join(',')).join(' ')}" fill="${hex(color)}"/>`
  })
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">${elements.join('')}</svg>\n`
}

/** The icon as a Windows icon file holding one bitmap per size (pixels, square). */
export function faviconIco(sizes = [16, 32]) {
  const images = sizes.map((size) => bitmap(size))
  const header = Buffer.alloc(6 + 16 * sizes.length)
  header.writeUInt16LE(0, 0) // reserved
  header.writeUInt16LE(1, 2) // 1: icon (2 would be a cursor)
  header.writeUInt16LE(sizes.length, 4)
  let offset = header.length
  sizes.forEach((size, i) => {
    const entry = 6 + 16 * i
    header.writeUInt8(size % 256, entry) // width; 0 means 256
    header.writeUInt8(size % 256, entry + 1) // height
    header.writeUInt8(0, entry + 2) // no palette
    header.writeUInt8(0, entry + 3) // reserved
    header.writeUInt16LE(1, entry + 4) // colour planes
    header.writeUInt16LE(32, entry + 6) // bits per pixel
    header.writeUInt32LE(images[i].length, entry + 8)
    header.writeUInt32LE(offset, entry + 12)
    offset += images[i].length
  })
  return Buffer.concat([header, ...images])
}

/**
 * One icon image: a BITMAPINFOHEADER, the BGRA pixels bottom row first, then the 1-bit AND
 * mask (set where the pixel is fully transparent, for readers that ignore alpha). The header
 * gives twice the height, as icons do, for the pixels and the mask together.
 */
function bitmap(size) {
  const maskRow = Math.ceil(size / 32) * 4
  const pixels = Buffer.alloc(size * size * 4)
  const mask = Buffer.alloc(maskRow * size)
  for (let y = 0; y < size; y++) {
    const row = size - 1 - y
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y, size)
      pixels.set([b, g, r, a], (row * size + x) * 4)
      if (a === 0) mask[row * maskRow + (x >> 3)] |= 0x80 >> (x & 7)
    }
  }
  const info = Buffer.alloc(40)
  info.writeUInt32LE(40, 0) // header size
  info.writeInt32LE(size, 4)
  info.writeInt32LE(size * 2, 8)
  info.writeUInt16LE(1, 12) // planes
  info.writeUInt16LE(32, 14) // bits per pixel
  info.writeUInt32LE(0, 16) // no compression
  info.writeUInt32LE(pixels.length + mask.length, 20)
  return Buffer.concat([info, pixels, mask])
}

const SAMPLES = 8 // per axis: 64 samples per pixel smooth the edges

/** The RGBA of pixel (x, y) of a `size` image: the shapes' colours averaged over samples. */
function pixel(x, y, size) {
  const scale = 32 / size
  const sum = [0, 0, 0]
  let covered = 0
  for (let i = 0; i < SAMPLES; i++) {
    for (let j = 0; j < SAMPLES; j++) {
      const px = (x + (i + 0.5) / SAMPLES) * scale
      const py = (y + (j + 0.5) / SAMPLES) * scale
      const top = SHAPES.findLast((shape) => inside(shape, px, py))
      if (top === undefined) continue
      covered++
      top.color.forEach((c, k) => (sum[k] += c))
    }
  }
  if (covered === 0) return [0, 0, 0, 0]
  const rgb = sum.map((s) => Math.round(s / covered))
  return [...rgb, Math.round((255 * covered) / (SAMPLES * SAMPLES))]
}

function inside({ rect, polygon }, px, py) {
  if (rect !== undefined) {
    const { x, y, width, height, radius } = rect
    if (px < x || px > x + width || py < y || py > y + height) return false
    // Distance to the nearest corner's centre, where the point is in a corner's square.
    const dx = Math.max(x + radius - px, px - (x + width - radius), 0)
    const dy = Math.max(y + radius - py, py - (y + height - radius), 0)
    return dx * dx + dy * dy <= radius * radius
  }
  // Even-odd rule: a ray to the right crosses the outline an odd number of times.
  let odd = false
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const [xi, yi] = polygon[i]
    const [xj, yj] = polygon[j]
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) odd = !odd
  }
  return odd
}
