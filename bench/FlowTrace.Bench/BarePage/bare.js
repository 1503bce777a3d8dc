// The pixel benchmark's reference: the same hub and the same messages as the FlowTrace page, each written into the DOM
// as it arrives, with nothing else (no framework, no WebAssembly). Its markup matches what the benchmark watches in the
// real page: per hop an "ol.steps", per step an "li.step" whose summary counts the step's events.
const connection = new signalR.HubConnectionBuilder().withUrl('/hubs/trace').build();
const ready = connection.start();
const flow = document.querySelector('section.flow');
const status = document.querySelector('section.status');

function stepCard(hop, step) {
  while (flow.children.length <= hop) flow.appendChild(document.createElement('ol')).className = 'steps';
  const list = flow.children[hop];
  let card = list.querySelector(`:scope > li[data-step="${step}"]`);
  if (!card) {
    card = list.appendChild(document.createElement('li'));
    card.className = 'step';
    card.dataset.step = step;
    card.count = 0;
    card.message = card.appendChild(document.createElement('p'));
    const details = card.appendChild(document.createElement('details'));
    details.className = 'step-details';
    card.summary = details.appendChild(document.createElement('summary'));
  }
  return card;
}

document.querySelector('form').addEventListener('submit', async e => {
  e.preventDefault();
  await ready;
  flow.replaceChildren();
  status.replaceChildren();
  connection.stream('Trace', { url: document.getElementById('url').value }, crypto.randomUUID().replaceAll('-', '')).subscribe({
    next: event => {
      if (event.step === 'trace') return;
      // The page's cards carry the step's .NET name (HttpRequest), the JSON its camelCase form (httpRequest).
      const card = stepCard(event.hop, event.step[0].toUpperCase() + event.step.slice(1));
      card.message.textContent = event.message;
      card.summary.textContent = `Details (${++card.count} events)`;
    },
    complete: () => { status.innerHTML = '<p class="ok">done</p>'; },
    error: err => { status.replaceChildren(Object.assign(document.createElement('p'), { className: 'error', textContent: String(err) })); },
  });
});
