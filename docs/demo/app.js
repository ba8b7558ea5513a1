// The demo form. All rules come from hootsuite-events-wasm; this file maps form fields to
// the body's paths and renders what the library returns.
import init, { validateInstance, previewInstanceRequest, hootsuiteWebhookUrl } from './pkg/index.js'

/** Form fields and where they sit in the create-instance body. */
const FIELDS = {
  name: ['name'],
  apiKey: ['configuration', 'oauth.api.key'],
  apiSecret: ['configuration', 'oauth.api.secret'],
  callbackUrl: ['configuration', 'oauth.callback.url'],
  eventsEnabled: ['configuration', 'event.notification.enabled'],
  eventCallbackUrl: ['configuration', 'event.notification.callback.url'],
  signatureKey: ['configuration', 'event.notification.signature.key'],
  tags: ['tags'],
}
const $ = (id) => document.getElementById(id)
const touched = new Set()
// After a submit with errors, the summary at the top of the form lists them until fixed.
let summaryShown = false
const TITLE = document.title

function body() {
  const config = {
    'oauth.callback.url': $('callbackUrl').value,
    'oauth.api.key': $('apiKey').value,
    'oauth.api.secret': $('apiSecret').value,
    'event.notification.enabled': $('eventsEnabled').checked,
  }
  if ($('eventCallbackUrl').value !== '') config['event.notification.callback.url'] = $('eventCallbackUrl').value
  if ($('signatureKey').value !== '') config['event.notification.signature.key'] = $('signatureKey').value
  const b = {
    element: { key: 'hootsuite' },
    // The code comes from the OAuth callback after this form is submitted. Not written `<...>`:
    // the library refuses documentation placeholders.
    providerData: { code: 'authorization-grant-code-from-step-2' },
    configuration: config,
    name: $('name').value,
  }
  if ($('tags').value.trim() !== '') b.tags = $('tags').value.split(',').map((t) => t.trim())
  return b
}

const startsWith = (path, prefix) => prefix.every((p, i) => path[i] === p)

/** A message's `quoted` parts as <code>: the library writes field names and values that way. */
function rich(tag, className, message) {
  const el = Object.assign(document.createElement(tag), className ? { className } : {})
  message.split('`').forEach((part, i) => {
    if (i % 2) el.append(Object.assign(document.createElement('code'), { textContent: part }))
    else if (part) el.append(part)
  })
  return el
}

function render() {
  const b = body()
  const report = validateInstance(b)
  for (const [id, path] of Object.entries(FIELDS)) {
    const errors = report.errors.filter((e) => startsWith(e.path, path))
    const warnings = report.warnings.filter((w) => startsWith(w.path, path))
    const show = touched.has(id)
    const msg = $(`${id}-msg`)
    msg.replaceChildren(
      ...(show ? errors : []).map((e) => rich('span', 'error', e.message)),
      ...(show ? warnings : []).map((w) => rich('span', 'warning', w.message)),
    )
    if (show && errors.length) $(id).setAttribute('aria-invalid', 'true')
    else $(id).removeAttribute('aria-invalid')
  }
  const eventsOn = $('eventsEnabled').checked
  $('eventCallbackUrl-req').hidden = !eventsOn
  $('eventCallbackUrl').setAttribute('aria-required', String(eventsOn))
  renderSummary(report)
  if (report.valid) {
    // The browser holds no account secret: the preview stands in placeholders and masks them.
    const preview = previewInstanceRequest($('environment').value, b)
    $('preview-json').textContent = JSON.stringify({ ...preview, body: JSON.parse(preview.body), curl: undefined }, null, 2)
    $('preview-curl').textContent = preview.curl
    $('preview-curl').hidden = false
  } else {
    $('preview-json').textContent = `${report.errors.length} problem(s) to fix before the request can be built.`
    // No empty block: the command appears once there is a request to show.
    $('preview-curl').textContent = ''
    $('preview-curl').hidden = true
  }
  renderWebhook()
}

/** The GOV.UK error summary: every error, each a link to its field. */
function renderSummary(report) {
  // Once everything is fixed the summary has done its job; it returns at the next failed submit.
  if (report.valid) summaryShown = false
  const show = summaryShown
  $('error-summary').hidden = !show
  document.title = show ? `Error: ${TITLE}` : TITLE
  if (!show) return
  // In the order of the fields on the page, as the pattern asks.
  const ids = Object.keys(FIELDS)
  const fieldOf = (e) => ids.find((id) => startsWith(e.path, FIELDS[id]))
  const rank = (e) => (fieldOf(e) ? ids.indexOf(fieldOf(e)) : ids.length)
  $('error-summary-list').replaceChildren(
    ...report.errors.slice().sort((a, b) => rank(a) - rank(b)).map((e) => {
      const field = fieldOf(e)
      const item = document.createElement('li')
      if (field) {
        const link = Object.assign(rich('a', '', e.message), { href: `#${field}` })
        link.addEventListener('click', (ev) => {
          ev.preventDefault()
          $(field).focus()
          $(field).scrollIntoView({ block: 'center' })
        })
        item.append(link)
      } else {
        item.append(...rich('span', '', e.message).childNodes)
      }
      return item
    }),
  )
}

function renderWebhook() {
  const raw = $('instanceId').value.trim()
  if (raw === '') {
    $('webhook-url').textContent = 'Enter the instance id to get the URL to paste into the Hootsuite app.'
    return
  }
  const id = Number(raw)
  try {
    $('webhook-url').textContent = hootsuiteWebhookUrl($('environment').value, id)
  } catch (e) {
    $('webhook-url').textContent = `The instance id must be a whole number (${e.message}).`
  }
}

await init()
for (const id of Object.keys(FIELDS)) {
  $(id).addEventListener('input', () => {
    touched.add(id)
    render()
  })
  $(id).addEventListener('blur', () => {
    touched.add(id)
    render()
  })
}
// Switching events on makes the callback URL required at once: show its state right away.
$('eventsEnabled').addEventListener('change', () => {
  touched.add('eventsEnabled').add('eventCallbackUrl').add('signatureKey')
  render()
})
$('environment').addEventListener('change', render)
$('instanceId').addEventListener('input', renderWebhook)
$('form').addEventListener('submit', (ev) => {
  ev.preventDefault()
  Object.keys(FIELDS).forEach((id) => touched.add(id))
  const valid = validateInstance(body()).valid
  summaryShown = !valid
  render()
  if (valid) {
    $('status').textContent = 'Valid. The next step is Hootsuite\'s consent page; this demo stops here (copy the cURL command).'
  } else {
    $('status').textContent = ''
    $('error-summary').focus()
  }
})
render()
document.body.dataset.ready = 'true'
