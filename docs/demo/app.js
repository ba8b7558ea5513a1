// The demo form. All rules come from hootsuite-events-wasm; this file maps form fields to
// the body's paths and renders what the library returns.
import init, { validateInstance, previewInstanceRequest, hootsuiteWebhookUrl } from './pkg/hootsuite_events_wasm.js'

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

function render() {
  const b = body()
  const report = validateInstance(b)
  for (const [id, path] of Object.entries(FIELDS)) {
    const errors = report.errors.filter((e) => startsWith(e.path, path))
    const warnings = report.warnings.filter((w) => startsWith(w.path, path))
    const show = touched.has(id)
    const msg = $(`${id}-msg`)
    msg.replaceChildren(
      ...(show ? errors : []).map((e) => Object.assign(document.createElement('span'), { className: 'error', textContent: e.message })),
      ...(show ? warnings : []).map((w) => Object.assign(document.createElement('span'), { className: 'warning', textContent: w.message })),
    )
    if (show && errors.length) $(id).setAttribute('aria-invalid', 'true')
    else $(id).removeAttribute('aria-invalid')
  }
  const eventsOn = $('eventsEnabled').checked
  $('eventCallbackUrl-req').hidden = !eventsOn
  $('eventCallbackUrl').setAttribute('aria-required', String(eventsOn))
  $('submit').disabled = !report.valid
  const env = { baseUrl: $('environment').value, userSecret: 'USER_SECRET', organizationSecret: 'ORGANIZATION_SECRET' }
  if (report.valid) {
    const preview = previewInstanceRequest(env, b)
    $('preview-json').textContent = JSON.stringify({ ...preview, body: JSON.parse(preview.body), curl: undefined }, null, 2)
    $('preview-curl').textContent = preview.curl
  } else {
    $('preview-json').textContent = `${report.errors.length} problem(s) to fix before the request can be built.`
    $('preview-curl').textContent = ''
  }
  renderWebhook()
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
  render()
  if (!$('submit').disabled) $('status').textContent = 'Valid. The next step is Hootsuite\'s consent page; this demo stops here (copy the cURL command).'
})
render()
document.body.dataset.ready = 'true'
