// Idle-timeout warning. Without JavaScript the page still says when the session ends; with it,
// the text counts down in the last minutes and offers to stay signed in (a GET the server
// counts as activity). The server decides: this only warns.
const box = document.getElementById('session-timeout')
if (box) {
  const idle = Number(box.dataset.idleSeconds)
  const warning = Number(box.dataset.warningSeconds)
  const text = document.getElementById('session-timeout-text')
  let deadline = Date.now() + idle * 1000
  let warned = false
  const button = document.createElement('button')
  button.type = 'button'
  button.className = 'govuk-button govuk-button--secondary govuk-!-margin-bottom-0'
  button.textContent = 'Stay signed in'
  button.hidden = true
  box.appendChild(button)
  button.addEventListener('click', async () => {
    const response = await fetch(box.dataset.keepAliveUrl, { credentials: 'same-origin' })
    if (response.ok) {
      deadline = Date.now() + idle * 1000
      warned = false
      button.hidden = true
      box.removeAttribute('role')
      text.textContent = 'You are still signed in.'
    } else {
      window.location.reload()
    }
  })
  const tick = () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000))
    if (left === 0) {
      text.textContent = 'You have been signed out because you had not done anything for a while.'
      button.hidden = true
      return
    }
    if (left <= warning) {
      const minutes = Math.ceil(left / 60)
      if (!warned) {
        box.setAttribute('role', 'alert')
        warned = true
      }
      button.hidden = false
      text.textContent = `You will be signed out in ${minutes} minute${minutes === 1 ? '' : 's'} because you have not done anything. Anything you have not saved will be lost.`
    }
    window.setTimeout(tick, 15000)
  }
  tick()
}
