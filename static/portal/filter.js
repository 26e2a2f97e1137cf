// A filter box for a long list of checkboxes (the directory of services in the decision
// form): progressive enhancement, so without JavaScript the whole list shows. Checked boxes
// always stay visible. The count of matches is announced to screen readers.
export function initFilters(root = document) {
  root.querySelectorAll("[data-portal-filter]").forEach((container) => {
    const items = Array.from(container.querySelectorAll(".govuk-checkboxes__item"));
    if (items.length < 6 || container.querySelector(".portal-filter")) return;
    const id = `filter-${container.dataset.portalFilter}`;
    const wrapper = document.createElement("div");
    wrapper.className = "govuk-form-group portal-filter";
    wrapper.innerHTML =
      `<label class="govuk-label govuk-label--s" for="${id}">Filter the list</label>` +
      `<div class="govuk-hint" id="${id}-hint">Type part of a name, organisation or kind of help</div>` +
      `<input class="govuk-input govuk-!-width-two-thirds" id="${id}" type="search" aria-describedby="${id}-hint ${id}-count" autocomplete="off">` +
      `<p class="govuk-body-s govuk-!-margin-top-1" id="${id}-count" aria-live="polite"></p>`;
    const fieldset = container.querySelector(".govuk-checkboxes");
    fieldset.parentNode.insertBefore(wrapper, fieldset);
    const input = wrapper.querySelector("input");
    const count = wrapper.querySelector(`#${id}-count`);
    input.addEventListener("input", () => {
      const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      items.forEach((item) => {
        const text = item.textContent.toLowerCase();
        const box = item.querySelector("input");
        const match = box.checked || words.every((w) => text.includes(w));
        item.hidden = !match;
        if (match) shown += 1;
      });
      count.textContent = words.length ? `${shown} of ${items.length} services shown` : "";
    });
  });
}
