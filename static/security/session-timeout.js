// The GOV.UK timeout warning: a modal dialog in the last minutes before the idle timeout
// (settings SESSION_IDLE_SECONDS and SESSION_IDLE_WARNING_SECONDS). The server decides when the
// session ends; this only warns. A native <dialog> opened with showModal() keeps focus inside it
// (the rest of the page is inert) and Escape means "Stay signed in"; focus goes back to where it
// was. The visible countdown ticks every second but is hidden from screen readers; a live region
// says the time left once a minute, then every 15 seconds in the last minute, so it is announced
// without chatter. "Stay signed in" is a POST (the form works without this script too).
const dialog = document.getElementById('session-timeout')
if (dialog && typeof dialog.showModal === 'function') {
  const idle = Number(dialog.dataset.idleSeconds)
  const warning = Number(dialog.dataset.warningSeconds)
  const countdown = document.getElementById('session-timeout-countdown')
  const live = document.getElementById('session-timeout-live')
  const stay = document.getElementById('session-timeout-stay')
  let deadline = Date.now() + idle * 1000
  let returnFocus = null
  let timer = null
  let lastSaid = null

  const words = (seconds) => {
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60)
      return `${minutes} minute${minutes === 1 ? '' : 's'}`
    }
    return `${seconds} second${seconds === 1 ? '' : 's'}`
  }
  const announce = (left) => {
    const step = left > 60 ? Math.ceil(left / 60) * 60 : Math.ceil(left / 15) * 15
    if (step !== lastSaid) {
      lastSaid = step
      live.textContent = `For your security, we will sign you out in ${words(left)}.`
    }
  }
  const open = () => {
    returnFocus = document.activeElement
    lastSaid = null
    dialog.showModal()
    dialog.querySelector('button').focus()
  }
  const close = () => {
    if (dialog.open) dialog.close()
    live.textContent = ''
    if (returnFocus && typeof returnFocus.focus === 'function') returnFocus.focus()
  }
  const tick = () => {
    const left = Math.max(0, Math.ceil((deadline - Date.now()) / 1000))
    if (left === 0) {
      // The server has ended the session: reloading shows the sign-in page saying why.
      window.location.reload()
      return
    }
    if (left <= warning) {
      if (!dialog.open) open()
      countdown.textContent = words(left)
      announce(left)
    }
    timer = window.setTimeout(tick, 1000)
  }
  const extend = async (event) => {
    if (event) event.preventDefault()
    const response = await fetch(stay.action, {
      method: 'POST',
      body: new FormData(stay),
      credentials: 'same-origin',
      headers: { 'X-Requested-With': 'fetch' }
    })
    if (!response.ok) {
      window.location.reload()
      return
    }
    deadline = Date.now() + idle * 1000
    close()
  }
  stay.addEventListener('submit', extend)
  dialog.addEventListener('cancel', (event) => { event.preventDefault(); extend() })
  dialog.dataset.ready = 'true'
  window.clearTimeout(timer)
  tick()
}
