// Conveniences only: every page works without this script.
// The street list shows only the chosen district's streets.
const district = document.getElementById('district');
const street = document.getElementById('street');
if (district && street) {
  const filter = () => {
    for (const group of street.querySelectorAll('optgroup')) {
      const shown = !district.value || group.dataset.district === district.value;
      group.hidden = !shown;
      group.disabled = !shown;
    }
    const chosen = street.selectedOptions[0];
    if (chosen && chosen.parentElement.disabled) street.value = '';
  };
  district.addEventListener('change', filter);
  filter();
}
// The receipt's print button needs a script, so it is shown only when one runs.
for (const button of document.querySelectorAll('[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
